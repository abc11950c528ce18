#!/usr/bin/env python3
"""alloc_by_step.py: a recording's device allocations (cudaMalloc of the caching allocator: what it reserves) by the
denoising step they fell in, the steps taken from the program's own truth file (wan_pipe.py's PREFIX.truth.json), not
from the analyzer. Shows when an offload mode reserves memory: e.g. diffusers' group offloading reserves (prefetch + 1)
blocks at the first step and as many again at the expert switch (bench/RESULTS.md, issue 15).

usage: bench/alloc_by_step.py TRACE.sqlite PREFIX.truth.json
"""
import bisect
import collections
import json
import sqlite3
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    truth = json.load(open(sys.argv[2]))
    ends = [s["end"]["realtime_ns"] for s in truth["steps"]]
    enter = truth["events"]["loop_enter"]["realtime_ns"]
    db = sqlite3.connect(sys.argv[1])
    # memKind 2: device memory; memoryOperationType 0: an allocation (nsys' enums, ENUM_CUDA_MEM_KIND and _OPER)
    rows = db.execute("SELECT start, bytes FROM CUDA_GPU_MEMORY_USAGE_EVENTS WHERE memKind = 2 AND "
                      "memoryOperationType = 0 ORDER BY start").fetchall()
    by_step = collections.defaultdict(list)
    for start, size in rows:
        i = bisect.bisect_left(ends, start)
        by_step["before the loop" if start < enter else f"step {i}" if i < len(ends) else "after"].append(size)
    print(f"switch step (truth): {truth.get('switch_step')}")
    for where, sizes in by_step.items():
        mib = collections.Counter(round(s / 2**20) for s in sizes)
        top = ", ".join(f"{n} x {m} MiB" for m, n in sorted(mib.items(), reverse=True)[:6])
        print(f"{where}: {len(sizes)} allocations, {sum(sizes) / 1e9:.3f} GB ({top})")


if __name__ == "__main__":
    main()
