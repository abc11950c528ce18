#!/usr/bin/env bash
# Issue 13: --step-pattern went to glibc's regcomp: '(.*){1,20000}([0-9]+)' overflowed its stack (SIGSEGV),
# '(a|b){1,32767}...' was killed for memory, '{1,4000}' took 535 MB. Now PCRE2 with limits: a pattern over a compile
# limit, or one whose matching runs past the match limits on a range name, is a usage error (exit 2) naming the limit,
# within 512 MB and at once; a pattern within the limits still finds and numbers the steps as before.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 "$WP_SOURCE_DIR/tests/hostile/time_trace.py" "$tmp/t.json" --steps 12 || fail "generator"
# expects exit 2 and the message fragment $2 for pattern $1
refused() {
    limited "$WANPROF" explain --step-pattern "$1" "$3" > /dev/null 2> "$tmp/err"; local rc=$?
    [ $rc -eq 2 ] || fail "pattern '${1:0:40}': exit $rc (want 2): $(cat "$tmp/err")"
    grep -qF -- "$2" "$tmp/err" || fail "pattern '${1:0:40}': message: $(cat "$tmp/err")"
}
refused '(.*){1,20000}([0-9]+)' "regular expression is too large" "$tmp/t.json"
refused '(a|b){1,32767}([0-9]+)' "regular expression is too large" "$tmp/t.json"
refused '(a|b){1,4000}([0-9]+)' "compiled patterns up to 65536 bytes" "$tmp/t.json"
refused "$(printf 'x%.0s' $(seq 300))" "longer than 256 bytes, the limit for step patterns" "$tmp/t.json"
refused "$(printf '(%.0s' $(seq 40))a$(printf ')%.0s' $(seq 40))" "parentheses nested deeper than 32" "$tmp/t.json"
refused '(' "missing closing parenthesis at offset 1" "$tmp/t.json"
# catastrophic backtracking on one range name: stopped by the match limit, reported, not silently unmatched
printf '{"traceEvents":[{"ph":"X","cat":"user_annotation","name":"%s!","pid":1,"tid":1,"ts":10,"dur":100},
{"ph":"X","cat":"kernel","name":"k","pid":0,"tid":7,"ts":20,"dur":5}]}' "$(printf 'a%.0s' $(seq 40))" > "$tmp/bt.json"
refused '^(a+)+$' "ran past the match limits (100000 backtracking steps" "$tmp/bt.json"
# within the limits: PCRE2 finds and numbers the steps as the POSIX matcher did
"$WANPROF" explain --step-pattern 'profiler(step)#([0-9]+)' "$tmp/t.json" > "$tmp/out" 2> "$tmp/err" \
    || fail "a valid pattern: $(cat "$tmp/err")"
grep -q '^steps: 12, from step ranges like "ProfilerStep#0"' "$tmp/out" || fail "steps: $(sed -n 2p "$tmp/out")"
[ ! -s "$tmp/err" ] || fail "a matching pattern warns: $(cat "$tmp/err")"
"$WANPROF" explain --json --step-pattern 'Step#(\d+)' "$tmp/t.json" 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)["ranks"][0]["steps"]
assert [x["step"] for x in s] == list(range(12)), [x["step"] for x in s]' || fail "\\d and the step numbers"
echo "ok"
