#!/usr/bin/env python3
"""A two-expert CFG denoising loop that switches experts the way SGLang's dit_cpu_offload does today: the outgoing
expert `.to("cpu", non_blocking=True)` (device to pinned host memory), `torch.cuda.empty_cache()`, the incoming one
`.to("cuda", non_blocking=True)` from pageable host memory (its first request). Not third-party code: it checks that
explain recognises that switch (pinned out, pageable in, asynchronous) as it does accelerate's blocking per-tensor
moves. Truth as wan_pipe.py writes it (PREFIX.truth.json: step boundaries on three clocks, the switch step), never
into the trace.

usage: sglang_switch.py --out PREFIX [--steps 27] [--switch 9] [--profiler none|torch]
"""
import argparse
import gzip
import json
import os
import shutil
import time

import torch


def clocks():
    return {"monotonic_ns": time.monotonic_ns(),
            "monotonic_raw_ns": time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW),
            "realtime_ns": time.time_ns()}


def expert(dim, layers, seed):
    torch.manual_seed(seed)
    blocks = [torch.nn.Sequential(torch.nn.Linear(dim, 4 * dim), torch.nn.GELU(), torch.nn.Linear(4 * dim, dim))
              for _ in range(layers)]
    return torch.nn.Sequential(*blocks).to(torch.bfloat16)  # in pageable host memory, as SGLang loads with .cpu()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=27)
    ap.add_argument("--switch", type=int, default=9)
    ap.add_argument("--profiler", choices=["none", "torch"], default="none")
    a = ap.parse_args()
    dim, layers = 1536, 8  # 8 x 2 x 1536 x 6144 bf16: ~300 MB per expert
    hi, lo = expert(dim, layers, 0), expert(dim, layers, 1)
    x = torch.randn(2, 4096, dim, dtype=torch.bfloat16, device="cuda")
    truth = {"schema": "wanprof-corpus-truth/1", "ok": False, "events": {}, "step_ends": [],
             "recording": {"offload": "model", "profiler": a.profiler, "steps": a.steps,
                           "switch": "SGLang dit_cpu_offload: .to(cpu, non_blocking) + empty_cache + .to(cuda, "
                                     "non_blocking) from pageable"},
             "switch_step": a.switch}
    prof = None
    if a.profiler == "torch":
        from torch.profiler import ProfilerActivity, profile
        prof = profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA])
        prof.__enter__()
    truth["events"]["call_start"] = clocks()
    active = hi.to("cuda", non_blocking=True)  # the first request's upload, inside step 0 in SGLang too
    truth["events"]["loop_enter"] = clocks()
    for i in range(a.steps):
        if i == a.switch:
            hi.to("cpu", non_blocking=True)
            torch.cuda.empty_cache()
            active = lo.to("cuda", non_blocking=True)
        cond = active(x[:1])
        uncond = active(x[1:])
        x = torch.cat([uncond + 4.0 * (cond - uncond), uncond]) * 0.999
        torch.cuda.synchronize()  # the sampler's host step, as a progress bar's .item() would
        truth["step_ends"].append(clocks())
    truth["events"]["loop_exit"] = clocks()
    truth["events"]["call_end"] = clocks()
    if prof is not None:
        prof.__exit__(None, None, None)
        prof.export_chrome_trace(a.out + ".json")
        with open(a.out + ".json", "rb") as fi, gzip.open(a.out + ".json.gz", "wb") as fo:
            shutil.copyfileobj(fi, fo)
        os.remove(a.out + ".json")
    ends = truth["step_ends"]
    truth["steps"] = [{"index": i, "start": truth["events"]["loop_enter"] if i == 0 else ends[i - 1], "end": ends[i],
                       "duration_ns": ends[i]["monotonic_ns"] - (truth["events"]["loop_enter"] if i == 0
                                                                 else ends[i - 1])["monotonic_ns"]}
                      for i in range(len(ends))]
    truth["ok"] = True
    with open(a.out + ".truth.json", "w") as f:
        json.dump(truth, f, indent=1)
    print("switch step", a.switch, "steps", len(ends), "ms", [round(s["duration_ns"] / 1e6, 1) for s in truth["steps"]])


if __name__ == "__main__":
    main()
