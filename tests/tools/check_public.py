#!/usr/bin/env python3
"""Checks wanprof's reading and step split of one public fixture against the truth kineto_truth.py computed from the
trace's own ProfilerStep ranges (tests/cli/test_public_traces.sh says what is checked).
usage: check_public.py STORED_TRUTH FRESH_TRUTH INFO_JSON EXPLAIN_JSON"""
import json
import statistics
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from check_causes import causes_within_evidence  # noqa: E402

TOL_NS = 2000  # the truth converts fractional microseconds exactly; a reader may round each timestamp to the ns


def fail(msg):
    print("check_public:", msg)
    sys.exit(1)


def truths(t):
    return t["traces"] if "traces" in t else [t]


def check_counts(truth, info):
    """Every kernel, copy and memset of each trace is read."""
    for t, i in zip(truths(truth), info["traces"]):
        want, got = t["gpu_totals"]["by_kind"], i["events"]
        for kind in ("kernel", "memcpy", "memset"):
            if want[kind] != got[kind]:
                fail(f"{t['file']}: {got[kind]} {kind} records read, the trace holds {want[kind]}")


def expected_windows(steps):
    """(number, start, end) per step: from the range (or the previous step's end) to the later of the range's end and
    the end of the GPU work launched inside it."""
    out, prev_end = [], None
    for s in steps:
        end = max(s["end_ns"], s.get("gpu_last_end_ns") or s["end_ns"])
        start = s["start_ns"] if prev_end is None else max(s["start_ns"], prev_end)
        out.append((s["number"], start, end))
        prev_end = end
    return out


def check_steps(truth, explain):
    ranks = explain["ranks"]
    for t in truths(truth):
        if not t["steps"]:
            continue
        want = expected_windows(t["steps"])
        rank_no = (t.get("distributed") or {}).get("rank")
        got = [r for r in ranks if [s["step"] for s in r["steps"]] == [w[0] for w in want]
               and (len(ranks) == 1 or r["rank"] == rank_no)]
        if not got:
            fail(f"{t['file']}: no rank has steps {[w[0] for w in want]}; got "
                 f"{[[s['step'] for s in r['steps']] for r in ranks]}")
        rank = got[0]
        for (num, start, end), s in zip(want, rank["steps"]):
            if abs(s["start_ns"] - start) > TOL_NS or abs(s["end_ns"] - end) > TOL_NS:
                fail(f"{t['file']}: step {num} is [{s['start_ns']}, {s['end_ns']}], its range and launched work say "
                     f"[{start}, {end}]")
        spans = [e - s for _, s, e in want]
        med = statistics.median(spans)
        for sp in rank["spikes"]:
            span = spans[sp["index"]]
            if span <= 1.25 * med:
                fail(f"{t['file']}: spike on step {sp['step']} whose own span {span / 1e6:.1f} ms is not slow "
                     f"(median {med / 1e6:.1f} ms)")
        causes_within_evidence(rank, t["file"])


def main():
    stored, fresh, info, explain = (json.load(open(p)) for p in sys.argv[1:5])
    if stored != fresh:
        fail("truth.json is not what tests/tools/kineto_truth.py computes now")
    check_counts(fresh, info)
    check_steps(fresh, explain)
    print("ok", truths(fresh)[0]["file"])


if __name__ == "__main__":
    main()
