#!/usr/bin/env bash
# The merge half of `wanprof run`, without a GPU: the command itself writes two per-process files where the collector
# would (with `wanprof export` from a Kineto fixture), and `wanprof run` must merge them into one SQLite and one
# .json.gz holding both processes, keep them with --keep-per-process, and apply --capture-range.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fixture=$WP_FIXTURES/planted_annotated.json.gz
pass=0 fail=0
expect() { if eval "$1"; then pass=$((pass + 1)); else echo "FAIL: $2"; fail=$((fail + 1)); fi; }

# What one process of the fixture holds, for reference.
"$WANPROF" export "$fixture" one.sqlite 2>/dev/null
one_kernels=$(python3 -c "import sqlite3; print(sqlite3.connect('one.sqlite').execute('select count(*) from CUPTI_ACTIVITY_KIND_KERNEL').fetchone()[0])")
expect '[ "$one_kernels" -gt 0 ]' "fixture has no kernels"

# Two "processes" written by the command into the folder the collector would use (WANPROF_OUTPUT's directory).
write_parts='d=$(dirname "$WANPROF_OUTPUT"); "$0" export "$1" "$d/r0-p101.sqlite" && "$0" export "$1" "$d/r1-p102.sqlite"'
"$WANPROF" run --json --keep-per-process -o merged -- sh -c "$write_parts" "$WANPROF" "$fixture" >json 2>err
rc=$? # kept first: the message's $(cat err) below would reset $? before the check runs
expect '[ $rc -eq 0 ]' "wanprof run failed: $(cat err)"
expect '[ -s merged.sqlite ] && [ -s merged.json.gz ]' "merged outputs missing"
expect '[ "$(ls merged.wanprof-parts | wc -l)" -eq 2 ]' "--keep-per-process did not keep the 2 files"
python3 - "$one_kernels" <<'PY' || { fail=$((fail + 1)); false; }
import gzip, json, sqlite3, sys
one = int(sys.argv[1])
s = json.load(open("json"))
assert s["processes"] == 2, s
assert s["events"]["kernel"] == 2 * one, (s["events"], one)
db = sqlite3.connect("merged.sqlite")
assert db.execute("select count(*) from CUPTI_ACTIVITY_KIND_KERNEL").fetchone()[0] == 2 * one
assert db.execute("select count(*) from WANPROF_PROCESSES").fetchone()[0] == 2
d = json.load(gzip.open("merged.json.gz", "rt"))
assert sum(1 for e in d["traceEvents"] if e.get("cat") == "kernel") == 2 * one
print("merge: 2 processes,", 2 * one, "kernels in the SQLite, the .json.gz and the summary")
PY
[ $? -eq 0 ] && pass=$((pass + 1))

# --capture-range keeps what starts inside the range (and the GPU work launched from it), nothing else.
"$WANPROF" run --json --capture-range="nvtx:denoising step 0" -o ranged -- sh -c "$write_parts" "$WANPROF" "$fixture" \
    >json2 2>err
rc=$?
expect '[ $rc -eq 0 ]' "wanprof run --capture-range failed: $(cat err)"
python3 - "$one_kernels" <<'PY' || { fail=$((fail + 1)); false; }
import json, sys
one = int(sys.argv[1])
s = json.load(open("json2"))
k = s["events"]["kernel"]
assert 0 < k < 2 * one, (k, one)
assert s["events_outside_capture_range"] > 0 and s["capture_range"] == "denoising step 0", s
print(f"capture range: {k} of {2 * one} kernels kept, {s['events_outside_capture_range']} events left out")
PY
[ $? -eq 0 ] && pass=$((pass + 1))
expect '[ ! -e ranged.wanprof-parts ]' "per-process folder kept without --keep-per-process"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
