#!/usr/bin/env python3
"""torch_compare.py: one PyTorch program (torch.compile, a module moved between host and GPU with .to(), a pageable and
a pinned copy), profiled by torch.profiler or by `wanprof run` (never both at once: one CUPTI user per process), and
the comparison of the two traces.

  torch_compare.py workload plain|torchprof|nvtx OUTDIR
      runs the program; the profiled region is the same in every mode: torchprof wraps it in torch.profiler (trace
      exported to OUTDIR/kineto.json.gz), nvtx marks it with the NVTX range "workload" (for
      `wanprof run --capture-range=nvtx:workload`). Prints "steady_s=<seconds of the timed steady-state steps>".
  torch_compare.py compare KINETO.json.gz WANPROF.sqlite [WANPROF.json.gz]
      kernel count, memcpy count and bytes per direction and memory kinds from both; exit 1 when they differ.
"""
import gzip
import json
import os
import sqlite3
import sys
import time
from collections import Counter

STEPS_WARM = 5      # first calls: compile, then the cached graph
STEPS_TIMED = 2000  # steady state: timed for the overhead comparison
SWAP_AT = 3         # step at which the expert module goes to the GPU and back


def workload(mode, outdir):
    import torch
    import torch.nn as nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1024, 4096), nn.GELU(), nn.Linear(4096, 1024), nn.LayerNorm(1024)).cuda()
    compiled = torch.compile(model)
    expert = nn.Linear(2048, 2048)  # lives on the host; moved to the GPU and back once (an expert-style swap)
    x = torch.randn(64, 1024, device="cuda")
    host_pageable = torch.randn(1 << 22)                 # 16 MiB, pageable
    host_pinned = torch.randn(1 << 20).pin_memory()      # 4 MiB, pinned
    torch.cuda.synchronize()

    def region():
        for step in range(STEPS_WARM):
            y = compiled(x)
            if step == SWAP_AT:
                e = expert.to("cuda")
                z = e(torch.ones(8, 2048, device="cuda"))
                e.to("cpu")
                dev = host_pageable.to("cuda")                      # pageable HtoD
                dev2 = host_pinned.to("cuda", non_blocking=True)    # pinned HtoD
                back = (dev[: 1 << 20] + dev2).cpu()                # pageable DtoH
                del z, back
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(STEPS_TIMED):
            y = compiled(x)
        torch.cuda.synchronize()
        return time.perf_counter() - t0, y

    if mode == "torchprof":
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            steady, _ = region()
        prof.export_chrome_trace(os.path.join(outdir, "kineto.json.gz"))
    elif mode == "nvtx":
        torch.cuda.nvtx.range_push("workload")
        steady, _ = region()
        torch.cuda.nvtx.range_pop()
    else:
        steady, _ = region()
    print(f"steady_s={steady:.6f}")


def direction(name):
    for d in ("HtoD", "DtoH", "DtoD", "PtoP", "HtoH"):
        if d in name:
            return d
    return "other"


def kineto_counts(path):
    with gzip.open(path, "rt") if path.endswith(".gz") else open(path) as f:
        events = json.load(f)["traceEvents"]
    kernels, copies, nbytes, memsets, other = 0, Counter(), Counter(), 0, Counter()
    for e in events:
        cat = e.get("cat")
        if cat == "kernel":
            kernels += 1
        elif cat == "gpu_memcpy":
            key = e["name"].replace("Memcpy ", "")
            copies[key] += 1
            nbytes[key] += int(e.get("args", {}).get("bytes", 0))
        elif cat == "gpu_memset":
            memsets += 1
        if e.get("ph") == "X":
            other["events"] += 1
    return {"kernels": kernels, "copies": copies, "bytes": nbytes, "memsets": memsets, "events": other["events"],
            "trace_events": len(events)}


KIND = {0: "Pageable", 1: "Pinned", 2: "Device", 3: "Array", 4: "Managed", 5: "Device Static",
        6: "Managed Static", 7: "Unknown"}
OPER = {1: "HtoD", 2: "DtoH", 8: "DtoD", 10: "PtoP", 9: "HtoH"}


def wanprof_counts(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    kernels = db.execute("select count(*) from CUPTI_ACTIVITY_KIND_KERNEL").fetchone()[0] \
        if "CUPTI_ACTIVITY_KIND_KERNEL" in tables else 0
    copies, nbytes = Counter(), Counter()
    if "CUPTI_ACTIVITY_KIND_MEMCPY" in tables:
        for kind, src, dst, n, b in db.execute(
                "select copyKind, srcKind, dstKind, count(*), sum(bytes) from CUPTI_ACTIVITY_KIND_MEMCPY "
                "group by copyKind, srcKind, dstKind"):
            key = f"{OPER.get(kind, kind)} ({KIND.get(src, src)} -> {KIND.get(dst, dst)})"
            copies[key] += n
            nbytes[key] += b
    memsets = db.execute("select count(*) from CUPTI_ACTIVITY_KIND_MEMSET").fetchone()[0] \
        if "CUPTI_ACTIVITY_KIND_MEMSET" in tables else 0
    events = 0
    for t in tables:
        if t.startswith("CUPTI_ACTIVITY_KIND_") or t in ("NVTX_EVENTS", "CUDA_GPU_MEMORY_USAGE_EVENTS"):
            events += db.execute(f"select count(*) from {t}").fetchone()[0]
    return {"kernels": kernels, "copies": copies, "bytes": nbytes, "memsets": memsets, "events": events}


def compare(kineto, wp_sqlite, wp_json=None):
    k, w = kineto_counts(kineto), wanprof_counts(wp_sqlite)
    ok = True
    print(f"{'':40s} {'torch.profiler':>16s} {'wanprof':>16s}")
    print(f"{'kernels':40s} {k['kernels']:16d} {w['kernels']:16d}")
    ok &= k["kernels"] == w["kernels"]
    print(f"{'memsets':40s} {k['memsets']:16d} {w['memsets']:16d}")
    for key in sorted(set(k["copies"]) | set(w["copies"])):
        print(f"{'memcpy ' + key + ' count':40s} {k['copies'][key]:16d} {w['copies'][key]:16d}")
        print(f"{'memcpy ' + key + ' bytes':40s} {k['bytes'][key]:16d} {w['bytes'][key]:16d}")
        ok &= k["copies"][key] == w["copies"][key] and k["bytes"][key] == w["bytes"][key]
    for d in ("HtoD", "DtoH", "DtoD"):
        kb = sum(v for key, v in k["bytes"].items() if key.startswith(d))
        wb = sum(v for key, v in w["bytes"].items() if key.startswith(d))
        print(f"{'bytes ' + d + ' (all kinds)':40s} {kb:16d} {wb:16d}")
    size_k = os.path.getsize(kineto)
    print(f"trace size: torch.profiler .json.gz {size_k} B, {k['trace_events']} events, "
          f"{size_k / max(k['trace_events'], 1):.1f} B/event")
    for path in filter(None, (wp_sqlite, wp_json)):
        size = os.path.getsize(path)
        print(f"trace size: wanprof {os.path.basename(path)} {size} B, {w['events']} events, "
              f"{size / max(w['events'], 1):.1f} B/event")
    print("kernels and copies agree exactly" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "workload":
        workload(sys.argv[2], sys.argv[3])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "compare":
        sys.exit(compare(*sys.argv[2:]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
