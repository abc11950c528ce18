#!/usr/bin/env bash
# Issue 13: a trace with a unique kernel name per step was super-linear (new-kernel counting scanned every name for
# every step: 64k steps 5.2 s, 128k 25.5 s). Now it is a binary search per step: 128k steps finish well inside 20 s
# and 512 MB, every step with its one new kernel.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 "$WP_SOURCE_DIR/tests/hostile/time_trace.py" "$tmp/u.json" --steps 128000 --unique-names --kernels 1 \
    --no-launch || fail "generator"
limited "$WANPROF" explain --json "$tmp/u.json" > "$tmp/x.json" 2> "$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "explain: exit $rc: $(cat "$tmp/err")"
python3 - "$tmp/x.json" <<'PY' || fail "128000 steps, one new kernel each"
import json, sys
steps = json.load(open(sys.argv[1]))["ranks"][0]["steps"]
assert len(steps) == 128000, len(steps)
bad = [s["step"] for s in steps if s["new_kernels"] != 1]
assert not bad, bad[:5]
PY
echo "ok"
