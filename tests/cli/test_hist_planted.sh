#!/usr/bin/env bash
# wanprof hist: text bars, CSV, JSON (schema-checked), SVG, step ranges, per-step, errors.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}" "${WP_SOURCE_DIR:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
t=$WP_FIXTURES/planted_annotated.json.gz
"$WANPROF" hist --help | grep -q "^EXIT STATUS" || fail help
"$WANPROF" hist "$t" > "$tmp/txt" 2>/dev/null || fail "text exit"
grep -q "^HtoD pageable: 76 copies" "$tmp/txt" || fail "HtoD pageable group: $(grep pageable "$tmp/txt")"
grep -q "^DtoH pageable: 24 copies" "$tmp/txt" || fail "DtoH group"
grep -q "#" "$tmp/txt" || fail "bars"
"$WANPROF" hist --step-range 9 --svg "$tmp/h.svg" "$t" > "$tmp/s9" 2>/dev/null || fail "step 9"
grep -q "steps 9-9" "$tmp/s9" || fail "scope"
grep -q "^DtoH pageable: 24 copies, 201.4 MB" "$tmp/s9" || fail "step 9 DtoH"
grep -q "<svg" "$tmp/h.svg" && grep -q "copy duration" "$tmp/h.svg" && grep -q "copies (count)" "$tmp/h.svg" || fail svg
python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse('$tmp/h.svg')" || fail "svg is not well-formed XML"
"$WANPROF" hist --step-range 14 --json "$t" > "$tmp/j14" 2>/dev/null || fail json
python3 - "$tmp/j14" "$WP_SOURCE_DIR/schemas/hist.schema.json" <<'PY' || fail "json content"
import json, sys
h, schema = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
import jsonschema; jsonschema.validate(h, schema)
g = {x["group"]: x for x in h["groups"]}
assert g["HtoD pageable"]["over_1ms"] == 1 and g["HtoD pageable"]["bytes"] >= 512 << 20, g
PY
"$WANPROF" hist --csv "$t" 2>/dev/null | head -1 | grep -q "^scope,group,metric,bucket_lo,unit,count$" || fail csv
"$WANPROF" hist --per-step "$t" 2>/dev/null | grep -Eq "^ +9  DtoH pageable +24 " || fail per-step
"$WANPROF" hist --per-step --json "$t" 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); assert len(d['steps'])==27" \
  || fail "per-step json"
"$WANPROF" hist --step-range 40-50 "$t" 2>"$tmp/err"; [ $? -eq 1 ] || fail "missing steps should exit 1"
grep -q "no step 40-50" "$tmp/err" || fail "missing steps message"
"$WANPROF" hist --step-range x "$t" 2>/dev/null; [ $? -eq 2 ] || fail "bad --step-range should exit 2"
"$WANPROF" hist --csv --json "$t" 2>/dev/null; [ $? -eq 2 ] || fail "--csv --json"
echo ok
