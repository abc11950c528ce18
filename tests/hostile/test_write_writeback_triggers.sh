#!/usr/bin/env bash
# explain --write-back never runs code stored in the trace: a crafted trace whose trigger on WANPROF_STEPS deletes
# the kernel table (checked live on a copy: an ordinary INSERT empties it) keeps every kernel row after write-back,
# and gets its 27 steps.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*"; sed 's/^/    /' err; exit 1; }
"$WANPROF" export "$WP_FIXTURES/planted_annotated.json.gz" t.sqlite >/dev/null 2>err || fail "export"
python3 - t.sqlite <<'PY' || fail "crafting the trigger"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
CREATE TABLE IF NOT EXISTS WANPROF_STEPS (rank INTEGER NOT NULL, globalPid INTEGER, step INTEGER NOT NULL,
  start INTEGER NOT NULL, end INTEGER NOT NULL, duration INTEGER NOT NULL, source TEXT NOT NULL);
CREATE TRIGGER wipe AFTER INSERT ON WANPROF_STEPS BEGIN DELETE FROM CUPTI_ACTIVITY_KIND_KERNEL; END;
""")
db.commit()
PY
kernels() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from CUPTI_ACTIVITY_KIND_KERNEL').fetchone()[0])" "$1"; }
before=$(kernels t.sqlite)
[ "$before" -gt 0 ] || fail "no kernels to begin with"
cp t.sqlite live.sqlite
python3 -c "import sqlite3; d=sqlite3.connect('live.sqlite'); d.execute(\"insert into WANPROF_STEPS values (0,0,0,0,1,1,'x')\"); d.commit()"
[ "$(kernels live.sqlite)" -eq 0 ] || fail "the crafted trigger does not fire (test set-up)"

"$WANPROF" explain --write-back t.sqlite >out 2>err || fail "write-back exit $?"
grep -q "written to WANPROF_STEPS / WANPROF_SPIKES in t.sqlite" out || fail "write-back message"
[ "$(kernels t.sqlite)" -eq "$before" ] || fail "kernel rows: $(kernels t.sqlite), were $before: the trigger ran"
steps=$(python3 -c "import sqlite3; print(sqlite3.connect('t.sqlite').execute('select count(*) from WANPROF_STEPS').fetchone()[0])")
[ "$steps" -eq 27 ] || fail "WANPROF_STEPS has $steps rows, expected 27"
echo "ok: $before kernel rows kept, 27 steps written"
