#!/usr/bin/env python3
"""schedule_reference.py: cross-checks `wanprof schedule` (and the golden generator schedule_golden.py) against the
real reference scheduler code, run with PyTorch and numpy (on the GPU machine, where they are installed).

The reference sources are not part of wanprof: bench/gpu/schedule_reference.sh expects them under .ref/pkgs
(ignored by git), fetched from their repositories:
  diffusers/schedulers/scheduling_unipc_multistep.py, scheduling_flow_match_euler_discrete.py  (huggingface/diffusers,
      verbatim; the small diffusers/configuration_utils.py and utils/ there are stand-ins that only record the
      constructor arguments on .config, as the real @register_to_config does)
  wan_ref/fm_solvers_unipc.py  (Wan-Video/Wan2.2 wan/utils/fm_solvers_unipc.py, verbatim)
  sglang_ref/scheduling_flow_unipc_multistep.py  (SGLang's __init__ and set_timesteps, transcribed)

Each sampler is built the way its pipeline builds it:
  wan              FlowUniPCMultistepScheduler(num_train_timesteps=1000, shift=1, use_dynamic_shifting=False)
                   .set_timesteps(N, device, shift=s)                         (wan/text2video.py)
  sglang           FlowUniPCMultistepScheduler(shift=s).set_timesteps(N, device)  (wan_pipeline.py + timestep stage)
  diffusers-unipc  UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=s)
                   .set_timesteps(N, device)
  diffusers-euler  FlowMatchEulerDiscreteScheduler(shift=s).set_timesteps(N, device)
and the expert rule is the pipelines' `t >= boundary * num_train_timesteps` (boundary 0.875).

Checks, for steps {8, 27, 40, 50} x shifts {1, 2, 3, 5, 8, 12} and every sampler: the timesteps (exactly; float32
values for Euler), the float32 sigmas (exactly), and the first low-noise step, between the reference, wanprof's
--json and schedule_golden.py; the same on the GPU (device="cuda") when one is present; and the edges of
`wanprof schedule --switch-at K` ranges (the reference gives K just inside each edge and not just outside it, 1e-7
relative, the resolution of --json's 9 significant digits).
Exit status 0 when everything matches, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import traceback

import numpy as np
import torch

STEPS = (8, 27, 40, 50)
SHIFTS = (1.0, 2.0, 3.0, 5.0, 8.0, 12.0)
SAMPLERS = ("wan", "sglang", "diffusers-unipc", "diffusers-euler")
BOUNDARY = 0.875
TRAIN = 1000
EDGE_EPS = 1e-7


def reference(sampler, steps, shift, device=None):
    """(timesteps as Python numbers, float32 sigmas for the steps) from the reference scheduler."""
    if sampler == "wan":
        from wan_ref.fm_solvers_unipc import FlowUniPCMultistepScheduler as Wan

        s = Wan(num_train_timesteps=TRAIN, shift=1, use_dynamic_shifting=False)
        s.set_timesteps(steps, device=device, shift=shift)
    elif sampler == "sglang":
        from sglang_ref.scheduling_flow_unipc_multistep import FlowUniPCMultistepScheduler as Sgl

        s = Sgl(shift=shift)
        s.set_timesteps(steps, device=device)
    elif sampler == "diffusers-unipc":
        from diffusers.schedulers.scheduling_unipc_multistep import UniPCMultistepScheduler

        s = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True,
                                    num_train_timesteps=TRAIN, flow_shift=shift)
        s.set_timesteps(steps, device=device)
    else:
        from diffusers.schedulers.scheduling_flow_match_euler_discrete import FlowMatchEulerDiscreteScheduler

        s = FlowMatchEulerDiscreteScheduler(num_train_timesteps=TRAIN, shift=shift)
        s.set_timesteps(steps, device=device)
    ts = s.timesteps.cpu()
    sig = s.sigmas.cpu()
    assert sig.dtype == torch.float32, sig.dtype
    assert len(ts) == steps and len(sig) == steps + 1, (len(ts), len(sig))
    return ts.tolist(), [float(x) for x in sig[:steps]], str(ts.dtype)


def first_low(timesteps):
    for i, t in enumerate(timesteps):
        if not t >= BOUNDARY * TRAIN:
            return i
    return len(timesteps)


def f32(x):
    return float(np.float32(x))


def wanprof_json(wanprof, *args):
    out = subprocess.run([wanprof, "schedule", *args, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def compare(label, ref_ts, ref_sig, got_ts, got_sig):
    """A list of difference descriptions (empty when equal): timesteps and sigmas compared as float32 values."""
    diffs = []
    for i, (a, b) in enumerate(zip(ref_ts, got_ts)):
        if f32(a) != f32(b):
            diffs.append(f"{label} timestep[{i}] ref {a!r} got {b!r}")
    for i, (a, b) in enumerate(zip(ref_sig, got_sig)):
        if f32(a) != f32(b):
            diffs.append(f"{label} sigma[{i}] ref {a!r} got {b!r}")
    if len(ref_ts) != len(got_ts):
        diffs.append(f"{label} length ref {len(ref_ts)} got {len(got_ts)}")
    return diffs


def check_case(wanprof, golden, sampler, steps, shift, cuda):
    ts, sig, dtype = reference(sampler, steps, shift)
    want_dtype = "torch.float32" if sampler == "diffusers-euler" else "torch.int64"
    diffs = [] if dtype == want_dtype else [f"reference timesteps are {dtype}, expected {want_dtype}"]
    d = wanprof_json(wanprof, "--sampler", sampler, "--steps", str(steps), "--shift", repr(shift))
    got_ts = [r["timestep"] for r in d["schedule"]]
    diffs += compare("wanprof", ts, sig, got_ts, [r["sigma"] for r in d["schedule"]])
    wl = d["first_low_noise"]["index"] if d["first_low_noise"] else steps
    if wl != first_low(ts):
        diffs.append(f"wanprof first low-noise {wl}, reference {first_low(ts)}")
    rows = golden.schedule(sampler, steps, shift)
    diffs += compare("golden", ts, sig, [r[0] for r in rows], [r[2] for r in rows])
    if cuda:
        cts, csig, _ = reference(sampler, steps, shift, device="cuda")
        diffs += compare("cuda-vs-cpu", ts, sig, cts, csig)
    return ts, first_low(ts), diffs


def check_edges(wanprof, sampler, k):
    """`--switch-at k` (1-indexed) for 27 steps: the reference agrees on both sides of each range edge."""
    d = wanprof_json(wanprof, "--sampler", sampler, "--switch-at", str(k))
    want = k - 1
    diffs, ranges = [], d["switch_at"]["ranges"]
    if not ranges:
        return [f"{sampler} --switch-at {k}: wanprof found no range"], ranges
    for r in ranges:
        # --json prints 9 significant digits, so probe 1e-7 (relative) inside and outside each printed edge; the
        # exact edges (to adjacent doubles) are checked against the C library itself in tests/unit/test_schedule.c.
        probes = []
        if not r["lo_at_limit"]:
            probes += [(r["lo"] * (1 + EDGE_EPS), True), (r["lo"] * (1 - EDGE_EPS), False)]
        if not r["hi_at_limit"]:
            probes += [(r["hi"] * (1 - EDGE_EPS), True), (r["hi"] * (1 + EDGE_EPS), False)]
        for s, inside in probes:
            fl = first_low(reference(sampler, 27, s)[0])
            if (fl == want) != inside:
                diffs.append(f"{sampler} --switch-at {k}: reference at shift {s!r} gives index {fl}, "
                             f"wanprof's range [{r['lo']!r}, {r['hi']!r}) says {'in' if inside else 'out'}")
    return diffs, ranges


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wanprof", default="wanprof")
    ap.add_argument("--ref", default=".ref/pkgs", help="folder holding the reference scheduler sources")
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.ref))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import schedule_golden as golden

    cuda = torch.cuda.is_available()
    print(f"torch {torch.__version__}, numpy {np.__version__}, cuda: "
          f"{torch.cuda.get_device_name(0) if cuda else 'none (CPU only)'}")
    print(f"boundary {BOUNDARY}: t >= {BOUNDARY * TRAIN:g} runs the high-noise expert; "
          "first_low = 0-indexed first low-noise step\n")
    cases, all_diffs, failed_once = 0, [], False
    for sampler in SAMPLERS:
        print(f"== {sampler}")
        for steps in STEPS:
            for shift in SHIFTS:
                try:
                    ts, fl, diffs = check_case(a.wanprof, golden, sampler, steps, shift, cuda)
                except Exception as e:  # one broken reference must not hide the others' results
                    if not failed_once:
                        traceback.print_exc()
                    failed_once = True
                    ts, fl, diffs = [], -1, [f"error: {type(e).__name__}: {e}"]
                cases += 1
                all_diffs += [f"{sampler} steps {steps} shift {shift:g}: {x}" for x in diffs]
                shown = " ".join(f"{t:g}" if isinstance(t, float) else str(t) for t in ts)
                print(f"steps {steps:2d} shift {shift:4g} first_low {fl:2d} {'OK  ' if not diffs else 'DIFF'} "
                      f"t = {shown}")
    print("\n== --switch-at edges (27 steps)")
    for sampler in SAMPLERS:
        for k in (10, 19):
            try:
                diffs, ranges = check_edges(a.wanprof, sampler, k)
            except Exception as e:
                diffs, ranges = [f"{sampler} --switch-at {k}: error: {type(e).__name__}: {e}"], []
            cases += 1
            all_diffs += diffs
            shown = ", ".join(f"[{r['lo']:.9g}, {r['hi']:.9g})" for r in ranges)
            print(f"{sampler:16s} --switch-at {k}: {shown} {'OK' if not diffs else 'DIFF'}")
    print()
    for x in all_diffs[:50]:
        print("DIFF", x)
    if all_diffs:
        print(f"schedule_reference: {len(all_diffs)} difference(s) over {cases} cases")
        return 1
    print(f"schedule_reference: all {cases} cases match (wanprof, golden generator, reference"
          f"{', CPU and CUDA' if cuda else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
