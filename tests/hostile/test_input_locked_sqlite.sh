#!/usr/bin/env bash
# A trace another process holds locked (a writer committing: an exclusive lock keeps readers out) is read once the
# lock is released, as write-back already waited: explain waits up to 10 s instead of failing at once with "database
# is locked", and prints the same as on the unlocked file.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*"; sed 's/^/    /' err; exit 1; }
"$WANPROF" export "$WP_FIXTURES/planted_annotated.json.gz" t.sqlite >/dev/null 2>err || fail "export"
"$WANPROF" explain t.sqlite >want 2>err || fail "explain on the unlocked file"
rm -f locked && mkfifo locked
python3 -u -c "
import sqlite3, time
d = sqlite3.connect('t.sqlite', isolation_level=None)
d.execute('BEGIN EXCLUSIVE'); print('locked'); time.sleep(1.5); d.execute('ROLLBACK')" >locked &
holder=$!
read -r _ <locked # the exclusive lock is held from here
"$WANPROF" explain t.sqlite >got 2>err || fail "explain during a 1.5 s exclusive lock: exit $?"
wait $holder
cmp -s want got || fail "output differs: $(diff want got | head -3)"
echo ok
