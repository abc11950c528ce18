#!/usr/bin/env bash
# Issue 13: one event ten days after the last step made explain walk every 50 us bin of the gap (over 5 minutes). Now
# queries skip empty stretches: it finishes at once, with the gap in "after the loop", the steps unchanged.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 "$WP_SOURCE_DIR/tests/hostile/time_trace.py" "$tmp/late.json" --steps 30 --late 864000 || fail "generator"
limited "$WANPROF" explain "$tmp/late.json" > "$tmp/out" 2> "$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "exit $rc: $(cat "$tmp/err")"
grep -q "^steps: 30, from step ranges like \"ProfilerStep#0\"" "$tmp/out" || fail "steps: $(sed -n 2p "$tmp/out")"
grep -q "after the loop: 864000.00[0-9] s (GPU busy 0%)" "$tmp/out" || fail "after the loop: $(sed -n 4p "$tmp/out")"
grep -q "^spikes: 0" "$tmp/out" || fail "a late event is no spike: $(grep spikes "$tmp/out")"
echo "ok"
