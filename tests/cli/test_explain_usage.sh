#!/usr/bin/env bash
# explain's manual page, usage errors (exit 2), unreadable input (exit 1, message naming the file), the schedule
# check from flags ("why is the spike at step 10 when the switch should be at step 19?"), and --write-back
# refusing a non-SQLite trace.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}" "${WP_SOURCE_DIR:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$WANPROF" explain --help > "$tmp/help" || fail "--help exit"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "EXIT STATUS"; do grep -q "^$s" "$tmp/help" || fail "no $s"; done
"$WANPROF" explain; [ $? -eq 2 ] || fail "no args should exit 2"
"$WANPROF" explain --bogus x 2>/dev/null; [ $? -eq 2 ] || fail "unknown option should exit 2"
"$WANPROF" explain --threshold abc x 2>/dev/null; [ $? -eq 2 ] || fail "bad number should exit 2"
"$WANPROF" explain --step-pattern '(' x 2>/dev/null; [ $? -eq 2 ] || fail "a bad step pattern should exit 2"
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
# a step source the trace lacks is a usage error, not a silent fallback; one trace given twice is refused
"$WANPROF" explain --step-source runner "$WP_FIXTURES/planted_unannotated.json.gz" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--step-source the trace lacks should exit 2"
grep -q "no runner NVTX step ranges" "$tmp/err" || fail "--step-source message: $(cat "$tmp/err")"
"$WANPROF" explain "$WP_FIXTURES/kineto_sample.json.gz" "$WP_FIXTURES/../fixtures/kineto_sample.json.gz" \
  >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "the same file twice should exit 2"
grep -q "are the same file" "$tmp/err" || fail "same-file message: $(cat "$tmp/err")"
# the causes --help lists are the ones the JSON schema allows
"$WANPROF" explain --help | sed -n '/claims more than its own evidence measured:/,/^$/p' \
  | awk '/^      [a-z_]+ / {print $1}' | sort > "$tmp/help_causes"
python3 -c "
import json; s=json.load(open('$WP_SOURCE_DIR/schemas/explain.schema.json'))
print('\n'.join(sorted(s['\$defs']['spike']['properties']['causes']['items']['properties']['cause']['enum'])))" \
  > "$tmp/schema_causes" || fail "schema causes"
diff "$tmp/help_causes" "$tmp/schema_causes" >/dev/null || fail "causes in --help and the schema differ: $(diff "$tmp/help_causes" "$tmp/schema_causes")"
[ "$(wc -l < "$tmp/help_causes")" -ge 8 ] || fail "causes in --help: $(cat "$tmp/help_causes")"
cp "$WP_FIXTURES/planted_unannotated.json.gz" "$tmp/t.json.gz"
"$WANPROF" explain --write-back "$tmp/t.json.gz" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] || fail "write-back on JSON"
grep -q "needs a SQLite trace" "$tmp/err" || fail "write-back message"
echo ok
