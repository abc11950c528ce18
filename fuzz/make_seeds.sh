#!/usr/bin/env bash
# Builds the fuzz seed corpora from tests/fixtures into OUT (default build-fuzz/fuzz-seeds), not committed:
#   base/   small valid traces the structure-aware targets start from: small.json(.gz) (a slice of the Kineto
#           fixture: a few events of every category, flows, metadata, deviceProperties), ours.sqlite and ours.json
#           (that slice exported by wanprof), nsys.sqlite (ours without the WANPROF_* tables, as an nsys export has);
#           ts_*, the real recordings fuzz_timestamps edits (examples/switch_demo's, a public Kineto trace with
#           ProfilerStep ranges, the runner without NVTX from tests/fixtures/corpus)
#   <target>/  one corpus per fuzz target, inputs in that target's format (flags byte + file, or argv lines), plus
#           the hand-made seeds committed in fuzz/seeds/<target>/.
# Usage: fuzz/make_seeds.sh WANPROF [OUT]   (WANPROF: a built wanprof binary, used for the exports)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wanprof=${1:?usage: make_seeds.sh WANPROF [OUT]}
out=${2:-$root/build-fuzz/fuzz-seeds}
fixtures=$root/tests/fixtures
rm -rf "$out"
mkdir -p "$out/base"
base=$out/base

python3 - "$fixtures" "$base" <<'PY'
import gzip, json, sys, collections
fixtures, base = sys.argv[1], sys.argv[2]
d = json.load(gzip.open(f"{fixtures}/kineto_sample.json.gz"))
events = d["traceEvents"]
keep, per = [], collections.Counter()
want_ids = set()
for e in events:  # up to 6 events of each (ph, cat), metadata always
    key = (e.get("ph"), e.get("cat"))
    if e.get("ph") == "M" or per[key] < 6:
        per[key] += 1
        keep.append(e)
small = dict(d)
small["deviceProperties"] = d["deviceProperties"][:2]
small["traceEvents"] = keep
open(f"{base}/small.json", "w").write(json.dumps(small, separators=(",", ":")))
with gzip.open(f"{base}/small.json.gz", "wb") as g:
    g.write(json.dumps(small).encode())
# Tiny slices: one event of a kind each, for the byte-level corpus.
for cat in ("kernel", "gpu_memcpy", "cuda_runtime", "user_annotation", "cpu_op", "overhead"):
    one = [e for e in events if e.get("cat") == cat][:2]
    meta = [e for e in events if e.get("ph") == "M"][:3]
    open(f"{base}/slice_{cat}.json", "w").write(json.dumps({"traceEvents": meta + one}))
PY

"$wanprof" export "$base/small.json" "$base/ours.sqlite" >/dev/null
"$wanprof" export "$base/ours.sqlite" "$base/ours.json" >/dev/null
# Small pages keep the byte-level inputs short (libFuzzer mutates every byte it is given).
sqlite3 "$base/ours.sqlite" "PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;" >/dev/null
cp "$base/ours.sqlite" "$base/nsys.sqlite"
tables=$(sqlite3 "$base/nsys.sqlite" "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'WANPROF%'")
for t in $tables; do
    sqlite3 "$base/nsys.sqlite" "DROP TABLE $t"
done
sqlite3 "$base/nsys.sqlite" "VACUUM" >/dev/null

# A corpus entry: flags byte ($1, 0-255) then a file's bytes.
entry() { { printf "\\$(printf '%03o' "$1")"; cat "$2"; } >"$3"; }

mkdir -p "$out/fuzz_json" "$out/fuzz_chrome" "$out/fuzz_sqlite" "$out/fuzz_sqlite_sql" "$out/fuzz_cli" "$out/fuzz_schedule" \
    "$out/fuzz_safetensors" "$out/fuzz_model_config" "$out/fuzz_timestamps" "$out/fuzz_machine"
for f in "$base"/small.json "$base"/ours.json "$base"/slice_*.json; do
    n=$(basename "$f" .json)
    entry 0 "$f" "$out/fuzz_chrome/$n-plain"
    entry 1 "$f" "$out/fuzz_chrome/$n-sorted"
    entry 2 "$f" "$out/fuzz_chrome/$n-gz"        # flags 2: compressed by the target
    entry 68 "$f" "$out/fuzz_chrome/$n-gzcut"    # flags 4 | 64: cut at 2/8
done
entry 0 "$base/small.json.gz" "$out/fuzz_chrome/small-rawgz"
for f in "$base"/slice_*.json; do # fuzz_json: flags 255 = the whole window
    entry 255 "$f" "$out/fuzz_json/$(basename "$f" .json)"
done
head -c 4000 "$base/ours.json" >"$base/ours-head.json"
entry 255 "$base/ours-head.json" "$out/fuzz_json/ours-head"
entry 128 "$base/ours-head.json" "$out/fuzz_json/ours-head-cut"
entry 0 "$base/ours.sqlite" "$out/fuzz_sqlite/ours"
entry 1 "$base/ours.sqlite" "$out/fuzz_sqlite/ours-sorted"
entry 0 "$base/nsys.sqlite" "$out/fuzz_sqlite/nsys"
entry 17 "$base/nsys.sqlite" "$out/fuzz_sqlite/nsys-sorted-base"

# Model files: the safetensors fixtures as they are; configs behind the byte that says where they go (0: a config
# file; 1-5: transformer, transformer_2, model_index, scheduler, vae of a diffusers directory).
cp "$fixtures"/model/st/*.safetensors "$out/fuzz_safetensors/"
cp "$fixtures"/machines/*.json "$fixtures"/whatif/machine_h200_curve.json "$root"/examples/machines/*.json \
    "$out/fuzz_machine/" # fuzz_machine: the JSON itself (the last calibration with its compute curve)
entry 0 "$root/schemas/wan-tiny.json" "$out/fuzz_model_config/ours-tiny"
entry 0 "$root/schemas/wan2.2-t2v-a14b.json" "$out/fuzz_model_config/ours-a14b"
entry 0 "$fixtures/model/a14b-diffusers/transformer/config.json" "$out/fuzz_model_config/transformer-only"
entry 1 "$fixtures/model/tiny-diffusers/transformer/config.json" "$out/fuzz_model_config/dir-transformer"
entry 2 "$fixtures/model/a14b-diffusers/transformer_2/config.json" "$out/fuzz_model_config/dir-transformer_2"
entry 3 "$fixtures/model/a14b-diffusers/model_index.json" "$out/fuzz_model_config/dir-model_index"
entry 4 "$fixtures/model/a14b-diffusers/scheduler/scheduler_config.json" "$out/fuzz_model_config/dir-scheduler"
entry 5 "$fixtures/model/a14b-diffusers/vae/config.json" "$out/fuzz_model_config/dir-vae"

# fuzz_timestamps: the recordings as they are, in every form (flags 0-15, an edit that shifts by 0: libFuzzer mutates
# inputs up to the longest seed's length at first, so an edit must be there to change), and issue 13's cases as edits
# (event index 2 bytes, operation 1 byte, value 8 bytes; fuzz/fuzz_timestamps.c) on each recording written both ways:
# an hour-long and a day-long event, the run after one event moved a day and ten days on, an event ending at INT64_MAX.
cp "$root/examples/switch_demo/switch_demo_shift3.sqlite" "$base/ts_switch_demo.sqlite"
cp "$fixtures/public/hta_mi250_rocm62/mi250_minitoy_train_ROCm6_2_kineto.json.gz" "$base/ts_kineto.json.gz"
cp "$fixtures/corpus/10_runner_nonvtx_model_s3_n27.json.gz" "$base/ts_runner.json.gz"
python3 - "$out/fuzz_timestamps" <<'PY'
import struct, sys
SHIFT, DURATION, SHIFT_REST, NEAR_LIMIT = 2, 3, 4, 7
def edit(index, op, value):
    return struct.pack("<HBq", index, op, value)
cases = {"hour": edit(1000, DURATION, 3600 * 10**9), "day": edit(1000, DURATION, 86400 * 10**9),
         "gap-day": edit(1500, SHIFT_REST, 86400 * 10**9), "gap-10days": edit(1500, SHIFT_REST, 864000 * 10**9),
         "int64-max": edit(1000, NEAR_LIMIT, 1)}
for flags in range(16):
    open(f"{sys.argv[1]}/plain-{flags}", "wb").write(bytes([flags]) + edit(0, SHIFT, 0))
for flags in (0, 1, 2, 4, 5, 6):  # each recording, as SQLite and as JSON
    for name, e in cases.items():
        open(f"{sys.argv[1]}/{name}-{flags}", "wb").write(bytes([flags]) + e)
PY

# Seeds committed by hand (tiny, one idea each).
for t in fuzz_json fuzz_chrome fuzz_sqlite_sql fuzz_cli fuzz_schedule; do
    [ -d "$root/fuzz/seeds/$t" ] && cp "$root/fuzz/seeds/$t"/* "$out/$t/"
done
echo "make_seeds: $(find "$out" -type f | wc -l) files in $out"
