#!/usr/bin/env python3
"""whatif_validate.py: `wanprof whatif` from every recording of a set, against what every other recording measured.

The measured figures come from the programs themselves, never from the analyzer: wanprof-runner's stdout (its
per-step seconds, synchronised; its expert switch; the loop's device memory from cudaMemGetInfo) or wan_pipe.py's
truth file (diffusers: per-step durations, the switch step and the caching allocator's peak reserved memory in the
loop; truth files written before that have no memory figure).

usage: bench/whatif_validate.py WANPROF DIR [DIR...]   (DIR: an unpacked whatif-SET or corpus folder)
       WHATIF_ARGS="...": more whatif options, e.g. "--machine FILE --copies run" for traces that carry no machine
       file (recorded before `wanprof calibrate` ran) or "--model-config FILE" for traces without runner metadata
Prints one markdown table per source recording and a summary of the errors (predicted median vs measured).
"""
import json
import os
import re
import statistics
import subprocess
import sys

RUNNER_MODES = {  # recording name -> whatif's mode name
    "none": "none",
    "model_pageable": "model, pageable",
    "model_pinned": "model, pinned",
}
for mem in ("pinned", "pageable"):
    for p in (1, 2, 4):
        RUNNER_MODES[f"layer_{mem}_p{p}"] = f"layerwise p{p}, {mem}"
        RUNNER_MODES[f"layer_{mem}_p{p}_sync"] = f"layerwise p{p}, {mem}, per-layer sync"
# diffusers' modes as whatif names them: accelerate's model offload moves whole experts from pageable memory; group
# offloading with a stream prefetches the next block from pinned memory
DIFFUSERS_MODES = {"model": "model, pageable (.to: new host memory)", "group": "group (diffusers): blocks p1 pinned, the rest round-trips",
                   "none": "none"}


def runner_measured(stdout_path):
    steps, switch, memory = [], None, None
    for line in open(stdout_path):
        m = re.match(r"\s+step\s+(\d+)\s+t=\S+\s+\S+\s+([\d.]+) s", line)
        if m:
            steps.append(float(m.group(2)))
        m = re.match(r"expert switch: step (\d+)", line)
        if m:
            switch = int(m.group(1))
        m = re.match(r"device memory in the loop: (\d+) bytes", line)
        if m:
            memory = int(m.group(1))
    return summarise(steps, switch, memory)


def diffusers_measured(truth_path):
    t = json.load(open(truth_path))
    steps = [s["duration_ns"] / 1e9 for s in t["steps"]]
    # reserved, not allocated: whatif's peak is what the allocator cudaMalloc'd, from the loop's first step to its last
    memory = (t.get("memory") or {}).get("max_reserved_bytes")
    return summarise(steps, t.get("switch_step"), memory)


def summarise(steps, switch, memory):
    ordinary = [s for i, s in enumerate(steps) if i > 0 and i != switch]
    return {"step": statistics.median(ordinary), "switch": steps[switch] if switch is not None else None,
            "total": sum(steps), "memory": memory, "steps": steps}


def runner_mode(name):
    """whatif's mode name of a runner recording, or None; NAME_r2, NAME_r3... are NAME again (WHATIF_REPEAT)."""
    return RUNNER_MODES.get(re.sub(r"_r\d+$", "", name))


def recordings(d):
    """(name, trace, mode name, measured) of every recording in d."""
    out = []
    for f in sorted(os.listdir(d)):
        if not f.endswith(".sqlite"):
            continue
        name = f[:-7]
        trace = os.path.join(d, f)
        if os.path.exists(os.path.join(d, name + ".stdout")) and runner_mode(name):
            out.append((name, trace, runner_mode(name), runner_measured(os.path.join(d, name + ".stdout"))))
        elif os.path.exists(os.path.join(d, name + ".truth.json")):
            kind = name.split("_")[1]
            if kind in DIFFUSERS_MODES:
                out.append((name, trace, DIFFUSERS_MODES[kind],
                            diffusers_measured(os.path.join(d, name + ".truth.json"))))
    return out


def err(pred, meas):
    return None if meas in (None, 0) or pred is None else (pred - meas) / meas


def fmt_err(e):
    return "-" if e is None else f"{100 * e:+.1f}%"


def main():
    wanprof, dirs = sys.argv[1], sys.argv[2:]
    worst = {"step": [], "switch": [], "memory": []}
    pairs = []
    for d in dirs:
        recs = recordings(d)
        if not recs:
            continue
        print(f"\n## {d}\n")
        repeats(recs)
        for name, trace, mode, _ in recs:
            args = os.environ.get("WHATIF_ARGS", "").split()
            w = json.loads(subprocess.run([wanprof, "whatif", "--json", *args, trace], check=True,
                                          capture_output=True, text=True).stdout)
            preds = {m["name"]: m for m in w["modes"]}
            print(f"### from {name} (recorded: {mode})\n")
            print("| measured run | step s pred (range) | meas | err | switch s pred (range) | meas | err "
                  "| peak GB pred | meas | err |")
            print("|---|---|---|---|---|---|---|---|---|---|")
            for other, _, omode, meas in recs:
                p = preds.get(omode)
                if not p:
                    continue
                es = err(p["step_s"]["median"], meas["step"])
                ew = err(p["switch_step_s"]["median"], meas["switch"])
                em = err(p["peak_bytes"], meas["memory"]) if p["peak_bytes"] is not None else None
                if other != name:
                    pairs.append((name, other, es, ew, em))
                    worst["step"].append((abs(es), name, other))
                    if ew is not None:
                        worst["switch"].append((abs(ew), name, other))
                    if em is not None:
                        worst["memory"].append((abs(em), name, other))
                sw = p["switch_step_s"]
                meas_sw = "-" if meas["switch"] is None else f"{meas['switch']:.3f}"
                pred_mem = "-" if p["peak_bytes"] is None else f"{p['peak_bytes'] / 1e9:.2f}"
                meas_mem = "-" if meas["memory"] is None else f"{meas['memory'] / 1e9:.2f}"
                itself = " (itself)" if other == name else ""
                print(f"| {other}{itself} "
                      f"| {p['step_s']['median']:.3f} ({p['step_s']['min']:.3f}..{p['step_s']['max']:.3f}) "
                      f"| {meas['step']:.3f} | {fmt_err(es)} "
                      f"| {sw['median']:.3f} ({sw['min']:.3f}..{sw['max']:.3f}) | {meas_sw} | {fmt_err(ew)} "
                      f"| {pred_mem} | {meas_mem} | {fmt_err(em)} |")
            print()
    print("\n## Summary: |predicted median - measured| / measured, over every (source, other run) pair\n")
    for key, limit in (("step", 0.10), ("switch", 0.15), ("memory", 0.05)):
        v = sorted(worst[key], reverse=True)
        if not v:
            continue
        within = sum(1 for e in v if e[0] <= limit)
        print(f"- {key}: {within}/{len(v)} within {100 * limit:.0f}%; worst {100 * v[0][0]:.1f}% "
              f"({v[0][1]} -> {v[0][2]}); median {100 * statistics.median(e[0] for e in v):.1f}%")
    breakdown(pairs)


def repeats(recs):
    """The same mode recorded more than once: how far its measurement moves with nothing changed, the floor under
    any prediction's error."""
    by_mode = {}
    for name, _, mode, meas in recs:
        by_mode.setdefault(mode, []).append((name, meas))
    repeated = {mode: runs for mode, runs in by_mode.items() if len(runs) > 1}
    for mode, runs in repeated.items():
        steps = [m["step"] for _, m in runs]
        print(f"- {mode}, recorded {len(runs)} times: ordinary step "
              + ", ".join(f"{m['step']:.3f}" for _, m in runs)
              + f" s; the slowest {100 * (max(steps) / min(steps) - 1):.1f}% above the fastest")
    if repeated:
        print()


def breakdown(pairs):
    """The runner's pairs by what they predict: pageable layerwise runs (whose own steps vary by +-15% on the H200
    host), the rest, and among the rest those from a run that streams blocks to one that streams nothing (where the
    clocks differ most)."""
    streams = lambda n: n.startswith("layer_")
    groups = {"all": [], "pageable layerwise targets": [], "targets other than pageable layerwise": [],
              "... from a streaming run to one that streams nothing": []}
    for pair in pairs:
        src, other = pair[:2]
        if not runner_mode(other):
            return
        groups["all"].append(pair)
        if other.startswith("layer_pageable"):
            groups["pageable layerwise targets"].append(pair)
        else:
            groups["targets other than pageable layerwise"].append(pair)
            if streams(src) and not streams(other):
                groups["... from a streaming run to one that streams nothing"].append(pair)
    print("\n| pairs | ordinary step within 10% | switch step within 15% | memory within 5% | worst step |")
    print("|---|---|---|---|---|")
    for label, g in groups.items():
        if not g:
            continue
        n = len(g)
        step = sum(abs(e[2]) <= 0.10 for e in g)
        sw = sum(e[3] is None or abs(e[3]) <= 0.15 for e in g)
        mem = [e for e in g if e[4] is not None]
        w = max(g, key=lambda e: abs(e[2]))
        print(f"| {label} | {step}/{n} | {sw}/{n} | {sum(abs(e[4]) <= 0.05 for e in mem)}/{len(mem)} "
              f"| {100 * abs(w[2]):.1f}% ({w[0]} -> {w[1]}) |")


if __name__ == "__main__":
    main()
