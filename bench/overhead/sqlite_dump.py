#!/usr/bin/env python3
"""sqlite_dump.py: a quick look into a wanprof SQLite (per-process or merged) without wanprof: rows per table and the
first rows of the tables named. usage: sqlite_dump.py FILE [TABLE ...] (default: the event tables)"""
import sqlite3
import sys

db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
tables = [r[0] for r in db.execute("select name from sqlite_master where type='table' order by name")]
for t in tables:
    print(f"{t}: {db.execute(f'select count(*) from {t}').fetchone()[0]} rows")
show = sys.argv[2:] or [t for t in tables if t.startswith(("CUPTI_", "NVTX", "WANPROF_META", "WANPROF_DROPPED"))]
for t in show:
    if t not in tables:
        continue
    cur = db.execute(f"select * from {t} limit 12")
    print(f"== {t}: " + ", ".join(d[0] for d in cur.description))
    for row in cur:
        print("   ", row)
