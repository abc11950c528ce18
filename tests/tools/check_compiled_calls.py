#!/usr/bin/env python3
"""Checks a step split found from the kernel sequence against the denoising calls a Kineto trace records itself: the
"## Call CompiledFxGraph" ranges (torch.compile's region calls, one per denoising step in xDiT's traces), each timed by the GPU work launched inside it (by correlation id). Shares no code with wanprof.
Passes when there are as many steps as calls and each call's GPU work lies inside one step, in order.
usage: check_compiled_calls.py TRACE.json.gz EXPLAIN_JSON"""
import gzip
import json
import sys

TOL_US = 100.0  # a step boundary sits between two kernels; the truth's span ends at the last kernel's end


def fail(msg):
    print("check_compiled_calls:", msg)
    sys.exit(1)


def compiled_calls(events):
    """The CPU side of each call (Kineto mirrors it on the GPU track as gpu_user_annotation)."""
    return sorted((e for e in events if e.get("ph") == "X" and e.get("cat") == "user_annotation"
                   and "Call CompiledFxGraph" in str(e.get("name"))), key=lambda e: e["ts"])


def gpu_spans(events, calls):
    launched = {}
    for e in events:
        corr = (e.get("args") or {}).get("correlation")
        if e.get("ph") == "X" and e.get("cat") in ("cuda_runtime", "cuda_driver") and corr is not None:
            launched.setdefault(corr, e["ts"])
    gpu = [e for e in events if e.get("ph") == "X" and e.get("cat") in ("kernel", "gpu_memcpy", "gpu_memset")]
    spans = []
    for c in calls:
        mine = [g for g in gpu
                if c["ts"] <= launched.get((g.get("args") or {}).get("correlation"), -1.0) <= c["ts"] + c["dur"]]
        if not mine:
            fail(f"call at {c['ts']} launched no GPU work")
        spans.append((min(g["ts"] for g in mine), max(g["ts"] + g["dur"] for g in mine)))
    return spans


def main():
    trace, explain = sys.argv[1], json.load(open(sys.argv[2]))
    events = json.load(gzip.open(trace))["traceEvents"]
    spans = gpu_spans(events, compiled_calls(events))
    rank = explain["ranks"][0]
    steps = [(s["start_ns"] / 1e3, s["end_ns"] / 1e3) for s in rank["steps"]]
    if rank["step_source"] != "kernels":
        fail(f"steps from {rank['step_source']}, not from the kernel sequence")
    if len(steps) != len(spans):
        fail(f"{len(steps)} steps, the trace records {len(spans)} compiled calls ({rank['step_source_text']})")
    for k, ((s0, s1), (c0, c1)) in enumerate(zip(steps, spans)):
        if c0 < s0 - TOL_US or c1 > s1 + TOL_US:
            fail(f"call {k} ran on the GPU over [{c0:.0f}, {c1:.0f}] us, step {k} is [{s0:.0f}, {s1:.0f}]")
    print(f"{trace}: {len(steps)} steps hold the {len(spans)} compiled calls")


main()
