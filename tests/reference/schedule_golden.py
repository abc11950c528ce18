#!/usr/bin/env python3
"""schedule_golden.py: an independent re-implementation, in plain Python (no numpy), of the four Wan2.2 timestep
schedules that `wanprof schedule` computes, used to write the golden files the unit tests compare against.

It follows the reference arithmetic step by step (see schedule/schedule.h for where each sampler comes from):
  * numpy float64 linspace: y[i] = i*step + start with step = (stop-start)/(num-1), y[-1] = stop exactly;
  * torch float32 tensor arithmetic: every operation rounded to float32 (struct round trip, round-to-nearest-even);
  * int64 casts truncate toward zero.

usage: schedule_golden.py            writes tests/fixtures/schedule_golden.txt (one line per sampler/steps/shift)
       schedule_golden.py --print SAMPLER STEPS SHIFT   prints one schedule
"""
import math
import os
import struct
import sys

SAMPLERS = ("wan", "sglang", "diffusers-unipc", "diffusers-euler")
STEPS = (1, 2, 8, 27, 40, 50)
SHIFTS = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 2.96, 3.51, 17.0)


def f32(x):
    """Rounds a Python float (binary64) to the nearest binary32 value, returned as a Python float."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def linspace(start, stop, num):
    """numpy.linspace(start, stop, num) (endpoint=True) in float64, element by element as numpy computes it."""
    div = num - 1
    if div <= 0:
        return [0.0 * (stop - start) + start for _ in range(num)]
    delta = stop - start
    step = delta / div
    if step == 0:
        out = [(i / div) * delta + start for i in range(num)]
    else:
        out = [i * step + start for i in range(num)]
    out[-1] = stop
    return out


def shift64(s, sig):
    return s * sig / (1 + (s - 1) * sig)


def shift32(s, sig):
    """shift * sigmas / (1 + (shift - 1) * sigmas) on a float32 tensor with a Python-float shift (cast to float32)."""
    num = f32(f32(s) * sig)
    den = f32(1.0 + f32(f32(s - 1.0) * sig))
    return f32(num / den)


def trunc(x):
    return int(math.trunc(x))


def flow_unipc(steps, shift_init, shift_set, train):
    """Wan2.2 / SGLang FlowUniPCMultistepScheduler(shift=shift_init) then set_timesteps(steps, shift=shift_set)."""
    sig_max = f32(1.0 - 1.0 / train)  # sigmas = 1 - linspace(1, 1/T, T)[::-1], cast to float32: first = 1 - 1/T
    sig_min = 0.0
    sig_max = shift32(shift_init, sig_max)
    sig_min = shift32(shift_init, sig_min)
    sig = linspace(sig_max, sig_min, steps + 1)[:-1]
    sig = [shift64(shift_set, x) for x in sig]
    raw = [x * train for x in sig]
    return [(float(trunc(r)), r, f32(x)) for r, x in zip(raw, sig)]


def diffusers_unipc(steps, shift, train):
    sig = linspace(1.0, 1.0 / train, steps + 1)[:-1]
    sig = [shift64(shift, x) for x in sig]
    if abs(sig[0] - 1) < 1e-6:
        sig[0] -= 1e-6
    raw = [x * train for x in sig]
    return [(float(trunc(r)), r, f32(x)) for r, x in zip(raw, sig)]


def diffusers_euler(steps, shift, train):
    # __init__: timesteps = linspace(1, T, T, float32)[::-1]; sigmas = timesteps / T (float32); shifted in float32
    sig_max = shift32(shift, f32(f32(float(train)) / train))
    sig_min = shift32(shift, f32(1.0 / train))
    ts = linspace(sig_max * train, sig_min * train, steps)
    sig = [t / train for t in ts]
    sig = [shift64(shift, x) for x in sig]
    sig32 = [f32(x) for x in sig]
    return [(f32(x * train), r * train, x) for x, r in zip(sig32, sig)]


def schedule(sampler, steps, shift, train=1000):
    if sampler == "wan":
        return flow_unipc(steps, 1.0, shift, train)
    if sampler == "sglang":
        return flow_unipc(steps, shift, shift, train)
    if sampler == "diffusers-unipc":
        return diffusers_unipc(steps, shift, train)
    if sampler == "diffusers-euler":
        return diffusers_euler(steps, shift, train)
    raise ValueError(sampler)


def first_low(rows, boundary=0.875, train=1000):
    for i, (t, _, _) in enumerate(rows):
        if not t >= boundary * train:
            return i
    return len(rows)


def fmt(x):
    """An integer as such, anything else with 9 significant digits (enough to round-trip a float32)."""
    return str(int(x)) if x == int(x) else "%.9g" % x


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--print":
        rows = schedule(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        for i, (t, r, s) in enumerate(rows):
            print(f"{i:3d} {t!r:>22} {r!r:>22} {s!r:>22}")
        print("first low-noise index", first_low(rows))
        return
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "fixtures", "schedule_golden.txt")
    with open(path, "w") as f:
        f.write("# schedule_golden.txt: written by tests/reference/schedule_golden.py (do not edit by hand).\n"
                "# One schedule per line: SAMPLER STEPS SHIFT FIRST_LOW(boundary 0.875, 1000 train steps) then\n"
                "# STEPS timesteps then STEPS sigmas. Every value is a float32 (or an integer) printed with 9\n"
                "# significant digits, which reads back to the same float32: compare after rounding to float.\n")
        for sampler in SAMPLERS:
            for steps in STEPS:
                for shift in SHIFTS:
                    rows = schedule(sampler, steps, shift)
                    fields = [sampler, str(steps), repr(shift), str(first_low(rows))]
                    fields += [fmt(t) for t, _, _ in rows]
                    fields += [fmt(s) for _, _, s in rows]
                    f.write(" ".join(fields) + "\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
