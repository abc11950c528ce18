#!/usr/bin/env bash
# explain's manual page, usage errors (exit 2), unreadable input (exit 1, message naming the file), the schedule
# check from flags ("why is the spike at step 10 when the switch should be at step 19?"), and --write-back
# refusing a non-SQLite trace.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$WANPROF" explain --help > "$tmp/help" || fail "--help exit"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "EXIT STATUS"; do grep -q "^$s" "$tmp/help" || fail "no $s"; done
"$WANPROF" explain; [ $? -eq 2 ] || fail "no args should exit 2"
"$WANPROF" explain --bogus x 2>/dev/null; [ $? -eq 2 ] || fail "unknown option should exit 2"
"$WANPROF" explain --threshold abc x 2>/dev/null; [ $? -eq 2 ] || fail "bad number should exit 2"
"$WANPROF" explain --step-pattern '(' x 2>/dev/null; [ $? -eq 2 ] || [ $? -eq 1 ] || fail "bad regex"
echo '{"traceEvents":[]}' > "$tmp/empty.json"
"$WANPROF" explain "$tmp/empty.json" 2> "$tmp/err"; [ $? -eq 1 ] || fail "empty trace should exit 1"
grep -q "empty.json: no events" "$tmp/err" || fail "empty trace message"
"$WANPROF" explain --step-source nope x 2>/dev/null; [ $? -eq 2 ] || fail "bad --step-source should exit 2"
"$WANPROF" explain "$tmp/missing.json.gz" 2> "$tmp/err"; [ $? -eq 1 ] || fail "missing file should exit 1"
grep -q "missing.json.gz" "$tmp/err" || fail "message should name the file"
"$WANPROF" explain --sampler wan --shift 12 --steps 27 "$WP_FIXTURES/planted_annotated.json.gz" > "$tmp/s" 2>/dev/null \
  || fail "schedule run"
grep -q "schedule (flags): the switch came at step 9 (the 10th step), but sampler wan with shift 12 and 27 steps puts it at step 18 (the 19th)" "$tmp/s" \
  || fail "schedule check text: $(tail -1 "$tmp/s")"
grep -q "flow_shift 3.0 is the 480P config SGLang falls back to" "$tmp/s" || fail "known cause"
"$WANPROF" explain --json --shift 12 "$WP_FIXTURES/planted_annotated.json.gz" 2>/dev/null > "$tmp/j"
python3 -c "
import json,sys; s=json.load(open('$tmp/j'))['schedule']
assert s['predicted_switch_step']==18 and s['observed_switch_step']==9 and not s['matches'], s
lo,hi=s['shift_ranges'][0]; assert lo<3<hi, s" || fail "schedule json"
cp "$WP_FIXTURES/planted_unannotated.json.gz" "$tmp/t.json.gz"
"$WANPROF" explain --write-back "$tmp/t.json.gz" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] || fail "write-back on JSON"
grep -q "needs a SQLite trace" "$tmp/err" || fail "write-back message"
echo ok
