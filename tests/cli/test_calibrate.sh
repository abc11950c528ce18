#!/usr/bin/env bash
# `wanprof calibrate` without a GPU: no wanprof-calibrate (or one that finds no GPU) is a message and exit 1 with
# nothing written; with a stand-in wanprof-calibrate (WANPROF_CALIBRATE) printing a machine document made here by
# hand, the stored file and --json are that document under this wanprof's head, valid against
# schemas/machine.schema.json, the table shows its figures, and only a machine file is replaced without --force.
# Then `wanprof run` records the cached file in the merged trace's metadata ("machine", the text as it is) and
# `wanprof info` says so; GPU figures themselves are checked on a GPU by tests/gpu/calibrate_sane.sh.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}" "${WP_SOURCE_DIR:?}"
python3 -c "import jsonschema" 2>/dev/null || { echo "SKIP: python3-jsonschema missing (scripts/setup.sh)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
schema=$WP_SOURCE_DIR/schemas/machine.schema.json
pass=0 fail=0
# A message argument's $(cat err) resets $?: each command's status is kept in rc for the checks.
expect() { if eval "$1"; then pass=$((pass + 1)); else echo "FAIL: $2"; fail=$((fail + 1)); fi; }
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/cache
mkdir -p "$HOME"
cache=$XDG_CACHE_HOME/wanprof/machine.json

# A machine document as wanprof-calibrate prints it, for NGPU GPUs; figures differ per entry so a mix-up shows.
cat >gen.py <<'PY'
import json, sys
ngpu, host = int(sys.argv[1]), sys.argv[2]
def spread(m, n=7): return {"median": m, "min": m * 0.9, "max": m * 1.25, "count": n}
gpus = [{"index": i, "name": "NVIDIA H200", "pci_bus_id": "00000000:%02X:00.0" % (0x19 + i),
         "memory_total_bytes": 150754820096, "memory_free_bytes": 150203760640 - i, "pcie_gen_current": 5 - i,
         "pcie_gen_max": 5, "pcie_width_current": 16, "pcie_width_max": 16, "nvlink_links_up": 18,
         "numa_node": None if i else 0} for i in range(ngpu)]
copies, k = [], 0
for g in sorted({1, ngpu}):
    for size in (1 << 20, 16 << 20, 256 << 20):
        for mem in ("pinned", "pageable", "pageable_new"):
            for d in ("DtoH",) if mem == "pageable_new" else ("HtoD", "DtoH"):
                k += 1
                copies.append({"direction": d, "host_memory": mem, "bytes": size, "gpus": g,
                               "bandwidth_gb_per_s": spread(10.0 + 1.5 * k)})
latency = [{"direction": d, "host_memory": m, "bytes": 4096, "seconds": spread(1e-5 * (i + 1))}
           for i, (m, d) in enumerate((m, d) for m in ("pinned", "pageable") for d in ("HtoD", "DtoH"))]
pairs = [{"src": s, "dst": t, "bytes": 256 << 20, "peer_access": s == 0, "bandwidth_gb_per_s": spread(300.0 + s)}
         for s in range(ngpu) for t in range(ngpu) if s != t]
peer = {"measured": ngpu > 1, "pairs": pairs}
if ngpu < 2:
    peer["note"] = "not measured: one GPU"
print(json.dumps({"schema": "wanprof.machine/1", "wanprof": "0.0.0 (the stand-in)", "host": host,
                  "measured_at": "2026-12-02T06:00:00Z", "repeats": 7, "cuda_driver_version": 13000,
                  "cuda_runtime_version": 13000, "driver": "580.95.05", "nvml": "ok", "gpus": gpus,
                  "host_copies": copies, "latency": latency, "peer": peer, "wall_s": 9.5}))
PY
python3 gen.py 2 hostA >doc2.json && python3 gen.py 1 hostB >doc1.json
# The stand-in: prints $FAKE_DOC, or says what a real one says without a GPU (exit 3), or fails (exit 1).
cat >fake-calibrate <<'SH'
#!/bin/sh
case "$FAKE_MODE" in
nogpu) echo "wanprof-calibrate: no GPU to measure: no CUDA-capable device is detected" >&2; exit 3 ;;
fail) echo "wanprof-calibrate: copies.c:40: cudaMalloc: out of memory" >&2; exit 1 ;;
esac
cat "$FAKE_DOC"
SH
chmod +x fake-calibrate
fake=$tmp/fake-calibrate

# 1. No wanprof-calibrate: the CPU build has none; a GPU build's is hidden by naming a missing one.
WANPROF_CALIBRATE=$tmp/none "$WANPROF" calibrate >out 2>err; rc=$?
expect '[ $rc -eq 1 ]' "no wanprof-calibrate: exit 1"
expect 'grep -q "wanprof-calibrate not found" err && grep -q "WANPROF_CALIBRATE" err' "no wanprof-calibrate: $(cat err)"
expect '[ ! -e "$XDG_CACHE_HOME" ] && [ ! -s out ]' "no wanprof-calibrate: something was written"

# 2. No GPU: the real wanprof-calibrate when this build has one and there is no GPU here, and the stand-in.
real=$(dirname "$WANPROF")/wanprof-calibrate
if [ -x "$real" ] && ! nvidia-smi -L >/dev/null 2>&1; then
    "$WANPROF" calibrate >out 2>err; rc=$?
    expect '[ $rc -eq 1 ] && grep -q "no GPU to measure" err && [ ! -e "$cache" ]' "real, no GPU: $(cat err)"
fi
WANPROF_CALIBRATE=$fake FAKE_MODE=nogpu "$WANPROF" calibrate >out 2>err; rc=$?
expect '[ $rc -eq 1 ]' "no GPU: exit 1"
expect 'grep -q "wanprof calibrate: no GPU to measure" err && grep -q "nothing written" err' "no GPU: $(cat err)"
expect '[ ! -e "$cache" ] && [ ! -s out ]' "no GPU: something was written"
WANPROF_CALIBRATE=$fake FAKE_MODE=fail "$WANPROF" calibrate >out 2>err; rc=$?
expect '[ $rc -eq 1 ] && grep -q "failed (exit status 1" err && [ ! -e "$cache" ]' "a failed measurement: $(cat err)"

# 3. The document stored in the cache folder, valid, with this wanprof's head and the measured members as they were.
export WANPROF_CALIBRATE=$fake FAKE_DOC=$tmp/doc2.json
"$WANPROF" calibrate >table 2>err; rc=$?
expect '[ $rc -eq 0 ]' "calibrate with the stand-in failed: $(cat err)"
version=$("$WANPROF" --version | sed 's/^wanprof //')
python3 - "$schema" "$cache" doc2.json "$version" table <<'PY' || fail=$((fail + 1))
import json, sys, jsonschema
schema, stored, given, version, table = sys.argv[1:]
s = json.load(open(schema))
doc, src = json.load(open(stored)), json.load(open(given))
jsonschema.validate(doc, s)
assert doc["schema"] == "wanprof.machine/1" and doc["wanprof"] == version, (doc["schema"], doc["wanprof"])
assert {k: v for k, v in doc.items() if k != "wanprof"} == {k: v for k, v in src.items() if k != "wanprof"}
text = open(table).read()
for c in src["host_copies"]:
    b = c["bandwidth_gb_per_s"]
    row = "%4d  %-4s  %-12s  %-8s%9.2f GB/s  %.2f..%.2f  (n=%d)" % (
        c["gpus"], c["direction"], c["host_memory"], "%d MiB" % (c["bytes"] >> 20), b["median"], b["min"], b["max"],
        b["count"])
    assert row in text, row
for l in src["latency"]:
    assert "%9.2f us" % (l["seconds"]["median"] * 1e6) in text, l
for p in src["peer"]["pairs"]:
    row = "%3d  %3d  %-6s  %-8s%9.2f GB/s" % (p["src"], p["dst"], "direct" if p["peer_access"] else "staged",
                                              "%d MiB" % (p["bytes"] >> 20), p["bandwidth_gb_per_s"]["median"])
    assert row in text, row
g = src["gpus"][1]
assert "gen%d x%d / gen%d x%d" % (g["pcie_gen_current"], g["pcie_width_current"], g["pcie_gen_max"],
                                  g["pcie_width_max"]) in text, text
assert "machine file: " + stored in text
# The schema is no rubber stamp: a spread without its count, or a topology figure as text, is refused.
for bad in ("count", "numa"):
    d = json.loads(json.dumps(doc))
    if bad == "count":
        del d["host_copies"][0]["bandwidth_gb_per_s"]["count"]
    else:
        d["gpus"][0]["numa_node"] = "zero"
    try:
        jsonschema.validate(d, s)
        raise SystemExit("schema accepted a document without " + bad)
    except jsonschema.ValidationError:
        pass
print("stored document: valid, this wanprof's head, every measured member kept; table rows match")
PY
[ $? -eq 0 ] && pass=$((pass + 1))

# 4. --json prints the stored document; -o FILE writes there and leaves the cache alone; one GPU: peer's note.
cp "$cache" cached.json
FAKE_DOC=$tmp/doc1.json "$WANPROF" calibrate --json -o one.json >json 2>err; rc=$?
expect '[ $rc -eq 0 ] && cmp -s json one.json' "--json -o: stdout differs from the file: $(cat err)"
expect 'cmp -s "$cache" cached.json' "-o FILE changed the cache's machine file"
expect 'python3 -c "import json; d = json.load(open(\"one.json\")); assert d[\"host\"] == \"hostB\""' "-o FILE content"
FAKE_DOC=$tmp/doc1.json "$WANPROF" calibrate -o one.json >table1 2>err
expect 'grep -q "^GPU<->GPU copies: not measured: one GPU$" table1' "one GPU: no 'not measured' line"

# 5. A machine file is replaced; any other file is kept unless --force; a bad document replaces nothing.
FAKE_DOC=$tmp/doc1.json "$WANPROF" calibrate >/dev/null 2>err; rc=$?
expect '[ $rc -eq 0 ] && grep -q "\"host\":\"hostB\"" "$cache"' "the cached machine file was not replaced: $(cat err)"
echo precious >mine.json
"$WANPROF" calibrate -o mine.json >out 2>err; rc=$?
expect '[ $rc -eq 1 ] && [ "$(cat mine.json)" = precious ]' "a file that is not a machine file was replaced"
expect 'grep -q "mine.json: not a wanprof machine file" err && grep -q -- "--force" err' "refusal: $(cat err)"
"$WANPROF" calibrate --force -o mine.json >/dev/null 2>err; rc=$?
expect '[ $rc -eq 0 ] && grep -q "\"host\":\"hostA\"" mine.json' "--force did not replace it: $(cat err)"
echo '{"schema": "wanprof.info/1"}' >notours.json
cp "$cache" before.json
for bad in "notours.json:is not \"schema\": \"wanprof.machine/1\"" "table:printed no JSON document"; do
    FAKE_DOC=$tmp/${bad%%:*} "$WANPROF" calibrate >out 2>err; rc=$?
    expect '[ $rc -eq 1 ] && cmp -s "$cache" before.json' "a bad document (${bad%%:*}) was stored: $(cat err)"
    expect 'grep -qF "${bad#*:}" err && grep -q "nothing written" err' "bad document (${bad%%:*}): $(cat err)"
done
# A FIFO is never opened for reading (it would block): refused, even with --force (output_file.h), and left there.
mkfifo pipe.json
timeout 60 "$WANPROF" calibrate --force -o pipe.json >out 2>err; rc=$?
expect '[ $rc -eq 1 ] && [ -p pipe.json ] && grep -q "pipe.json" err' "a FIFO output: exit $rc, $(cat err)"
# No XDG_CACHE_HOME (or a relative one, which the XDG spec says to ignore): ~/.cache.
XDG_CACHE_HOME=rel "$WANPROF" calibrate >/dev/null 2>err
expect '[ -s "$HOME/.cache/wanprof/machine.json" ] && [ ! -e rel ]' "HOME/.cache not used: $(cat err)"
"$WANPROF" calibrate extra >/dev/null 2>err; rc=$?
expect '[ $rc -eq 2 ]' "an operand is a usage error"

# 6. wanprof run records the cached file, as it is, in both merged outputs, and info says so.
fixture=$WP_FIXTURES/planted_annotated.json.gz
write_parts='d=$(dirname "$WANPROF_OUTPUT"); "$0" export "$1" "$d/r0-p101.sqlite" &&
             "$0" export "$1" "$d/r1-p102.sqlite"'
"$WANPROF" run -o with -- sh -c "$write_parts" "$WANPROF" "$fixture" >/dev/null 2>err; rc=$?
expect '[ $rc -eq 0 ]' "wanprof run failed: $(cat err)"
python3 - "$cache" <<'PY' || fail=$((fail + 1))
import gzip, json, sqlite3, sys
text = open(sys.argv[1]).read()
rows = sqlite3.connect("with.sqlite").execute("select value from WANPROF_META where key = 'machine'").fetchall()
assert rows == [(text,)], (len(rows), rows[:1])
events = json.load(gzip.open("with.json.gz", "rt"))["traceEvents"]
meta = [e["args"]["value"] for e in events if e.get("name") == "wp_meta" and e["args"].get("key") == "machine"]
assert meta == [json.loads(text)], meta
print("run: the machine file recorded once, as it is, in the SQLite and the .json.gz")
PY
[ $? -eq 0 ] && pass=$((pass + 1))
for f in with.sqlite with.json.gz; do
    "$WANPROF" info "$f" >info 2>&1
    expect 'grep -q "^  machine:   carries the facts" info' "info $f: no machine line"
done
rm -f "$cache" "$HOME/.cache/wanprof/machine.json"
"$WANPROF" run -o without -- sh -c "$write_parts" "$WANPROF" "$fixture" >/dev/null 2>err
expect '[ "$(sqlite3 without.sqlite "select count(*) from WANPROF_META where key = '"'machine'"'")" = 0 ]' \
    "no machine file, yet something recorded"
"$WANPROF" info without.sqlite >info 2>&1
expect '! grep -q "machine:" info' "info shows a machine line for a trace without one"
mkfifo "$cache"
timeout 60 "$WANPROF" run -o fifo -- sh -c "$write_parts" "$WANPROF" "$fixture" >/dev/null 2>err; rc=$?
expect '[ $rc -eq 0 ] && grep -q "not a regular file; not recorded" err' "run with a FIFO in the cache: $(cat err)"
rm -f "$cache"
echo precious >"$cache"
"$WANPROF" run -o other -- sh -c "$write_parts" "$WANPROF" "$fixture" >/dev/null 2>err; rc=$?
expect '[ $rc -eq 0 ] && grep -q "not a wanprof machine file.*not recorded" err' \
    "run: no warning for a foreign file"
expect '[ "$(cat "$cache")" = precious ]' "run changed the cache file"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
