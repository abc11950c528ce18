#!/usr/bin/env python3
"""make_planted_traces.py: Kineto traces with planted slow steps, the fixtures for `wanprof explain`.

A 27-step "denoising loop" of a small two-expert model (12 Linear layers of 2048 x 2048, fp32, ~200 MB per expert),
two forwards per step (CFG), one torch.compile'd scheduler update per step, a torch.cuda.synchronize() at the end of
each step. Planted on purpose, at known steps:

  step 0   warm-up: the first call of the compiled scheduler update compiles it (and the allocator is cold)
  step 5   recompilation: the scheduler update is called with a float64 sigma: a guard fails, dynamo recompiles
  step 9   expert_switch: the high-noise expert goes to the host with .to("cpu"), the low-noise one comes up with
           .to("cuda") (pageable host memory, one synchronous copy per tensor), like SGLang's dit_cpu_offload
  step 14  memcpy_stall: a 512 MiB pageable host tensor is uploaded with .to("cuda")
  step 20  allocator: torch.cuda.empty_cache() and the re-allocation of 128 x 32 MiB scratch buffers

Writes, into --out:
  planted_annotated.json.gz      steps marked with record_function("denoising step N")
  planted_unannotated.json.gz    no step marks (steps must be found from the one compiled-region call per step)
  planted_annotated.json, planted_unannotated.json   sidecars: the planted steps and causes, measured step times

Run on a GPU machine: python3 make_planted_traces.py --out DIR
"""
import argparse
import gzip
import json
import os
import shutil
import sys
import time

import torch

STEPS = 27
WARMUP_STEP = 0
PLANTED = {5: "recompilation", 9: "expert_switch", 14: "memcpy_stall", 20: "allocator"}
LAYERS, WIDTH, TOKENS = 12, 2048, 4096
SCRATCH_BUFFERS, SCRATCH_MIB = 128, 32
UPLOAD_MIB = 512
# What a runner would record; the schedule check compares it with the observed switch (shift 12 predicts step 18).
CONFIG = {"sampler": "wan", "shift": 12.0, "steps": STEPS, "boundary": 0.875}


class Expert(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(WIDTH, WIDTH) for _ in range(LAYERS))

    def forward(self, x):  # x: (TOKENS, WIDTH)
        for layer in self.layers:
            x = torch.relu(layer(x))
        return x


def sched_update(x, eps, sigma):
    return (x - sigma * eps * 1e-3).to(x.dtype)


class Loop:
    def __init__(self, dev):
        self.dev = dev
        torch.manual_seed(0)
        self.high = Expert().to(dev)
        self.low = Expert()  # pageable host memory until the switch
        self.upload = torch.randn(UPLOAD_MIB * 2**20 // 4)  # pageable
        self.latent = torch.randn(TOKENS, WIDTH, device=dev)
        self.cond = torch.randn(TOKENS, WIDTH, device=dev)

    def reset(self):
        """Puts the experts back where a run starts and warms the caching allocator (outside the profiler)."""
        self.high.to(self.dev)
        self.low.to("cpu")
        self.active = self.high
        torch._dynamo.reset()
        self.update = torch.compile(sched_update)
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        scratch = self.scratch()
        up = self.upload.to(self.dev)
        with torch.no_grad():
            self.forward()
        del scratch, up
        torch.cuda.synchronize()

    def scratch(self):
        return [torch.empty(SCRATCH_MIB * 2**20 // 4, device=self.dev) for _ in range(SCRATCH_BUFFERS)]

    def forward(self):
        u = self.active(self.latent)
        c = self.active(self.latent + self.cond)
        return u + 4.0 * (c - u)

    def step(self, i):
        if i == 9:  # expert switch, SGLang dit_cpu_offload style
            self.high.to("cpu")
            self.low.to(self.dev)
            self.active = self.low
        if i == 20:  # allocator flush
            torch.cuda.empty_cache()
        scratch = self.scratch()
        extra = None
        if i == 14:  # a large pageable upload on the critical path
            extra = self.upload.to(self.dev)
        with torch.no_grad():
            eps = self.forward()
            if extra is not None:
                eps[0, :1024] += extra[:1024]
            sigma = torch.tensor(1.0 - i / STEPS, device=self.dev,
                                 dtype=torch.float64 if i == 5 else torch.float32)
            self.latent = self.update(self.latent, eps, sigma)
        del scratch, extra
        torch.cuda.synchronize()


def run(loop, annotated, path):
    loop.reset()
    acts = [torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]
    times = []
    with torch.profiler.profile(activities=acts, record_shapes=False, with_stack=False,
                                profile_memory=False) as prof:
        for i in range(STEPS):
            t0 = time.perf_counter()
            if annotated:
                with torch.profiler.record_function(f"denoising step {i}"):
                    loop.step(i)
            else:
                loop.step(i)
            times.append(time.perf_counter() - t0)
        try:
            prof.add_metadata_json("config", json.dumps(CONFIG))
        except Exception as e:  # older torch: no metadata, the schedule check then needs flags
            print("add_metadata_json:", e, file=sys.stderr)
    raw = path[:-3]
    prof.export_chrome_trace(raw)
    with open(raw, "rb") as f, gzip.open(path, "wb", compresslevel=9) as g:
        shutil.copyfileobj(f, g)
    os.remove(raw)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if not torch.cuda.is_available():
        print("no CUDA device", file=sys.stderr)
        return 77
    torch.backends.cuda.matmul.allow_tf32 = False
    loop = Loop(torch.device("cuda", 0))
    for annotated in (True, False):
        name = "planted_annotated" if annotated else "planted_unannotated"
        trace = os.path.join(args.out, name + ".json.gz")
        times = run(loop, annotated, trace)
        sidecar = {
            "trace": name + ".json.gz",
            "steps": STEPS,
            "step_marks": "denoising step N (record_function)" if annotated else None,
            "warmup_step": WARMUP_STEP,
            "planted": [{"step": s, "cause": c} for s, c in sorted(PLANTED.items())],
            "config": CONFIG,
            "host_step_seconds": [round(t, 6) for t in times],
            "torch": torch.__version__,
            "device": torch.cuda.get_device_name(0),
            "model": {"experts": 2, "layers": LAYERS, "width": WIDTH, "tokens": TOKENS, "dtype": "float32",
                      "bytes_per_expert": sum(p.numel() * 4 for p in loop.high.parameters())},
        }
        with open(os.path.join(args.out, name + ".json"), "w") as f:
            json.dump(sidecar, f, indent=1)
        print(name, os.path.getsize(trace), "bytes;", "step ms:",
              " ".join(f"{t * 1e3:.1f}" for t in times), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
