#!/usr/bin/env python3
"""Checks `wanprof explain --json` on one recording of a program nobody here wrote (tests/fixtures/corpus/README.md)
against the truth that program wrote down itself, never into the trace: for diffusers' WanPipeline
(bench/gpu/corpus/wan_pipe.py) a NAME.truth.json of host timestamps at every progress-bar update and of the expert each
forward ran; for wanprof-runner recorded without its NVTX, its own per-step table (NAME.stdout).

Checked: the step count and numbers; every boundary between steps within 30% of the median step of where the program
says it is, read on the GPU side: the later of the host's progress-bar update and the end of the last GPU work the
step launched (kernels, copies, memsets matched to their launch by correlation id in the trace), since a step lasts
until the GPU work it launched ends (work launched through the driver API, which `wanprof run` does not record by
default, has no launch to match and is left out); the first
step starting after the pipeline was called and the last ending before the loop was left (setup and teardown are
not steps); the expert switch on the program's switch step, expert_switch first, when the switch moves weights; no
other spike on a step the program did not measure as slow (over 1.10x its median step); every cause within its own
evidence (check_causes.py).
usage: check_corpus.py TRACE TRUTH(.truth.json | .stdout) EXPLAIN_JSON"""
import bisect
import gzip
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(__file__))
from check_causes import causes_within_evidence  # noqa: E402

SLOW = 1.10  # slow: over 1.10x the median step as the program measured it (explain's default --min-excess)


def fail(label, msg):
    print(f"check_corpus: {label}: {msg}")
    sys.exit(1)


def trace_base_ns(path):
    """Kineto writes ts relative to baseTimeNanoseconds (CLOCK_REALTIME); wanprof's own traces hold it absolute."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        head = f.read(1 << 16)
    m = re.search(r'"baseTimeNanoseconds"\s*:\s*(\d+)', head)
    if m:
        return int(m.group(1))
    with opener(path, "rt") as f:  # Kineto may write it after the events
        m = re.search(r'"baseTimeNanoseconds"\s*:\s*(\d+)', f.read())
    return int(m.group(1)) if m else 0


def gpu_ends(path, bounds):
    """For each host window [bounds[k], bounds[k + 1]) (trace ns), the end of the last GPU work (kernel, copy, memset)
    launched in it, or None."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        events = json.load(f)["traceEvents"]
    launch = {e["args"]["correlation"]: e["ts"] * 1000 for e in events
              if e.get("cat") in ("cuda_runtime", "cuda_driver") and "correlation" in e.get("args", {})}
    ends = [None] * (len(bounds) - 1)
    for e in events:
        if e.get("cat") not in ("kernel", "gpu_memcpy", "gpu_memset"):
            continue
        t = launch.get(e.get("args", {}).get("correlation"))
        if t is None:
            continue
        k = bisect.bisect_right(bounds, t) - 1
        if 0 <= k < len(ends):
            end = (e["ts"] + e.get("dur", 0)) * 1000
            ends[k] = end if ends[k] is None else max(ends[k], end)
    return ends


def main_rank(explain):
    return max(explain["ranks"], key=lambda r: len(r["steps"]))


def check_spikes(label, rank, truth_s, switch_step, switch_moves_weights):
    """truth_s: the program's duration of each loop step (by step number)."""
    med = statistics.median(truth_s[1:])
    got_switch = None
    for sp in rank["spikes"]:
        if sp["warmup"]:
            continue
        top = sp["causes"][0]["cause"] if sp["causes"] else None
        if top == "expert_switch" and got_switch is None:
            got_switch = sp["step"]
        elif truth_s[sp["step"]] <= SLOW * med:
            fail(label, f"spike on step {sp['step']} ({top}) that the program measured at {truth_s[sp['step']] * 1e3:.1f} ms "
                        f"(median {med * 1e3:.1f} ms)")
    if switch_moves_weights and got_switch != switch_step:
        fail(label, f"the expert switch is on step {switch_step}; explain's first expert_switch spike is on {got_switch}")
    causes_within_evidence(rank, label)


def check_pipe(label, trace, truth, explain):
    base = trace_base_ns(trace)
    ns = lambda c: c["realtime_ns"] - base  # the program's clock read in the trace's
    steps = truth["steps"]
    n = len(steps)
    rank = main_rank(explain)
    got = rank["steps"]
    nums = [s["step"] for s in got]
    marked = rank["step_source"] == "pattern"
    want = list(range(1, n)) if marked else list(range(n))  # a profiler schedule's warm-up window holds step 0
    if nums != want:
        fail(label, f"steps {nums[:5]}..{nums[-3:]} ({len(nums)}), the program ran {n} and the trace holds {want[:3]}.."
                    f"{want[-2:]}")
    dur = [s["duration_ns"] * 1e-9 for s in steps]
    tol = 0.3 * statistics.median(dur[1:]) * 1e9
    host = [ns(s["start"]) for s in steps] + [ns(steps[-1]["end"])]
    launched = gpu_ends(trace, host)
    for s in got[1:]:  # a step's start is the boundary after the previous step
        k = s["step"]
        b = max(host[k], launched[k - 1] or host[k])
        if abs(s["start_ns"] - b) > tol:
            fail(label, f"step {k} starts {(s['start_ns'] - b) / 1e6:+.1f} ms from where the program says "
                        f"(tolerance {tol / 1e6:.1f} ms)")
    ev = truth["events"]
    if got[0]["start_ns"] < ns(ev["call_start"]) - tol:
        fail(label, f"the first step starts {(ns(ev['call_start']) - got[0]['start_ns']) / 1e6:.1f} ms before the "
                    "pipeline was called: the setup is folded into it")
    if got[-1]["end_ns"] > ns(ev["loop_exit"]) + tol:
        fail(label, f"the last step ends {(got[-1]['end_ns'] - ns(ev['loop_exit'])) / 1e6:.1f} ms after the loop was "
                    "left: the teardown is folded into it")
    moves = truth["recording"]["offload"] == "model"  # only model offload moves a whole expert at the switch
    check_spikes(label, rank, dur, truth["switch_step"], moves)
    return f"{len(got)} steps, switch on step {truth['switch_step']}"


def check_runner(label, stdout, explain):
    rows = re.findall(r"^\s+step\s+(\d+)\s+t=\S+\s+\S+\s+([\d.]+) s$", stdout, re.M)
    dur = [float(s) for _, s in rows]
    switch = int(re.search(r"^expert switch: step (\d+)", stdout, re.M).group(1))
    rank = main_rank(explain)
    got = rank["steps"]
    if [s["step"] for s in got] != list(range(len(dur))):
        fail(label, f"{len(got)} steps, the runner ran {len(dur)}")
    for s, d in zip(got, dur):  # the runner times each step from its start to its synchronised end
        w = (s["end_ns"] - s["start_ns"]) * 1e-9
        if abs(w - d) > 0.1 * d + 0.005:
            fail(label, f"step {s['step']} lasts {w:.3f} s; the runner measured {d:.3f} s")
    check_spikes(label, rank, dur, switch, True)
    return f"{len(got)} steps, switch on step {switch}"


def main():
    trace, truth_path, explain_path = sys.argv[1:4]
    label = os.path.basename(trace)
    explain = json.load(open(explain_path))
    if truth_path.endswith(".stdout"):
        what = check_runner(label, open(truth_path).read(), explain)
    else:
        truth = json.load(open(truth_path))
        if not truth.get("ok"):
            fail(label, "the recording's truth says it failed")
        what = check_pipe(label, trace, truth, explain)
    print(f"ok {label}: {what}")


if __name__ == "__main__":
    main()
