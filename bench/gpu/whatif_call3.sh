#!/usr/bin/env bash
# whatif_call3.sh: one device call (issue 15): calibrate (with copies into new host memory) and its GPU test, the
# diffusers trio recorded after it (so the traces carry that calibration), then the runner at full 81 frames.
# usage on the GPU machine, carrying .carry/wi, .carry/diffusers_src.tar.gz, .carry/diffusers_commit.txt:
#   bash bench/gpu/whatif_call3.sh          (results under $OUT)
set -uo pipefail
start=$(date +%s)
source bench/gpu/env.sh .carry/wi
export XDG_CACHE_HOME=/tmp/whatif-cache OUT=${OUT:-/tmp/whatif-out}
mkdir -p "$OUT" .carry/wi/share/wanprof && ln -sfn "$PWD/schemas" .carry/wi/share/wanprof/schemas
echo "== GPU test: tests/gpu/calibrate_sane.sh"
WP_BIN=$PWD/.carry/wi/bin WP_SOURCE_DIR=$PWD timeout 90 bash tests/gpu/calibrate_sane.sh
echo "== wanprof calibrate"
timeout 90 wanprof calibrate --json >"$OUT/machine.json" && wanprof calibrate 2>&1 | grep -E "DtoH|HtoD" | head -20
RECORD_ONLY='^1[234]_' RECORD_BUDGET_S=200 bash bench/gpu/corpus/record.sh 2>&1 | grep -E "^== |call took" | tail -12
rm -rf corpus-out
WHATIF_BUDGET_S=$((555 - ($(date +%s) - start))) bash bench/gpu/whatif_record.sh .carry/wi a14b_81 2>&1 | tail -20
