#!/usr/bin/env python3
"""launch_join.py TRACE.sqlite: how many kernels have their launch call in the trace, joined on the correlation id
within a process as nsys users query it (CUPTI_ACTIVITY_KIND_KERNEL to CUPTI_ACTIVITY_KIND_RUNTIME, which holds
runtime and driver calls), and which calls launched them. Exits 1 when a kernel has none."""
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
rows = db.execute(
    "SELECT s.value, COUNT(*) FROM CUPTI_ACTIVITY_KIND_KERNEL AS k "
    "LEFT JOIN CUPTI_ACTIVITY_KIND_RUNTIME AS r ON r.correlationId = k.correlationId "
    " AND r.globalTid / 16777216 = k.globalPid / 16777216 "
    "LEFT JOIN StringIds AS s ON s.id = r.nameId GROUP BY s.value ORDER BY 2 DESC").fetchall()
total = sum(n for _, n in rows)
missing = sum(n for name, n in rows if name is None)
print(f"{sys.argv[1]}: {total} kernels, {total - missing} with their launch call, {missing} without")
for name, n in rows:
    print(f"  {n:7d}  {name or '(no launch call in the trace)'}")
sys.exit(1 if missing or not total else 0)
