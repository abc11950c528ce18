#!/usr/bin/env python3
"""No cause may claim more seconds than its own evidence measured in the step: the bound of each cause is recomputed
here from the step's figures in `explain --json` (the measured times, not the cause's own numbers), without the
baseline taken off, so it is an upper bound every claim must respect. Used by the tests that run explain on real
traces (public fixtures, the corpus, the examples)."""
import json
import sys

SLACK = 1e-6  # seconds: JSON rounding


def bound(cause, step):
    """The most seconds a cause's evidence allows in this step."""
    s = step
    return {
        "expert_switch": max(s["copy_call_s"], s["weight_copy_s"]) + s["pinned_alloc_s"],
        "initialisation": s["startup_s"],
        "recompilation": max(s["compile_s"] + s["module_load_s"], s["max_gpu_gap_s"]),
        "allocator": s["alloc_free_s"],
        "memcpy_stall": max(s["copy_call_s"], s["copy_exposed_s"]),
        "nccl_wait": s["nccl_s"],
        "gpu_work": s["kernel_s"],
        "host_sync": s["sync_s"],
    }[cause]


def causes_within_evidence(rank, label):
    """Fails (exit 1) when a cause of a spike of this rank claims more than its evidence measured."""
    for sp in rank["spikes"]:
        step = rank["steps"][sp["index"]]
        total = sp["unexplained_s"]
        for c in sp["causes"]:
            b = bound(c["cause"], step)
            total += c["seconds"]
            if c["seconds"] > b + SLACK:
                print(f"{label}: step {sp['step']}: {c['cause']} claims {c['seconds']:.6f} s, its evidence measured "
                      f"{b:.6f} s")
                sys.exit(1)
        if abs(total - sp["excess_s"]) > SLACK:
            print(f"{label}: step {sp['step']}: causes and unexplained add up to {total:.6f} s, not the excess "
                  f"{sp['excess_s']:.6f} s")
            sys.exit(1)


if __name__ == "__main__":  # check_causes.py EXPLAIN_JSON...: every rank of every file
    for path in sys.argv[1:]:
        for r in json.load(open(path))["ranks"]:
            causes_within_evidence(r, path)
    print("causes within their evidence:", len(sys.argv) - 1, "file(s)")
