#!/usr/bin/env bash
# Issue 13: a --step-pattern that matched nothing fell back silently to the next step source. Now it warns, naming
# the pattern and the input (the steps still come from the next source, as the 'steps:' line says), and with
# --step-source pattern it is a usage error (exit 2). The default pattern never warns.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 "$WP_SOURCE_DIR/tests/hostile/time_trace.py" "$tmp/t.json" --steps 12 || fail "generator"
limited "$WANPROF" explain --step-pattern 'denoise_([0-9]+)' "$tmp/t.json" > "$tmp/out" 2> "$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "exit $rc"
grep -q "^wanprof explain: warning: --step-pattern 'denoise_(\[0-9\]+)' matched no range name in $tmp/t.json: the steps come from the next source" "$tmp/err" \
    || fail "warning: $(cat "$tmp/err")"
grep -q "^steps: " "$tmp/out" || fail "no steps line"
limited "$WANPROF" explain --step-pattern 'denoise_([0-9]+)' --step-source pattern "$tmp/t.json" > /dev/null 2> "$tmp/err"
rc=$?; [ $rc -eq 2 ] || fail "--step-source pattern: exit $rc"
grep -q "no range matches the step pattern" "$tmp/err" || fail "--step-source pattern: $(cat "$tmp/err")"
limited "$WANPROF" explain "$tmp/t.json" > /dev/null 2> "$tmp/err" || fail "default pattern"
[ ! -s "$tmp/err" ] || fail "the default pattern warns: $(cat "$tmp/err")"
echo "ok"
