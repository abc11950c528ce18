#!/usr/bin/env bash
# explain --write-back: a planted trace exported to SQLite gets WANPROF_STEPS / WANPROF_SPIKES rows and the views
# WANPROF_STEP_TIMES / WANPROF_SPIKE_CAUSES; the analysis of the SQLite copy equals that of the JSON original.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
src=$WP_FIXTURES/planted_annotated.json.gz
"$WANPROF" export "$src" "$tmp/t.sqlite" >/dev/null 2>"$tmp/err" || fail "export to SQLite: $(cat "$tmp/err")"
"$WANPROF" explain "$src" 2>/dev/null | tail -n +2 > "$tmp/a"
"$WANPROF" explain --write-back "$tmp/t.sqlite" 2>/dev/null > "$tmp/b" || fail "write-back exit"
grep -q "written to WANPROF_STEPS / WANPROF_SPIKES" "$tmp/b" || fail "write-back message"
grep -v "written to WANPROF" "$tmp/b" | tail -n +2 | sed '$d' > "$tmp/b2"
diff "$tmp/a" "$tmp/b2" >/dev/null || fail "SQLite copy analyses differently: $(diff "$tmp/a" "$tmp/b2" | head -5)"
python3 - "$tmp/t.sqlite" <<'PY' || fail "tables"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("select count(*) from WANPROF_STEPS").fetchone()[0] == 27
top = db.execute("select step, cause from WANPROF_SPIKES s where cause != 'unexplained' and step > 0 and seconds = "
                 "(select max(seconds) from WANPROF_SPIKES t where t.rank = s.rank and t.step = s.step)").fetchall()
assert dict(top) == {5: "recompilation", 9: "expert_switch", 14: "memcpy_stall", 20: "allocator"}, top
assert db.execute("select count(*) from WANPROF_STEP_TIMES where spike").fetchone()[0] == 5
PY
"$WANPROF" explain --write-back "$tmp/t.sqlite" >/dev/null 2>&1 || fail "second write-back"
python3 -c "
import sqlite3; db=sqlite3.connect('$tmp/t.sqlite')
assert db.execute('select count(*) from WANPROF_STEPS').fetchone()[0]==27, 'rows must be replaced, not added'" || fail "idempotent"
echo ok
