#!/usr/bin/env bash
# explain --write-back waits for another process's lock on the trace (a busy timeout) instead of failing at once:
# with a writer holding the file for 1 s it succeeds once the lock is released; with a lock held past the timeout
# (10 s) it fails with exit 1, SQLite's "database is locked" and the wait it made, and the file keeps its contents.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*"; sed 's/^/    /' err; exit 1; }
"$WANPROF" export "$WP_FIXTURES/planted_annotated.json.gz" t.sqlite >/dev/null 2>err || fail "export"
# hold SECONDS: takes the write lock (readers may still read), says so on stdout, keeps it SECONDS, releases it
hold() {
    python3 -u -c "
import sqlite3, sys, time
d = sqlite3.connect('t.sqlite', isolation_level=None)
d.execute('BEGIN IMMEDIATE'); print('locked'); time.sleep(float(sys.argv[1])); d.execute('ROLLBACK')" "$1"
}
rm -f locked && mkfifo locked
hold 1 >locked &
holder=$!
read -r _ <locked # the lock is held from here
"$WANPROF" explain --write-back t.sqlite >out 2>err || fail "waiting for a 1 s lock: exit $?"
wait $holder
grep -q "written to WANPROF_STEPS" out || fail "no write-back message"

sum=$(sha256sum <t.sqlite)
hold 12 >locked &
holder=$!
read -r _ <locked
"$WANPROF" explain --write-back t.sqlite >out 2>err
rc=$?
wait $holder
[ $rc -eq 1 ] || fail "a lock held past the timeout: exit $rc, expected 1"
grep -q "t.sqlite: cannot write steps back: database is locked (another process kept it locked for 10 s)" err ||
    fail "message"
[ "$(sha256sum <t.sqlite)" = "$sum" ] || fail "the file changed"
echo ok
