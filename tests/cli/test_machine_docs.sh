#!/usr/bin/env bash
# The machine documents `wanprof whatif --machine` reads are valid against their schemas: every hand-written
# description in examples/machines/ against schemas/machine_spec.schema.json (and each of its copy figures says where
# it comes from), the H200 calibrate fixtures (before and with the compute curve) against schemas/machine.schema.json.
# The spec schema is no rubber stamp: a description without its source, or a spread with a measured count, is refused.
set -uo pipefail
: "${WP_SOURCE_DIR:?}" "${WP_FIXTURES:?}"
python3 -c "import jsonschema" 2>/dev/null || { echo "SKIP: python3-jsonschema missing (scripts/setup.sh)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$WP_SOURCE_DIR" "$WP_FIXTURES" "$tmp/spec_curve.json" <<'PY'
import glob, json, sys
import jsonschema
src, fixtures = sys.argv[1:3]
V = jsonschema.Draft202012Validator
spec_schema = json.load(open(f"{src}/schemas/machine_spec.schema.json"))
V.check_schema(spec_schema)
specs = sorted(glob.glob(f"{src}/examples/machines/*.json"))
assert specs, "no example in examples/machines"
for path in specs:
    doc = json.load(open(path))
    V(spec_schema).validate(doc)
    for i, entry in enumerate(doc["host_copies"] + doc.get("latency", [])):
        assert entry.get("source"), f"{path}: entry {i} does not say where its figure comes from"
        f = entry.get("bandwidth_gb_per_s") or entry["seconds"]
        assert f["min"] <= f["median"] <= f["max"], f"{path}: entry {i} out of order: {f}"
    print("valid:", path[len(src) + 1:])
for rel in ("machines/h200_calibrate.json", "whatif/machine_h200_curve.json"):  # before and with the compute curve
    V(json.load(open(f"{src}/schemas/machine.schema.json"))).validate(json.load(open(f"{fixtures}/{rel}")))
    print(f"valid: tests/fixtures/{rel}")
for what in ("source", "count"):
    d = json.loads(json.dumps(json.load(open(specs[0]))))
    if what == "source":
        del d["source"]
    else:
        d["host_copies"][0]["bandwidth_gb_per_s"]["count"] = 7
    if V(spec_schema).is_valid(d):
        raise SystemExit(f"the spec schema accepted a document with {what} changed")
print("refused: a spec without its source, a spec spread with a count")
# A description may carry a compute curve copied as it is from a calibration of the same GPU model, as the schema
# says: valid, and read by whatif, which then scales kernel times by it.
d = json.loads(json.dumps(json.load(open(specs[0]))))
d["compute"] = json.load(open(f"{fixtures}/whatif/machine_h200_curve.json"))["compute"]
V(spec_schema).validate(d)
json.dump(d, open(sys.argv[3], "w"))
print("valid: a description with a calibration's compute curve")
PY
rc=$?
[ $rc -eq 0 ] || exit $rc
"${WANPROF:?}" whatif --json --machine "$tmp/spec_curve.json" "$WP_FIXTURES/whatif/layer_pinned_p1.json.gz" \
    >"$tmp/out.json" || { echo "FAIL: whatif --machine a description with a compute curve"; exit 1; }
python3 - "$tmp/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
none = [m for m in d["modes"] if m["name"] == "none"][0]
assert "compute curve" in d["model_notes"] and none["kernel_scale"] > 1.05, (d["model_notes"], none["kernel_scale"])
print(f"ok: whatif reads the description's curve (none: kernel_scale {none['kernel_scale']:.3f})")
PY
