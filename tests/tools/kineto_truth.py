#!/usr/bin/env python3
"""Ground truth of a profiler trace, read from the trace's own marks, independently of wanprof.

    python3 tests/tools/kineto_truth.py TRACE... [-o OUT.json]
    python3 tests/tools/kineto_truth.py tests/fixtures/public/NAME      # a fixture directory: all its traces

TRACE is a PyTorch-profiler (Kineto) Chrome trace, .json or .json.gz (gzip is recognised by its magic bytes, not its
name), in the current format (cats cpu_op / user_annotation / cuda_runtime / cuda_driver / kernel / gpu_memcpy /
gpu_memset) or the PyTorch <= 1.9 one (Operator / Runtime / Kernel / Memcpy / Memset). A trace whose event array was
never closed (a crashed writer, or Chrome's bare "[ {...}, {...}," form) is read event by event up to the damage, and
"salvaged" says so. An Nsight Systems SQLite export (.sqlite, recognised by its header) is read too, with NVTX ranges
in place of steps (see nsys_truth below).

What is printed (JSON, keys sorted, times in integer nanoseconds):
  steps: every "ProfilerStep#N" complete event ("ph": "X") of category cpu_op, user_annotation or Operator, per
    pid/tid: its number, start_ns = ts * 1000 and end_ns = (ts + dur) * 1000 (ts and dur are microseconds, possibly
    fractional; converted exactly with Decimal), on the trace's own clock (baseTimeNanoseconds, when the trace has it,
    is printed as base_time_ns and not added). For each step, the GPU work launched from inside it: a GPU event
    (kernel, memcpy, memset) is linked to its launch by args "correlation" (or "correlation id") against the runtime
    events (cuda_runtime, cuda_driver, Runtime; ROCm traces use the same names) and belongs to the step of the same
    pid whose [start, end) holds the launch's ts (the step on the launch's own tid first, then the earliest). Per
    step: gpu counts by kind, gpu_first_start_ns, gpu_last_end_ns (end of the last GPU event launched inside it).
  gpu_steps: the GPU-side "ProfilerStep#N" ranges (gpu_user_annotation) some traces also carry, for reference.
  gpu_totals: GPU events by kind and by category as spelled in the trace, and how many were linked to a launch,
    launched inside a step, or not.
Several traces (or a directory holding several, e.g. the ranks of one run) give {"traces": [one object per file,
in file-name order]}. Only the standard library is used (sqlite3 only for SQLite input).
"""

import argparse
import decimal
import json
import os
import re
import sys
import zlib

STEP_CATS = {"cpu_op", "user_annotation", "operator"}
RUNTIME_CATS = {"cuda_runtime", "cuda_driver", "runtime", "hip_runtime", "hip_driver"}
GPU_KIND = {
    "kernel": "kernel",
    "gpu_memcpy": "memcpy",
    "memcpy": "memcpy",
    "gpu_memset": "memset",
    "memset": "memset",
}
OLD_CATS = {"Operator", "Runtime", "Kernel", "Memcpy", "Memset"}
STEP_RE = re.compile(r"ProfilerStep#(\d+)")
KINDS = ("kernel", "memcpy", "memset")


def to_ns(v):
    """Microseconds (int, Decimal, float or numeric string) to integer nanoseconds, rounding half to even."""
    if v is None:
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v * 1000
    try:
        d = decimal.Decimal(str(v)) if not isinstance(v, decimal.Decimal) else v
    except decimal.InvalidOperation:
        return None
    return int((d * 1000).to_integral_value(rounding=decimal.ROUND_HALF_EVEN))


def read_bytes(path):
    """The file's bytes, gunzipped when it starts with the gzip magic; a truncated or damaged gzip stream gives what
    decompresses before the damage (several concatenated gzip members are all read)."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":
        return raw
    out, data = [], raw
    while data[:2] == b"\x1f\x8b":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out.append(d.decompress(data))
        except zlib.error:
            break
        if not d.eof:
            break
        data = d.unused_data
    return b"".join(out)


def salvage(text):
    """Events of a trace whose array is unterminated or damaged: decode one event at a time."""
    dec = json.JSONDecoder(parse_float=decimal.Decimal)
    m = re.search(r'"traceEvents"\s*:\s*\[', text)
    if m:
        pos = m.end()
    else:
        pos = text.find("[")
        if pos < 0:
            raise ValueError("no event array found")
        pos += 1
    events = []
    n = len(text)
    while pos < n:
        while pos < n and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= n or text[pos] == "]":
            break
        try:
            obj, pos = dec.raw_decode(text, pos)
        except ValueError:
            break
        events.append(obj)
    meta = {}
    if m:
        # metadata before the array (schemaVersion, distributedInfo, ...), when it parses on its own
        head = text[: m.start()].rstrip().rstrip(",")
        try:
            meta = json.loads(head + "}", parse_float=decimal.Decimal)
        except ValueError:
            meta = {}
    return meta, events


def load_kineto(path):
    text = read_bytes(path).decode("utf-8", errors="replace")
    salvaged = False
    try:
        doc = json.loads(text, parse_float=decimal.Decimal)
        if isinstance(doc, list):
            meta, events = {}, doc
        else:
            meta, events = doc, doc.get("traceEvents") or []
    except ValueError:
        meta, events = salvage(text)
        salvaged = True
    return meta, [e for e in events if isinstance(e, dict)], salvaged


def corr_of(e):
    a = e.get("args")
    if not isinstance(a, dict):
        return None
    c = a.get("correlation", a.get("correlation id"))
    if c is None or isinstance(c, bool):
        return None
    if isinstance(c, decimal.Decimal):
        c = int(c)
    return str(c)


def plain(v):
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def find_step(steps_by_pid, pid, tid, t):
    """Index of the step of this pid holding time t in [start, end): the launch's own tid first, then earliest."""
    best = None
    for s in steps_by_pid.get(pid, ()):
        if s["start_ns"] <= t < s["end_ns"]:
            if str(s["tid"]) == tid:
                return s
            if best is None or s["start_ns"] < best["start_ns"]:
                best = s
    return best


def kineto_truth(path):
    meta, events, salvaged = load_kineto(path)
    steps, gpu_steps, runtime, gpu = [], [], {}, []
    runtime_dups = 0
    cats_seen = set()
    for e in events:
        cat = e.get("cat")
        if not isinstance(cat, str):
            continue
        cats_seen.add(cat)
        lc = cat.lower()
        name = e.get("name")
        if e.get("ph") != "X":
            continue
        if lc in STEP_CATS or lc == "gpu_user_annotation":
            m = STEP_RE.fullmatch(name) if isinstance(name, str) else None
            if m:
                start = to_ns(e.get("ts"))
                if start is None:
                    continue
                end = start + (to_ns(e.get("dur")) or 0)
                rec = {
                    "name": name,
                    "number": int(m.group(1)),
                    "cat": cat,
                    "pid": plain(e.get("pid")),
                    "tid": plain(e.get("tid")),
                    "start_ns": start,
                    "end_ns": end,
                    "dur_ns": end - start,
                }
                (gpu_steps if lc == "gpu_user_annotation" else steps).append(rec)
            continue
        if lc in RUNTIME_CATS:
            c = corr_of(e)
            if c is None:
                continue
            r = (str(plain(e.get("pid"))), str(plain(e.get("tid"))), to_ns(e.get("ts")))
            if c in runtime:
                runtime_dups += 1
                if r[2] is not None and (runtime[c][2] is None or r[2] < runtime[c][2]):
                    runtime[c] = r
            else:
                runtime[c] = r
            continue
        kind = GPU_KIND.get(lc)
        if kind:
            start = to_ns(e.get("ts"))
            end = start + (to_ns(e.get("dur")) or 0) if start is not None else None
            gpu.append((kind, cat, corr_of(e), start, end))

    steps.sort(key=lambda s: (s["start_ns"], str(s["pid"]), str(s["tid"]), s["number"]))
    gpu_steps.sort(key=lambda s: (s["start_ns"], str(s["pid"]), str(s["tid"]), s["number"]))
    steps_by_pid = {}
    for s in steps:
        s["gpu"] = {k: 0 for k in KINDS}
        s["gpu"]["total"] = 0
        s["gpu_first_start_ns"] = None
        s["gpu_last_end_ns"] = None
        steps_by_pid.setdefault(str(s["pid"]), []).append(s)

    by_kind = {k: 0 for k in KINDS}
    by_cat = {}
    linked = in_steps = 0
    for kind, cat, c, start, end in gpu:
        by_kind[kind] += 1
        by_cat[cat] = by_cat.get(cat, 0) + 1
        r = runtime.get(c) if c is not None else None
        if r is None or r[2] is None:
            continue
        linked += 1
        s = find_step(steps_by_pid, r[0], r[1], r[2])
        if s is None:
            continue
        in_steps += 1
        s["gpu"][kind] += 1
        s["gpu"]["total"] += 1
        if start is not None and (s["gpu_first_start_ns"] is None or start < s["gpu_first_start_ns"]):
            s["gpu_first_start_ns"] = start
        if end is not None and (s["gpu_last_end_ns"] is None or end > s["gpu_last_end_ns"]):
            s["gpu_last_end_ns"] = end
    for s in steps:
        s["span_end_ns"] = max(s["end_ns"], s["gpu_last_end_ns"] or s["end_ns"])

    total = sum(by_kind.values())
    dist = meta.get("distributedInfo") if isinstance(meta, dict) else None
    out = {
        "tool": "kineto_truth.py",
        "format": "kineto",
        "file": os.path.basename(path),
        "salvaged": salvaged,
        "events": len(events),
        "old_categories": bool(cats_seen & OLD_CATS),
        "base_time_ns": plain(meta.get("baseTimeNanoseconds")) if isinstance(meta, dict) else None,
        "distributed": (
            {k: plain(dist[k]) for k in ("backend", "rank", "world_size") if k in dist} if isinstance(dist, dict) else None
        ),
        "devices": [d.get("name") for d in meta.get("deviceProperties") or [] if isinstance(d, dict)]
        if isinstance(meta, dict)
        else [],
        "step_count": len(steps),
        "steps": steps,
        "gpu_steps": gpu_steps,
        "runtime_launches": len(runtime),
        "runtime_duplicate_correlations": runtime_dups,
        "gpu_totals": {
            "by_kind": by_kind,
            "by_category": by_cat,
            "total": total,
            "linked_to_launch": linked,
            "unlinked": total - linked,
            "launched_in_steps": in_steps,
            "launched_outside_steps": linked - in_steps,
        },
    }
    return out


def nsys_truth(path):
    """An Nsight Systems SQLite export: NVTX ranges and the GPU work launched inside each, linked by correlationId.

    Times are the export's own integer ns. pid = (globalTid >> 24) & 0xFFFFFF, tid = globalTid & 0xFFFFFF.
    A GPU row (CUPTI_ACTIVITY_KIND_KERNEL / MEMCPY / MEMSET) is linked to the CUPTI_ACTIVITY_KIND_RUNTIME row of the
    same process and correlationId, and belongs to each NVTX range of that process whose [start, end) holds the
    launch's start (ranges may nest, so a GPU row may count in several). NVTX ranges named like ProfilerStep#N or
    "step N" are also listed as steps."""
    import sqlite3

    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    def cols(t):
        return {r[1] for r in con.execute("PRAGMA table_info(%s)" % t)}

    meta = {}
    for t in ("META_DATA_EXPORT", "EXPORT_META_DATA"):
        if t in tables:
            for k, v in con.execute("SELECT name, value FROM %s" % t):
                if k in ("EXPORT_PRODUCT_VERSION", "EXPORT_SCHEMA_VERSION"):
                    meta[k] = v
    devices = []
    if "TARGET_INFO_GPU" in tables:
        devices = [r[0] for r in con.execute("SELECT name FROM TARGET_INFO_GPU ORDER BY id")]

    runtime = {}
    if "CUPTI_ACTIVITY_KIND_RUNTIME" in tables:
        for start, gtid, corr in con.execute(
            "SELECT start, globalTid, correlationId FROM CUPTI_ACTIVITY_KIND_RUNTIME WHERE correlationId IS NOT NULL"
        ):
            pid = (gtid >> 24) & 0xFFFFFF if gtid is not None else None
            key = (pid, corr)
            if key not in runtime or start < runtime[key]:
                runtime[key] = start

    gpu = []
    by_table = {}
    for kind, t in (("kernel", "CUPTI_ACTIVITY_KIND_KERNEL"), ("memcpy", "CUPTI_ACTIVITY_KIND_MEMCPY"),
                    ("memset", "CUPTI_ACTIVITY_KIND_MEMSET")):
        if t not in tables:
            continue
        n = 0
        for start, end, corr, gpid in con.execute("SELECT start, end, correlationId, globalPid FROM %s" % t):
            pid = (gpid >> 24) & 0xFFFFFF if gpid is not None else None
            gpu.append((kind, start, end, runtime.get((pid, corr)), pid))
            n += 1
        by_table[t] = n

    ranges = []
    if "NVTX_EVENTS" in tables:
        c = cols("NVTX_EVENTS")
        text = "COALESCE(n.text, s.value)" if "textId" in c else "n.text"
        join = "LEFT JOIN StringIds s ON n.textId = s.id" if "textId" in c else ""
        q = ("SELECT n.start, n.end, %s, n.globalTid, n.eventType FROM NVTX_EVENTS n %s "
             "WHERE n.end IS NOT NULL AND n.end >= n.start ORDER BY n.start, n.end" % (text, join))
        for start, end, name, gtid, et in con.execute(q):
            ranges.append({
                "name": name,
                "event_type": et,
                "pid": (gtid >> 24) & 0xFFFFFF if gtid is not None else None,
                "tid": gtid & 0xFFFFFF if gtid is not None else None,
                "start_ns": start,
                "end_ns": end,
                "dur_ns": end - start,
                "gpu": {"kernel": 0, "memcpy": 0, "memset": 0, "total": 0},
                "gpu_first_start_ns": None,
                "gpu_last_end_ns": None,
            })
    by_kind = {k: 0 for k in KINDS}
    linked = in_ranges = 0
    for kind, start, end, launch, pid in gpu:
        by_kind[kind] += 1
        if launch is None:
            continue
        linked += 1
        hit = False
        for r in ranges:
            if r["pid"] == pid and r["start_ns"] <= launch < r["end_ns"]:
                hit = True
                r["gpu"][kind] += 1
                r["gpu"]["total"] += 1
                if r["gpu_first_start_ns"] is None or start < r["gpu_first_start_ns"]:
                    r["gpu_first_start_ns"] = start
                if r["gpu_last_end_ns"] is None or end > r["gpu_last_end_ns"]:
                    r["gpu_last_end_ns"] = end
        in_ranges += hit
    step_re = re.compile(r"(?:ProfilerStep#|step[ _#:]?)(\d+)", re.I)
    steps = []
    for r in ranges:
        m = step_re.fullmatch(r["name"] or "")
        if m:
            s = dict(r)
            s["number"] = int(m.group(1))
            steps.append(s)
    total = sum(by_kind.values())
    return {
        "tool": "kineto_truth.py",
        "format": "nsys-sqlite",
        "file": os.path.basename(path),
        "export": meta,
        "devices": devices,
        "step_count": len(steps),
        "steps": steps,
        "nvtx_range_count": len(ranges),
        "nvtx_ranges": ranges,
        "runtime_launches": len(runtime),
        "gpu_totals": {
            "by_kind": by_kind,
            "by_category": by_table,
            "total": total,
            "linked_to_launch": linked,
            "unlinked": total - linked,
            "launched_in_nvtx_ranges": in_ranges,
        },
    }


TRACE_SUFFIXES = (".json.gz", ".json", ".sqlite")


def traces_in(path):
    """A file is itself; a directory gives its trace files (*.json.gz, *.json, *.sqlite; not truth.json), sorted."""
    if not os.path.isdir(path):
        return [path]
    names = sorted(
        n for n in os.listdir(path)
        if n.endswith(TRACE_SUFFIXES) and n != "truth.json" and not n.endswith(".truth.json")
    )
    return [os.path.join(path, n) for n in names]


def truth_of(path):
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(b"SQLite format 3"):
        return nsys_truth(path)
    return kineto_truth(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace", nargs="+",
                    help="Kineto trace (.json / .json.gz), Nsight Systems SQLite export, or a fixture directory")
    ap.add_argument("-o", "--output", help="write here instead of stdout")
    args = ap.parse_args(argv)
    paths = [p for t in args.trace for p in traces_in(t)]
    if not paths:
        ap.error("no trace files found")
    outs = [truth_of(p) for p in paths]
    # one trace: its object; several (the ranks of one run): {"traces": [...]} in file-name order
    out = outs[0] if len(outs) == 1 else {"tool": "kineto_truth.py", "traces": outs}
    text = json.dumps(out, indent=1, sort_keys=True) + "\n"
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
