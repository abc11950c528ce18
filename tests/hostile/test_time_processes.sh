#!/usr/bin/env bash
# Issue 13: explain kept at most 256 processes and folded the rest into the 256th silently. Now processes have no
# cap: a run of 300 ranks gives 300 ranks, each with its own steps.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 - "$tmp/t.json" <<'PY' || fail "generator"
import json, sys
ev = []
for p in range(300):
    pid = 1000 + p
    ev.append({"name": "process_name", "ph": "M", "pid": pid, "tid": 0,
               "args": {"name": "rank %d" % p, "wp_index": p, "wp_pid": pid, "wp_rank": p}})
    for s in range(3):
        t0 = 100 + s * 1000
        ev.append({"ph": "X", "cat": "user_annotation", "name": "ProfilerStep#%d" % s, "pid": pid, "tid": 1,
                   "ts": t0, "dur": 900})
        ev.append({"ph": "X", "cat": "kernel", "name": "k", "pid": pid, "tid": 7, "ts": t0 + 10, "dur": 500,
                   "args": {"device": p % 8, "stream": 7}})
json.dump({"wanprof": {"format": 1}, "traceEvents": ev}, open(sys.argv[1], "w"))
PY
limited "$WANPROF" explain --json "$tmp/t.json" > "$tmp/x.json" 2> "$tmp/err" || fail "explain: $(cat "$tmp/err")"
python3 - "$tmp/x.json" <<'PY' || fail "300 ranks of 3 steps"
import json, sys
r = json.load(open(sys.argv[1]))["ranks"]
assert len(r) == 300, len(r)
assert sorted(x["rank"] for x in r) == list(range(300)), [x["rank"] for x in r][:5]
assert all(len(x["steps"]) == 3 for x in r), [len(x["steps"]) for x in r if len(x["steps"]) != 3][:5]
PY
echo "ok"
