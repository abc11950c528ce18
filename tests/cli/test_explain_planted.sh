#!/usr/bin/env bash
# wanprof explain on the planted-cause Kineto fixtures (tests/reference/make_planted_traces.py, made on an H200):
# exactly the planted spikes (besides the warm-up step), each with the planted cause first, causes + unexplained
# adding up to the excess, the step source named; the JSON validated against schemas/explain.schema.json. Also the
# real sample trace when it is among the fixtures.
set -euo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}" "${WP_SOURCE_DIR:?}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for name in planted_annotated planted_unannotated; do
  trace=$WP_FIXTURES/$name.json.gz
  "$WANPROF" explain "$trace" > "$tmp/$name.txt" 2> "$tmp/$name.err"
  "$WANPROF" explain --json "$trace" > "$tmp/$name.json" 2> /dev/null
  python3 "$WP_SOURCE_DIR/tests/tools/check_causes.py" "$tmp/$name.json" >/dev/null
  python3 - "$tmp/$name.json" "$WP_FIXTURES/$name.json" "$WP_SOURCE_DIR/schemas/explain.schema.json" <<'PY'
import json, sys
out, sidecar, schema = (json.load(open(p)) for p in sys.argv[1:4])
import jsonschema
jsonschema.validate(out, schema)
rank = out["ranks"][0]
assert len(rank["steps"]) == sidecar["steps"], (len(rank["steps"]), sidecar["steps"])
want = {p["step"]: p["cause"] for p in sidecar["planted"]}
got = {s["step"]: s["causes"][0]["cause"] if s["causes"] else None for s in rank["spikes"] if not s["warmup"]}
assert got == want, f"spikes {got} != planted {want}"
for s in rank["spikes"]:
    total = sum(c["seconds"] for c in s["causes"]) + s["unexplained_s"]
    assert abs(total - s["excess_s"]) < 1e-6, s
    assert s["causes"][0]["seconds"] > 0.8 * s["excess_s"], s
warm = [s for s in rank["spikes"] if s["warmup"]]
assert all(s["step"] == sidecar["warmup_step"] and s["causes"][0]["cause"] == "recompilation" for s in warm), warm
print(sys.argv[2], "ok:", got)
PY
  grep -q "spikes: 4 (plus the warm-up step)" "$tmp/$name.txt"
  grep -q "step 9, the 10th step: .*over the" "$tmp/$name.txt"
  grep -q "expert_switch" "$tmp/$name.txt"
done
grep -q 'from step ranges like "denoising step 0"' "$tmp/planted_annotated.txt"
grep -q 'no step marks: one step per "Torch-Compiled Region" call' "$tmp/planted_unannotated.txt"
# without compiled regions to go by: the period of the kernel sequence marks the steps, with the same verdicts
"$WANPROF" explain --json --step-source kernels "$WP_FIXTURES/planted_unannotated.json.gz" 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)["ranks"][0]
assert r["step_source"] == "kernels" and len(r["steps"]) == 27, r["step_source_text"]
got = {s["step"]: s["causes"][0]["cause"] for s in r["spikes"] if not s["warmup"]}
assert got == {5: "recompilation", 9: "expert_switch", 14: "memcpy_stall", 20: "allocator"}, got'

if [ -f "$WP_FIXTURES/kineto_sample.json.gz" ]; then
  "$WANPROF" explain "$WP_FIXTURES/kineto_sample.json.gz" > "$tmp/sample.txt" 2>/dev/null
  grep -q "recompilation" "$tmp/sample.txt"
  grep -q "expert_switch" "$tmp/sample.txt"
  grep -q "memcpy_stall" "$tmp/sample.txt"
fi
echo ok
