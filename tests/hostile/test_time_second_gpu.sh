#!/usr/bin/env bash
# Issue 14's defect list: a kernel that GPU 0 ran from step 0 on, first run by GPU 1 (a GPU-only process of the same
# run) in step 5, was counted as "never seen before" in step 5. Now a kernel name is new once per run, on any device.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 "$WP_SOURCE_DIR/tests/hostile/time_trace.py" "$tmp/t.json" --steps 10 --second-gpu || fail "generator"
"$WANPROF" info "$tmp/t.json" | grep -q "processes: 2" || fail "the trace should hold two processes"
limited "$WANPROF" explain --json "$tmp/t.json" > "$tmp/x.json" 2> "$tmp/err" || fail "explain: $(cat "$tmp/err")"
python3 - "$tmp/x.json" <<'PY' || fail "new kernels per step"
import json, sys
r = json.load(open(sys.argv[1]))["ranks"]
assert len(r) == 1, len(r)
assert [x["new_kernels"] for x in r[0]["steps"]] == [4] + [0] * 9, [x["new_kernels"] for x in r[0]["steps"]]
PY
echo "ok"
