#!/usr/bin/env bash
# wanprof whatif on the six runner fixtures (tests/fixtures/whatif/README.md), on their own calibration with the compute
# curve the same kind of H200 measured later (machine_with_curve.json) and each run's own copy rates:
#  - from each trace, its predictions for the other five runs against what those runs measured themselves (their
#    runner.txt: the runner's own synchronised step times and cudaMemGetInfo, never the analyzer): that is what
#    justifies the model;
#  - the same predictions against tests/fixtures/whatif/expected.tsv at a relative 1e-6, so any drift in the model
#    shows up and has to be explained (tests/tools/whatif_expected.py regenerates it);
#  - the recorded mode and the loop's facts; --gpus on a described 4-GPU machine; the refusals.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}" "${WP_SOURCE_DIR:?}"
W="$WP_FIXTURES/whatif"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

for src in none model_pageable model_pinned layer_pinned_p1 layer_pageable_p1 layer_pinned_p1_sync; do
    if ! "$WANPROF" whatif --json --machine "$W/machine_with_curve.json" --copies run "$W/$src.json.gz" \
        >"$tmp/$src.json" 2>"$tmp/$src.err"; then
        echo "FAIL: whatif --json $src: $(cat "$tmp/$src.err")"
        fail=1
    fi
done
[ "$fail" = 0 ] || exit 1

python3 - "$W" "$tmp" <<'PY' || fail=1
import json, re, statistics, sys
fixtures, out = sys.argv[1:]
MODES = {"none": "none", "model_pageable": "model, pageable", "model_pinned": "model, pinned",
         "layer_pinned_p1": "layerwise p1, pinned", "layer_pageable_p1": "layerwise p1, pageable",
         "layer_pinned_p1_sync": "layerwise p1, pinned, per-layer sync"}
RECORDED = {"none": {"kind": "none"},
            "model_pageable": {"kind": "model", "host_memory": "pageable"},
            "model_pinned": {"kind": "model", "host_memory": "pinned"},
            "layer_pinned_p1": {"kind": "layerwise", "host_memory": "pinned", "prefetch": 1, "layer_sync": False},
            "layer_pageable_p1": {"kind": "layerwise", "host_memory": "pageable", "prefetch": 1,
                                  "layer_sync": False},
            "layer_pinned_p1_sync": {"kind": "layerwise", "host_memory": "pinned", "prefetch": 1,
                                     "layer_sync": True}}
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def runner(name):
    """The run's own figures: median ordinary step (not step 0, not the switch), switch step, loop memory."""
    steps, switch, memory = {}, None, None
    for line in open(f"{fixtures}/{name}.runner.txt"):
        m = re.match(r"\s+step\s+(\d+)\s+t=\S+\s+\S+\s+([\d.]+) s", line)
        if m:
            steps[int(m.group(1))] = float(m.group(2))
        m = re.match(r"expert switch: step (\d+)", line)
        switch = int(m.group(1)) if m else switch
        m = re.match(r"device memory in the loop: (\d+) bytes", line)
        memory = int(m.group(1)) if m else memory
    assert len(steps) == 6 and switch == 2 and memory, f"{name}.runner.txt: not the runner's summary"
    return (statistics.median(t for i, t in steps.items() if i not in (0, switch)), steps[switch], memory)


def rel(pred, meas):
    return abs(pred - meas) / meas


docs = {src: json.load(open(f"{out}/{src}.json")) for src in MODES}
truth = {name: runner(name) for name in MODES}
for src, doc in docs.items():
    assert doc["schema"] == "wanprof.whatif/1", src
    preds = {m["name"]: m for m in doc["modes"]}
    # (c) the recorded mode and the loop's facts, from the runner's metadata
    rec = [m["name"] for m in doc["modes"] if m["recorded"]]
    check(rec == [MODES[src]], f"{src}: recorded modes {rec}, want [{MODES[src]}]")
    loop = doc["loop"]
    want = dict(RECORDED[src])
    got = {k: loop["recorded_mode"].get(k) for k in want}
    check(got == want, f"{src}: loop.recorded_mode {loop['recorded_mode']}, want {want}")
    check(loop["switch_step"] == 2, f"{src}: loop.switch_step {loop['switch_step']}")
    check(loop["blocks"] == 4, f"{src}: loop.blocks {loop['blocks']}")
    check(loop["expert_bytes"] > 0, f"{src}: loop.expert_bytes {loop['expert_bytes']}")
    # (a) every other run, against what it measured itself
    for other, mode in MODES.items():
        if other == src:
            continue
        p, (step, switch, memory) = preds[mode], truth[other]
        # Pageable copies go through the driver's staging buffer at whatever rate the host's memory gives that run:
        # on the H200 host their bandwidth varies by about a quarter run to run, and a pageable layerwise run's steps
        # by +-15% within one run (bench/RESULTS.md, issue 15). Where such copies make the figure (a pageable
        # layerwise step; model offload's pageable switch predicted from another run's pageable rate), only the
        # predicted range, widened by 25%, is checked.
        def pageable_range(key, measured, what):
            lo, hi = p[key]["min"] * 0.75, p[key]["max"] * 1.25
            check(lo <= measured <= hi, f"{src} -> {other}: measured {what} {measured:.4f} s outside [{lo:.4f}, {hi:.4f}]")
        if other == "layer_pageable_p1":
            pageable_range("step_s", step, "step")
            continue
        e = rel(p["step_s"]["median"], step)
        check(e <= 0.10, f"{src} -> {other}: step {p['step_s']['median']:.4f} s vs measured {step:.4f} s "
                         f"({100 * e:.1f}% > 10%)")
        e = rel(p["switch_step_s"]["median"], switch)
        if other == "model_pageable" and src == "layer_pageable_p1":
            pageable_range("switch_step_s", switch, "switch step")
        else:
            check(e <= 0.15, f"{src} -> {other}: switch step {p['switch_step_s']['median']:.4f} s vs measured "
                             f"{switch:.4f} s ({100 * e:.1f}% > 15%)")
        e = rel(p["peak_bytes"], memory)
        check(e <= 0.05, f"{src} -> {other}: peak {p['peak_bytes']:.0f} B vs measured {memory} B "
                         f"({100 * e:.1f}% > 5%)")

# (b) the pinned predictions: the file must cover exactly what whatif predicts now, each within 1e-6
pinned = {}
lines = open(f"{fixtures}/expected.tsv").read().splitlines()
assert lines[0].split("\t") == ["source", "mode", "step_s", "switch_step_s", "total_s", "peak_bytes"], lines[0]
for line in lines[1:]:
    src, mode, *vals = line.split("\t")
    pinned[(src, mode)] = vals
now = {(src, m["name"]): m for src, doc in docs.items() for m in doc["modes"]}
check(set(pinned) == set(now), f"expected.tsv rows differ from the modes predicted: "
                               f"{sorted(set(pinned) ^ set(now))}")
for key in sorted(set(pinned) & set(now)):
    m = now[key]
    cur = (m["step_s"]["median"], m["switch_step_s"]["median"], m["total_s"]["median"], m["peak_bytes"])
    for col, want, got in zip(("step", "switch", "total", "peak"), pinned[key], cur):
        if want == "-" or got is None:
            check(want == "-" and got is None, f"{key} {col}: pinned {want}, now {got}")
        else:
            check(abs(got - float(want)) <= 1e-6 * abs(float(want)),
                  f"{key} {col}: pinned {want}, now {got!r} (tests/tools/whatif_expected.py)")

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"ok: {len(docs)} sources x {len(MODES) - 1} other runs against their runners; {len(pinned)} pinned rows")
PY

# (e) four ranks copying through one host of the described 4 x H100 machine: each rank's pinned copies get a
# quarter of the aggregate host bandwidth, which is less than one GPU's own link, so the copy-bound layerwise step
# slows down; where the weights live does not depend on how many ranks share the host.
src="$W/layer_pinned_p1.json.gz"
for g in 1 4; do
    "$WANPROF" whatif --json --machine "$WP_SOURCE_DIR/examples/machines/h100_pcie_x4.json" --gpus "$g" "$src" \
        >"$tmp/gpus$g.json" || { echo "FAIL: whatif --machine h100_pcie_x4.json --gpus $g"; fail=1; }
done
python3 - "$tmp/gpus1.json" "$tmp/gpus4.json" <<'PY' || fail=1
import json, sys
one, four = (json.load(open(p)) for p in sys.argv[1:])
assert one["loop"]["sharing_ranks"] == 1 and four["loop"]["sharing_ranks"] == 4
m1, m4 = ({m["name"]: m for m in d["modes"]} for d in (one, four))
name = "layerwise p1, pinned"
s1, s4 = m1[name]["step_s"]["median"], m4[name]["step_s"]["median"]
assert s4 > s1, f"{name}: {s4} s with 4 ranks sharing the host, not more than {s1} s alone"
for n in m1:
    assert m1[n]["peak_bytes"] == m4[n]["peak_bytes"], f"{n}: peak {m1[n]['peak_bytes']} -> {m4[n]['peak_bytes']}"
print(f"ok: {name} step {s1:.4f} s alone, {s4:.4f} s with 4 ranks; memory unchanged in {len(m1)} modes")
PY

# (f) the compute curve: a copy-bound recording's GPU idled between blocks and its kernels ran at higher clocks, so
# carried unchanged to the runs that keep the GPU busy they come out short. With the H200's curve (measured by
# calibrate, not by the runs) the compute-bound runs are predicted within 10% of what they measured, each mode's
# kernel_scale is the curve's ratio between its busy share and the recording's (recomputed here from the curve file),
# and the recorded mode keeps its own kernel times.
for src in layer_pinned_p1 layer_pageable_p1 none; do
    "$WANPROF" whatif --json --machine "$W/machine_h200_curve.json" --copies run "$W/$src.json.gz" \
        >"$tmp/curve_$src.json" || { echo "FAIL: whatif --machine machine_h200_curve.json $src"; fail=1; }
done
python3 - "$W" "$tmp" <<'PY' || fail=1
import json, re, statistics, sys
fixtures, out = sys.argv[1:]
pts = sorted((p["busy_measured"], p["seconds_per_unit"]["median"])
             for p in json.load(open(f"{fixtures}/machine_h200_curve.json"))["compute"]["points"])
def rel_time(b):  # the curve, linear between its points and flat beyond them
    b = min(max(b, pts[0][0]), pts[-1][0])
    for (b0, t0), (b1, t1) in zip(pts, pts[1:]):
        if b <= b1:
            return (t0 + (b - b0) / (b1 - b0) * (t1 - t0)) / pts[-1][1]
def measured_step(name):
    steps = [float(m.group(1)) for m in re.finditer(r"^\s+step\s+\d+\s+t=\S+\s+\S+\s+([\d.]+) s",
                                                     open(f"{fixtures}/{name}.runner.txt").read(), re.M)]
    return statistics.median(t for i, t in enumerate(steps) if i not in (0, 2))
COMPUTE_BOUND = {"none": "none", "model_pinned": "model, pinned", "model_pageable": "model, pageable"}
fails = []
for src in ("layer_pinned_p1", "layer_pageable_p1", "none"):
    d = json.load(open(f"{out}/curve_{src}.json"))
    busy = d["loop"]["kernel_s_per_step"] / d["measured"]["step_s"]
    modes = {m["name"]: m for m in d["modes"]}
    rec = [m for m in d["modes"] if m["recorded"]][0]
    if abs(rec["kernel_scale"] - 1) > 0.01:
        fails.append(f"{src}: the recorded mode's kernel_scale {rec['kernel_scale']}")
    for m in d["modes"]:
        b = min(1.0, d["loop"]["kernel_s_per_step"] * m["kernel_scale"] / m["step_s"]["median"])
        want = rel_time(b) / rel_time(min(1.0, busy))
        if abs(m["kernel_scale"] - want) > 0.005:
            fails.append(f"{src} -> {m['name']}: kernel_scale {m['kernel_scale']:.4f}, the curve gives {want:.4f}")
    if src == "none":
        continue
    if "compute curve" not in d["model_notes"]:
        fails.append(f"{src}: the notes do not say the compute curve was used: {d['model_notes']}")
    for run, name in COMPUTE_BOUND.items():
        p, meas = modes[name], measured_step(run)
        if not p["kernel_scale"] > 1.05:
            fails.append(f"{src} -> {run}: kernel_scale {p['kernel_scale']:.3f}, want > 1.05 (busier than recorded)")
        # the curve's own spread (its fastest and slowest bursts) widens the range of a step made of scaled kernels
        s = p["step_s"]
        if not s["min"] < s["median"] < s["max"]:
            fails.append(f"{src} -> {run}: step range {s} carries none of the curve's spread")
        if abs(p["step_s"]["median"] - meas) / meas > 0.10:
            fails.append(f"{src} -> {run}: step {p['step_s']['median']:.4f} s vs measured {meas:.4f} s")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY

# (g) the switch step's one-off cost, which one recording cannot tell apart from its move: a model-offload recording
# says its modes that move no expert lack the first use; a layerwise one gives its own excess to every mode.
python3 - "$tmp/curve_layer_pinned_p1.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert "switch step: this recording's excess at the switch" in d["model_notes"], d["model_notes"]
PY
"$WANPROF" whatif --json --machine "$W/machine.json" "$W/model_pageable.json.gz" >"$tmp/model_notes.json" || fail=1
python3 -c 'import json, sys; n = json.load(open(sys.argv[1]))["model_notes"]
assert "the second expert'"'"'s first use is inside this recording'"'"'s move" in n, n' "$tmp/model_notes.json" || fail=1

# Without --machine, the machine is the one the trace carries (wanprof run recorded it), at the run's own copy rates.
"$WANPROF" whatif "$W/layer_pinned_p1.json.gz" >"$tmp/default.txt" || fail=1
grep -q "^machine: NVIDIA H200 on vm (the trace's metadata)" "$tmp/default.txt" &&
    grep -q "at the run's own rate" "$tmp/default.txt" ||
    { echo "FAIL: whatif without --machine: $(head -3 "$tmp/default.txt")"; fail=1; }

# (d) refusals: exit status and what the message says
expect_fail() { # STATUS PATTERN what... -- ARGS...
    local want=$1 pattern=$2
    shift 2
    local what=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" != "$want" ] || ! grep -qF -- "$pattern" "$tmp/err"; then
        echo "FAIL: $what: exit $rc (want $want), stderr lacks '$pattern': $(cat "$tmp/err")"
        fail=1
    fi
}
expect_fail 1 "$tmp/missing.json" "missing machine file" \
    "$WANPROF" whatif --machine "$tmp/missing.json" "$W/none.json.gz"
expect_fail 1 "$W/wan_a14b_blocks4.json" "a model config as machine file" \
    "$WANPROF" whatif --machine "$W/wan_a14b_blocks4.json" "$W/none.json.gz"

# The none fixture with its machine metadata taken out, and cut before step 2 (two steps left).
python3 - "$W/none.json.gz" "$tmp" <<'PY' || fail=1
import gzip, json, sys
src, out = sys.argv[1:]
d = json.load(gzip.open(src))
ev = d["traceEvents"]
bare = dict(d, traceEvents=[e for e in ev if not (e.get("name") == "wp_meta" and e["args"].get("key") == "machine")])
bare["wanprofRun"] = json.loads(json.dumps(d["wanprofRun"]))
for p in bare["wanprofRun"]["processes"]:
    assert p["meta"].pop("machine", None), "the fixture carries no machine metadata to take out"
json.dump(bare, open(f"{out}/nomachine.json", "w"))
t2 = min(e["ts"] for e in ev if e.get("name", "").startswith("step 2 "))
json.dump(dict(d, traceEvents=[e for e in ev if e.get("ph") == "M" or e.get("ts", 0) < t2]),
          open(f"{out}/twosteps.json", "w"))
PY
mkdir -p "$tmp/home"
expect_fail 1 "run \`wanprof calibrate\`" "a trace without machine metadata and nothing cached" \
    env HOME="$tmp/home" XDG_CACHE_HOME="$tmp/home" "$WANPROF" whatif "$tmp/nomachine.json"
grep -qF -- "--machine FILE" "$tmp/err" || { echo "FAIL: no-machine message does not offer --machine"; fail=1; }
# ... and the same trace is fine once given the machine file, so the refusal above was about the machine alone
env HOME="$tmp/home" XDG_CACHE_HOME="$tmp/home" "$WANPROF" whatif --machine "$W/machine.json" "$tmp/nomachine.json" \
    >/dev/null || { echo "FAIL: the trace without machine metadata, given --machine"; fail=1; }
expect_fail 1 "at least 3 steps; the trace has 2" "a trace of two steps" \
    "$WANPROF" whatif --machine "$W/machine.json" "$tmp/twosteps.json"
expect_fail 2 "no TRACE given" "no TRACE" "$WANPROF" whatif
# A split explain calls doubtful (the planted fixture's three kernel names, split without its marks) is not predicted
# from: every figure would rest on steps that are not the loop's
expect_fail 1 "split into steps is doubtful: the kernel sequence repeats weakly" "a doubtful step split" \
    "$WANPROF" whatif --step-source kernels --machine "$W/machine.json" "$WP_FIXTURES/planted_annotated.json.gz"

# A trace of an older runner, whose metadata names the mode but not what the weights weigh: still the runner's mode
# (kept host buffers, not a PyTorch program's new tensors), the sizes from its copies, and its own switch predicted
# within 15% of the switch its step marks time.
"$WANPROF" whatif --json --machine "$W/machine.json" \
    "$WP_SOURCE_DIR/examples/runner_offload/model_pageable_shift3.sqlite" >"$tmp/old.json" || fail=1
python3 - "$tmp/old.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
loop, m = d["loop"], d["measured"]
assert loop["recorded_mode_from"] == "the runner's metadata", loop["recorded_mode_from"]
assert loop["recorded_mode"] == {"kind": "model", "host_memory": "pageable", "new_host_memory": False}, loop
assert loop["weights_from"].startswith("the host->GPU copies"), loop["weights_from"]
rec = [x for x in d["modes"] if x["recorded"]]
assert len(rec) == 1 and rec[0]["name"] == "model, pageable", rec
err = abs(rec[0]["switch_step_s"]["median"] - m["switch_step_s"]) / m["switch_step_s"]
assert err <= 0.15, (rec[0]["switch_step_s"], m["switch_step_s"])
PY

# (h) diffusers' group offloading learns the blocks' order in each expert's first forward, copying them one after the
# other: from the 12-block model-offload run (corpus 16, no metadata: the model config gives the sizes), the group
# mode's switch step exceeds its ordinary step by that forward's extra, which for a copy-bound forward is the 11
# blocks' compute prefetch hides (block_compute_s x kernel_scale each); a mode that prefetches from the start has no
# such excess; and the group run the same diffusers recorded (bench/RESULTS.md: switch step 1.259 s) is within 15%.
python3 - "$W/wan_a14b_blocks4.json" "$tmp/wan12.json" <<'PY' || fail=1
import json, sys
c = json.load(open(sys.argv[1]))
c["transformer"]["num_layers"] = 12
json.dump(c, open(sys.argv[2], "w"))
PY
"$WANPROF" whatif --json --model-config "$tmp/wan12.json" --sampler diffusers-unipc --shift 3 --steps 6 \
    "$WP_FIXTURES/corpus/16_model_unipc_s3_n6_a14b12blocks_wanprof.json.gz" >"$tmp/group.json" || fail=1
python3 - "$tmp/group.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
loop, modes = d["loop"], {m["name"]: m for m in d["modes"]}
g, p1 = modes["group (diffusers): blocks p1 pinned, the rest round-trips"], modes["layerwise p1, pinned"]
assert g["mode"]["learns_order"] and not p1["mode"]["learns_order"], (g["mode"], p1["mode"])
# the same pinned block copy as p1's, whose host link time is all block copies
block_copy = p1["host_link_s_per_step"] / (loop["forwards_per_step"] * loop["blocks"])
k = loop["block_compute_s"] * g["kernel_scale"]
assert block_copy > k, (block_copy, k)  # copy-bound: the rule below is the copy-bound one
extra = g["switch_step_s"]["median"] - g["step_s"]["median"]
want = (loop["blocks"] - 1) * k
assert abs(extra - want) <= 1e-3 * want, (extra, want)
assert abs(p1["switch_step_s"]["median"] - p1["step_s"]["median"]) < 1e-9, p1
assert abs(g["switch_step_s"]["median"] - 1.259) / 1.259 <= 0.15, g["switch_step_s"]
PY

# (i) ... and from a group recording (corpus 06: diffusers, 2 small blocks, group offloading with a stream), its
# switch step's excess (loop.switch_excess_s) holds its own learning forward: the group mode keeps that excess, the
# modes that prefetch from the start have it less (blocks - 1) x block_compute_s (copy-bound, at the recording's own
# clocks).
"$WANPROF" whatif --json --machine "$W/machine.json" --blocks 2 --sampler diffusers-unipc --shift 5 --steps 27 \
    "$WP_FIXTURES/corpus/06_group_unipc_s5_n27_wanprof.json.gz" >"$tmp/group_rec.json" || fail=1
python3 - "$tmp/group_rec.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
loop, modes = d["loop"], {m["name"]: m for m in d["modes"]}
assert loop["recorded_mode"]["learns_order"], loop["recorded_mode"]
g = modes["group (diffusers): blocks p1 pinned, the rest round-trips"]
assert g["recorded"], g
excess = lambda m: m["switch_step_s"]["median"] - m["step_s"]["median"]
p1 = modes["layerwise p1, pinned"]
assert p1["host_link_s_per_step"] / (loop["forwards_per_step"] * loop["blocks"]) > loop["block_compute_s"]
want = (loop["blocks"] - 1) * loop["block_compute_s"]
assert loop["switch_excess_s"] > want > 0, (loop["switch_excess_s"], want)
assert abs(excess(g) - loop["switch_excess_s"]) <= 1e-9, (excess(g), loop)  # its own forward, taken out and put back
for name in ("none", "layerwise p1, pinned"):
    got = loop["switch_excess_s"] - excess(modes[name])
    assert abs(got - want) <= 1e-6 * loop["switch_excess_s"], (name, got, want)
PY

[ "$fail" = 0 ] && echo "ok: whatif"
exit "$fail"
