#!/usr/bin/env bash
# wanprof-calibrate --quick on the GPUs here: its document is valid against schemas/machine.schema.json (when
# python3-jsonschema is installed) and its figures are sane: every bandwidth between 1 and 1000 GB/s, every latency
# above 0 and under a second, every spread ordered min <= median <= max over `repeats` samples, each copy measured
# for every size, direction and host memory kind, one GPU alone and all at once, and every GPU pair (or the one-GPU
# note), and the compute curve measured at the four busy shares asked for. Bounds this wide hold on any PCIe or NVLink
# machine; a broken timer or unit is off by orders of magnitude.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/gpu_present.sh"
: "${WP_BIN:?}" "${WP_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$WP_BIN/wanprof-calibrate" --quick >"$tmp/machine.json" 2>"$tmp/err"
rc=$?
cat "$tmp/err"
[ $rc -eq 0 ] || { echo "FAIL: wanprof-calibrate --quick exited $rc"; exit 1; }
python3 - "$tmp/machine.json" "$WP_SOURCE_DIR/schemas/machine.schema.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
fails = []
try:
    import jsonschema
    schema = json.load(open(sys.argv[2]))
    fails += ["schema: " + e.message for e in jsonschema.validators.validator_for(schema)(schema).iter_errors(doc)]
except ImportError:
    print("schema: not checked (no python3-jsonschema here)")
def check(ok, what):
    if not ok:
        fails.append(what)
def spread(s, lo, hi, what):
    check(s["count"] == doc["repeats"] == 3, f"{what}: {s['count']} samples, repeats {doc['repeats']} (3 with --quick)")
    check(s["min"] <= s["median"] <= s["max"], f"{what}: not ordered: {s}")
    check(lo < s["min"] and s["max"] < hi, f"{what}: outside ({lo}, {hi}): {s}")
n = len(doc["gpus"])
check(n >= 1, "no GPU listed")
for g in doc["gpus"]:
    check(0 < g["memory_free_bytes"] <= g["memory_total_bytes"], f"GPU {g['index']} memory: {g}")
seen = set()
for c in doc["host_copies"]:
    what = f"{c['gpus']} GPU {c['direction']} {c['host_memory']} {c['bytes']} bytes"
    spread(c["bandwidth_gb_per_s"], 1, 1000, what)
    seen.add((c["gpus"], c["direction"], c["host_memory"], c["bytes"]))
groups = {1, n}
# 3 sizes x (pinned and pageable each way, and DtoH into new pageable memory)
check(len(seen) == len(doc["host_copies"]) == 15 * len(groups), f"host copies: {sorted(seen)}")
check({k[0] for k in seen} == groups, f"host copies on {sorted({k[0] for k in seen})} GPUs, expected {groups}")
check(len(doc["latency"]) == 4, "latency: not every direction and host memory kind")
for l in doc["latency"]:
    spread(l["seconds"], 0, 1, f"latency {l['direction']} {l['host_memory']}")
peer = doc["peer"]
if n == 1:
    check(not peer["measured"] and peer.get("note") == "not measured: one GPU" and not peer["pairs"], f"peer: {peer}")
else:
    check(peer["measured"] and len(peer["pairs"]) == n * (n - 1), f"peer: {len(peer['pairs'])} pairs for {n} GPUs")
    for p in peer["pairs"]:
        spread(p["bandwidth_gb_per_s"], 1, 1000, f"peer {p['src']}->{p['dst']}")
comp = doc["compute"]
check(comp["measured"], f"compute: not measured: {comp.get('note')}")
if comp["measured"]:
    pts = comp["points"]
    check([p["busy_target"] for p in pts] == [1.0, 0.75, 0.5, 0.25], f"compute: busy targets {pts}")
    for p in pts:
        u = p["seconds_per_unit"]
        # the idle share is slept by the host after each burst: the measured share is near what was asked
        check(abs(p["busy_measured"] - p["busy_target"]) < 0.1, f"compute: busy {p['busy_measured']} for {p['busy_target']}")
        check(u["count"] >= 5 and 0 < u["min"] <= u["median"] <= u["max"] < 1, f"compute at {p['busy_target']}: {u}")
    # idling cannot make the same work slower by much (a timer or unit error is off by far more)
    check(all(p["seconds_per_unit"]["median"] < 1.1 * pts[0]["seconds_per_unit"]["median"] for p in pts),
          f"compute: a less busy phase took 10% longer per unit than the busiest: {pts}")
for f in fails:
    print("FAIL:", f)
one = {(c["direction"], c["host_memory"]): c["bandwidth_gb_per_s"]["median"] for c in doc["host_copies"]
       if c["gpus"] == 1 and c["bytes"] == 256 << 20}
print(f"{n} GPU(s), {doc['gpus'][0]['name']}; 256 MiB on one GPU, GB/s: " +
      ", ".join(f"{d} {m} {v:.1f}" for (d, m), v in sorted(one.items())) + f"; {doc['wall_s']:.1f} s in all")
sys.exit(1 if fails else 0)
PY
