#!/usr/bin/env bash
# wanprof diff: the side-by-side table, step alignment, JSON (schema-checked), usage errors.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}" "${WP_SOURCE_DIR:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
a=$WP_FIXTURES/planted_annotated.json.gz b=$WP_FIXTURES/planted_unannotated.json.gz
"$WANPROF" diff --help | grep -q "^SYNOPSIS" || fail help
"$WANPROF" diff "$a" b 2>/dev/null; [ $? -eq 1 ] || fail "missing B should exit 1"
"$WANPROF" diff "$a" 2>/dev/null; [ $? -eq 2 ] || fail "one trace should exit 2"
"$WANPROF" diff "$a" "$b" > "$tmp/t" 2>/dev/null || fail "diff exit"
grep -Eq "^expert switch step +9 \(the 10th\) +9 \(the 10th\)" "$tmp/t" || fail "switch row"
grep -Eq "^ +9 .*expert_switch +expert_switch" "$tmp/t" || fail "step 9 row"
grep -Eq "^ +14 .*memcpy_stall +memcpy_stall" "$tmp/t" || fail "step 14 row"
grep -q "^trace size" "$tmp/t" && grep -q "^mean of normal steps" "$tmp/t" && grep -q "^exposed copy per normal step" "$tmp/t" \
  || fail rows
"$WANPROF" diff --json "$a" "$b" > "$tmp/j" 2>/dev/null || fail json
python3 - "$tmp/j" "$WP_SOURCE_DIR/schemas/diff.schema.json" <<'PY' || fail "json content"
import json, sys
d, schema = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
import jsonschema; jsonschema.validate(d, schema)
assert d["a"]["switch_step"] == 9 and d["b"]["switch_step"] == 9 and len(d["steps"]) == 27
assert d["steps"][20]["a_note"] == "allocator" and d["a"]["spikes"] == 4
PY
echo ok
