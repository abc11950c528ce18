#!/usr/bin/env bash
# The commands that only read (info, explain without --write-back, report, hist, diff, export's inputs) never change
# their input: a SQLite trace, with a trigger that would delete rows if anything wrote to it, keeps its contents,
# inode, mode, link count and modification time, gets no journal beside it, and no steps written into it.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail=0
bad() { echo "FAIL: $*"; sed 's/^/    /' err; fail=$((fail + 1)); }
"$WANPROF" export "$WP_FIXTURES/planted_annotated.json.gz" t.sqlite >/dev/null 2>err || { bad "export"; exit 1; }
python3 -c "
import sqlite3; d = sqlite3.connect('t.sqlite')
d.execute('CREATE TRIGGER wipe AFTER INSERT ON StringIds BEGIN DELETE FROM CUPTI_ACTIVITY_KIND_KERNEL; END')
d.commit()"
touch -d '2020-01-01 00:00:00' t.sqlite
fingerprint() { stat -c '%i %a %h %s %Y' t.sqlite; sha256sum <t.sqlite; ls -A | grep -c 't.sqlite-'; }
before=$(fingerprint)
run() { "$WANPROF" "$@" >/dev/null 2>err || bad "$*: exit $?"; [ "$(fingerprint)" = "$before" ] || bad "$*: t.sqlite changed"; }
run info t.sqlite
run info --json t.sqlite
run explain t.sqlite
run explain --json t.sqlite
run report t.sqlite -o r.html
run hist t.sqlite
run hist --svg h.svg t.sqlite
run diff t.sqlite t.sqlite
run export t.sqlite copy.json.gz
steps=$(python3 -c "import sqlite3; print(sqlite3.connect('t.sqlite').execute('select count(*) from WANPROF_STEPS').fetchone()[0])")
[ "$steps" -eq 0 ] || bad "read-only commands wrote $steps steps into the trace"
echo "$fail failed"
[ "$fail" -eq 0 ]
