#!/usr/bin/env bash
# test_schedule.sh: `wanprof schedule` end to end: the printed table and switch line, the --switch-at inversion, the
# --json output (parsed with python3 and checked against schemas/schedule.schema.json),
# the help page and the exit status of bad usage.
set -u
W=${WANPROF:?WANPROF must name the wanprof binary}
SRC=${WP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect STATUS CMD...: runs CMD with stdout/stderr in $tmp/out, $tmp/err and checks the exit status.
expect() {
    local want=$1; shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want: $(head -c 300 "$tmp/err")"
}
has() { grep -qF -- "$1" "$2" || fail "${3:-$2} lacks '$1'"; }

# --- the default: wan, 27 steps, shift 12, boundary 0.875 ---
expect 0 "$W" schedule
has "first low-noise step: index 18 (the 19th step), t=856" "$tmp/out" "default schedule"
has "last high-noise step: index 17, t=875 (boundary 875)" "$tmp/out" "default schedule"
has "index" "$tmp/out"
has "expert" "$tmp/out"
rows=$(grep -cE '^ +[0-9]+ +[0-9]+ +[0-9]+ ' "$tmp/out")
[ "$rows" -eq 27 ] || fail "default table has $rows step rows, expected 27"
grep -qE '^ +17 +18 +875 +875\.7396' "$tmp/out" || fail "row 17 is not t=875 (875.74 truncated)"
grep -qE '^ +18 +19 +856 .*low-noise$' "$tmp/out" || fail "row 18 is not the first low-noise step"

# --- the step-10 spike: shift 3 ---
expect 0 "$W" schedule --shift 3
has "first low-noise step: index 9 (the 10th step)" "$tmp/out" "shift 3"
expect 0 "$W" schedule --shift=3 --sampler=wan --steps=27
has "first low-noise step: index 9 (the 10th step)" "$tmp/out" "--opt=value form"

# --- the table of shared/wan22.md through the CLI ---
check_switch() { # SAMPLER SHIFT INDEX: writes the JSON and the expectation for one python pass below
    expect 0 "$W" schedule --sampler "$1" --shift "$2" --json
    mv "$tmp/out" "$tmp/table-$1-$2.json"
    echo "$tmp/table-$1-$2.json $3" >>"$tmp/table.list"
}
for row in "wan 1 4" "wan 2 6" "wan 3 9" "wan 5 12" "wan 8 15" "wan 12 18" \
    "sglang 2 6" "sglang 3 9" "sglang 12 18" \
    "diffusers-unipc 1 4" "diffusers-unipc 2 7" "diffusers-unipc 3 9" "diffusers-unipc 12 18" \
    "diffusers-euler 1 4" "diffusers-euler 2 6" "diffusers-euler 3 8" "diffusers-euler 5 11" \
    "diffusers-euler 8 14" "diffusers-euler 12 17"; do
    check_switch $row
done
python3 - "$tmp/table.list" <<'PY' || fail "the switch table of shared/wan22.md"
import json, sys
bad = 0
for line in open(sys.argv[1]):
    path, want = line.split()
    d = json.load(open(path))
    got = d["first_low_noise"]["index"]
    if got != int(want):
        print(f"{d['sampler']} shift {d['shift']}: first low-noise index {got}, expected {want}", file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
PY

# --- JSON: structure, consistency, schema ---
expect 0 "$W" schedule --sampler diffusers-euler --steps 40 --shift 5 --json
cp "$tmp/out" "$tmp/euler.json"
python3 - "$tmp/euler.json" <<'PY' || fail "euler JSON checks"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "schedule" and d["sampler"] == "diffusers-euler", d
assert d["steps"] == 40 and d["shift"] == 5 and d["boundary"] == 0.875 and d["train_steps"] == 1000
assert d["timestep_type"] == "float32" and d["boundary_timestep"] == 875
s = d["schedule"]
assert len(s) == 40 and [r["index"] for r in s] == list(range(40)) and [r["step"] for r in s] == list(range(1, 41))
assert s[0]["timestep"] == 1000 and s[0]["sigma"] == 1, s[0]
assert any(r["timestep"] != int(r["timestep"]) for r in s), "euler timesteps are floats"
assert all(a["timestep"] >= b["timestep"] for a, b in zip(s, s[1:]))
k = d["first_low_noise"]["index"]
assert all((r["expert"] == "high-noise") == (r["index"] < k) for r in s)
assert all((r["timestep"] >= 875) == (r["expert"] == "high-noise") for r in s)
assert d["first_low_noise"]["step"] == k + 1 and d["first_low_noise"]["timestep"] == s[k]["timestep"]
PY
expect 0 "$W" schedule --json
cp "$tmp/out" "$tmp/wan.json"
python3 - "$tmp/wan.json" <<'PY' || fail "wan JSON checks"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["schedule"]
assert d["timestep_type"] == "int64" and all(isinstance(r["timestep"], int) for r in s)
assert s[17]["timestep"] == 875 and 875 < s[17]["timestep_raw"] < 876 and s[17]["expert"] == "high-noise"
assert d["first_low_noise"] == {"index": 18, "step": 19, "timestep": 856}, d["first_low_noise"]
PY
expect 0 "$W" schedule --switch-at 10 --json
cp "$tmp/out" "$tmp/switch.json"
python3 - "$tmp/switch.json" <<'PY' || fail "switch-at JSON checks"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "switch-at" and "schedule" not in d
sw = d["switch_at"]
assert sw["index"] == 9 and sw["step"] == 10 and not sw["never_switches"]
assert sw["shift_min"] == 0.1 and sw["shift_max"] == 100
(r,) = sw["ranges"]
assert abs(r["lo"] - 2.96) < 0.01 and abs(r["hi"] - 3.51) < 0.01 and r["lo"] <= 3 < r["hi"], r
assert not r["lo_at_limit"] and not r["hi_at_limit"]
assert r["known_shift"]["shift"] == 3 and "480P" in r["known_shift"]["where"], r
PY
expect 0 "$W" schedule --steps 8 --shift 1 --json
cp "$tmp/out" "$tmp/short.json"
python3 - "$SRC/schemas/schedule.schema.json" "$tmp"/{euler,wan,switch,short}.json <<'PY' || fail "output does not match schemas/schedule.schema.json"
import json, sys
schema = json.load(open(sys.argv[1]))
import jsonschema
jsonschema.Draft202012Validator.check_schema(schema)
for path in sys.argv[2:]:
    jsonschema.validate(json.load(open(path)), schema)
PY

# --- --switch-at in text ---
expect 0 "$W" schedule --switch-at 10
has "shifts making index 9 (the 10th step) the first low-noise step" "$tmp/out" "--switch-at 10"
grep -qE 'shift in \[2\.9[5-6][0-9]*, 3\.51[0-9]*\)' "$tmp/out" || fail "--switch-at 10 range is not ~[2.96, 3.51): $(cat "$tmp/out")"
has "includes shift 3: Wan2.1 T2V 480P base config" "$tmp/out" "--switch-at 10"
expect 0 "$W" schedule --switch-at 19 --shift 12
grep -qE 'shift in \[11\.9[0-9]*, 14\.0[0-9]*\)' "$tmp/out" || fail "--switch-at 19 range does not hold 12: $(cat "$tmp/out")"
has "(for comparison, shift 12 gives index 18, the 19th step)" "$tmp/out" "--switch-at 19 --shift 12"
expect 1 "$W" schedule --switch-at 1 # t at step 0 is >= 990 for every shift >= 0.1
has "none: no shift in [0.1, 100]" "$tmp/out" "--switch-at 1"

# --- help ---
expect 0 "$W" schedule --help
for section in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "EXIT STATUS"; do has "$section" "$tmp/out" "help page"; done
for opt in --sampler --steps --shift --boundary --train-steps --switch-at --json; do has "$opt" "$tmp/out" "help page"; done
cp "$tmp/out" "$tmp/help1"
expect 0 "$W" help schedule
cmp -s "$tmp/out" "$tmp/help1" || fail "'wanprof help schedule' differs from 'wanprof schedule --help'"

# --- bad usage: exit 2, a message naming the option ---
bad() { # OPTION-NAME-EXPECTED-IN-MESSAGE ARGS...
    local name=$1; shift
    expect 2 "$W" schedule "$@"
    grep -qF -- "$name" "$tmp/err" || fail "'schedule $*' error does not name $name: $(cat "$tmp/err")"
    [ -s "$tmp/out" ] && fail "'schedule $*' printed to stdout on a usage error"
}
bad --steps --steps 0
bad --steps --steps -3
bad --steps --steps 2.5
bad --steps --steps abc
bad --shift --shift -1
bad --shift --shift 0
bad --shift --shift nan
bad --shift --shift 0.005
bad --switch-at --steps 1001 --switch-at 10
bad --boundary --boundary 1.5
bad --train-steps --train-steps 0
bad --sampler --sampler unipc
bad "diffusers-unipc" --sampler nope
bad --switch-at --switch-at 0
bad --switch-at --switch-at 29
bad --shift-min --shift-min 5 --shift-max 4
bad "--bogus" --bogus
bad "needs a value" --steps
bad "unexpected argument" 27

if [ "$failures" -ne 0 ]; then
    echo "test_schedule.sh: $failures failure(s)" >&2
    exit 1
fi
echo "test_schedule.sh: all checks passed"
