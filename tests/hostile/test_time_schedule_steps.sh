#!/usr/bin/env bash
# Issue 13: `explain --steps 100000` ran the schedule check's shift search, whose time grows with the square of the
# steps (8000 steps 4 s, 100000 never finished), while `schedule --switch-at` capped the same search at 1000 steps.
# Now both use one cap: explain still predicts the switch step and says the shifts were not searched, naming the cap.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
t="$WP_FIXTURES/planted_annotated.json.gz"
limited "$WANPROF" explain --shift 12 --steps 100000 "$t" > "$tmp/out" 2> "$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "explain --steps 100000: exit $rc: $(cat "$tmp/err")"
grep -q "^schedule (flags): the switch came at step 9 (the 10th step), but sampler wan with shift 12 and 100000 steps puts it at step 63122 (the 63123rd); shifts were not searched for step 9: the search works with up to 1000 steps (got 100000)$" "$tmp/out" \
    || fail "schedule line: $(tail -1 "$tmp/out")"
"$WANPROF" explain --shift 12 --steps 1000 "$t" > "$tmp/out" 2>/dev/null || fail "explain --steps 1000"
grep -q "shifts in \[0.1, 100\]: none gives step 9$" "$tmp/out" || fail "1000 steps are searched: $(tail -1 "$tmp/out")"
"$WANPROF" schedule --steps 1001 --switch-at 10 > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "schedule --switch-at beyond the cap: exit $rc"
grep -q "works with --steps up to 1000 (got 1001)" "$tmp/err" || fail "schedule's message: $(cat "$tmp/err")"
echo "ok"
