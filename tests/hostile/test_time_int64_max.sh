#!/usr/bin/env bash
# Issue 13: a kernel ending within 50 us of INT64_MAX ns overflowed a signed loop counter in the binned timeline (UBSan
# reported it) and looped until memory ran out. Now timestamps saturate: explain and hist finish at once, the steps
# are the trace's 30, and the far-away kernel lies after the loop.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 "$WP_SOURCE_DIR/tests/hostile/time_trace.py" "$tmp/max.json" --steps 30 --at-max || fail "generator"
limited "$WANPROF" explain "$tmp/max.json" > "$tmp/out" 2> "$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "explain: exit $rc: $(cat "$tmp/err")"
grep -q "^steps: 30, " "$tmp/out" || fail "steps: $(sed -n 2p "$tmp/out")"
grep -q "after the loop: 922337203[0-9.]* s (GPU busy 0%)" "$tmp/out" || fail "after the loop: $(sed -n 4p "$tmp/out")"
limited "$WANPROF" hist --per-step "$tmp/max.json" > "$tmp/out" 2> "$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "hist: exit $rc: $(cat "$tmp/err")"
echo "ok"
