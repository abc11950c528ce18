#!/usr/bin/env bash
# Issue 14's defect list: compiled-region ids beyond the 256th were never remembered, so a model calling 300 compiled
# regions per step had 44 "new" regions in every step (a recompilation that never happened). Now every id is kept.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 "$WP_SOURCE_DIR/tests/hostile/time_trace.py" "$tmp/t.json" --steps 10 --regions 300 || fail "generator"
limited "$WANPROF" explain --json "$tmp/t.json" > "$tmp/x.json" 2> "$tmp/err" || fail "explain: $(cat "$tmp/err")"
python3 - "$tmp/x.json" <<'PY' || fail "new compiled regions per step"
import json, sys
s = json.load(open(sys.argv[1]))["ranks"][0]["steps"]
assert [x["new_compiled_regions"] for x in s] == [300] + [0] * 9, [x["new_compiled_regions"] for x in s]
PY
echo "ok"
