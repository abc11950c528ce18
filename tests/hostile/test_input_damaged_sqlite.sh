#!/usr/bin/env bash
# A damaged SQLite trace is named for what is wrong with it, in the reader's (or SQLite's) words, not called "an
# SQLite database without wanprof or nsys tables": a truncated copy says so with the sizes, one with a hot journal
# (a writer interrupted mid-transaction) says a journal must be rolled back first, and neither file is changed by
# the attempt (a read never rolls back). A real SQLite file without trace tables keeps its own message.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
pass=0 fail=0
bad() { echo "FAIL: $*"; sed 's/^/    /' err; fail=$((fail + 1)); }
fingerprint() { stat -c '%i %s %Y' "$@"; cat "$@" | sha256sum; }
"$WANPROF" export "$WP_FIXTURES/planted_annotated.json.gz" t.sqlite >/dev/null 2>err || { bad "export"; exit 1; }
size=$(stat -c %s t.sqlite)
head -c 100000 t.sqlite >cut.sqlite
# A hot journal: copies of the file and its rollback journal taken in the middle of a large transaction.
python3 - <<'PY'
import shutil, sqlite3
shutil.copy("t.sqlite", "w.sqlite")
d = sqlite3.connect("w.sqlite", isolation_level=None)
d.execute("PRAGMA journal_mode=DELETE")
d.execute("PRAGMA cache_size=1")  # spill changed pages to the file, so the journal is needed to undo them
d.execute("BEGIN")
d.execute("DELETE FROM CUPTI_ACTIVITY_KIND_KERNEL")
d.execute("DELETE FROM StringIds")
shutil.copy("w.sqlite", "hot.sqlite")
shutil.copy("w.sqlite-journal", "hot.sqlite-journal")
d.execute("ROLLBACK")
sqlite3.connect("recipes.sqlite").execute("CREATE TABLE recipes (id INTEGER, name TEXT)")
PY

# check NAME FILE PATTERN: info and explain both exit 1 with the pattern, FILE (and its journal) unchanged
check() {
    local name=$1 file=$2 pattern=$3 before
    before=$(fingerprint "$file"*)
    for cmd in info explain; do
        "$WANPROF" $cmd "$file" >/dev/null 2>err
        local rc=$?
        if [ $rc -ne 1 ]; then bad "$name, $cmd: exit $rc, expected 1"; return; fi
        if ! grep -qF -- "$pattern" err; then bad "$name, $cmd: message lacks '$pattern'"; return; fi
        if grep -q "without wanprof or nsys tables" err; then bad "$name, $cmd: the old misleading message"; return; fi
    done
    [ "$(fingerprint "$file"*)" = "$before" ] || { bad "$name: the file changed"; return; }
    pass=$((pass + 1))
}
check "truncated" cut.sqlite "cut.sqlite: truncated: its header says $size bytes, the file has 100000"
check "hot journal" hot.sqlite "hot.sqlite: reading the schema: an interrupted write left a journal that must be rolled back first"
check "not a trace" recipes.sqlite "recipes.sqlite: a SQLite database but not a trace (neither wanprof's tables nor those of an nsys export)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
