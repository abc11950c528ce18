#!/usr/bin/env python3
"""time_trace.py: writes a small Kineto (Chrome JSON) trace shaped by hostile timestamps, for the tests in
tests/hostile/ and bench/bench_hostile.sh. One host process (pid 100) launches, in each of --steps ProfilerStep#N
ranges, a few kernels on GPU 0 (Kineto's device pseudo-process pid 0); each step takes 10 ms. Options add what a
hostile or unlucky trace holds:
  --long-kernel S    one kernel lasting S seconds in the middle step (a hung NCCL kernel)
  --long-copy S      one host-to-device copy lasting S seconds in the middle step
  --late S           one kernel S seconds after the last step
  --at-max           one kernel ending within 10 us of INT64_MAX nanoseconds
  --unique-names     every step's kernels have names no other step uses
  --second-gpu       GPU 1 runs GPU 0's kernels too, from the middle step on, recorded as a process of its own
                     (wanprof's own format, where a GPU-only process belongs to the one host process)
  --regions N        N torch.compile'd regions ("Torch-Compiled Region: i/0") called in every step
  --kernels K        kernels per step (default 4)
  --no-launch        no launch calls (smaller files: steps are then timed from their marks)
Usage: time_trace.py OUT.json [options]"""
import argparse
import json

STEP_US = 10000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--long-kernel", type=float, default=0)
    ap.add_argument("--long-copy", type=float, default=0)
    ap.add_argument("--late", type=float, default=0)
    ap.add_argument("--at-max", action="store_true")
    ap.add_argument("--unique-names", action="store_true")
    ap.add_argument("--second-gpu", action="store_true")
    ap.add_argument("--regions", type=int, default=0)
    ap.add_argument("--kernels", type=int, default=4)
    ap.add_argument("--no-launch", action="store_true")
    a = ap.parse_args()
    ev = []
    corr = [0]

    def kernel(name, ts, dur, pid=0):
        corr[0] += 1
        if not a.no_launch:
            ev.append({"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 100, "tid": 101,
                       "ts": ts - 1, "dur": 1, "args": {"correlation": corr[0]}})
        ev.append({"ph": "X", "cat": "kernel", "name": name, "pid": 200 if pid else 100, "tid": 7, "ts": ts,
                   "dur": dur, "args": {"correlation": corr[0], "device": pid, "stream": 7}})

    for s in range(a.steps):
        t0 = 1000 + s * STEP_US
        ev.append({"ph": "X", "cat": "user_annotation", "name": "ProfilerStep#%d" % s, "pid": 100, "tid": 101,
                   "ts": t0, "dur": STEP_US - 100})
        for r in range(a.regions):
            ev.append({"ph": "X", "cat": "user_annotation", "name": "Torch-Compiled Region: %d/0" % r, "pid": 100,
                       "tid": 101, "ts": t0 + 10 + r * 0.01, "dur": 0.005})
        for k in range(a.kernels):
            name = "step%d_kernel_%d" % (s, k) if a.unique_names else "gemm_kernel_%d" % k
            kernel(name, t0 + 100 + k * 2000, 1500)
            if a.second_gpu and s >= a.steps // 2:
                kernel(name, t0 + 200 + k * 2000, 1000, pid=1)
        if s == a.steps // 2 and a.long_kernel:
            kernel("ncclDevKernel_AllReduce_hung", t0 + 9000, a.long_kernel * 1e6)
        if s == a.steps // 2 and a.long_copy:
            ev.append({"ph": "X", "cat": "gpu_memcpy", "name": "Memcpy HtoD (Pageable -> Device)", "pid": 100,
                       "tid": 8, "ts": t0 + 9000, "dur": a.long_copy * 1e6,
                       "args": {"device": 0, "stream": 8, "bytes": 1 << 24}})
    end = 1000 + a.steps * STEP_US
    if a.late:
        kernel("late_kernel", end + a.late * 1e6, 5)
    if a.at_max:
        kernel("kernel_at_int64_max", 9223372036854700.0, 70)
    doc = {"traceEvents": ev}
    if a.second_gpu:
        doc = {"wanprof": {"format": 1}, "traceEvents": ev}  # the marker must come first
        ev[:0] = [{"name": "process_name", "ph": "M", "pid": pid, "tid": 0,
                   "args": {"name": "pid %d" % pid, "wp_index": i, "wp_pid": pid, "wp_rank": -1}}
                  for i, pid in enumerate((100, 200))]
    with open(a.out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
