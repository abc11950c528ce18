#!/usr/bin/env bash
# whatif_call_diffusers.sh: one device call (issue 15): a calibration (the traces carry it), then diffusers'
# WanPipeline trio (model offload, group offloading with a stream, none; A14B-sized blocks), then group and model
# offload with 12 such blocks, with wan_pipe.py's truth, memory included.
# usage on the GPU machine, carrying .carry/wi, .carry/diffusers_src.tar.gz, .carry/diffusers_commit.txt:
#   bash bench/gpu/whatif_call_diffusers.sh          (results under $OUT)
set -uo pipefail
start=$(date +%s)
source bench/gpu/whatif_call_env.sh
echo "== wanprof calibrate"
timeout 90 wanprof calibrate --json >"$OUT/machine_3.json" || echo "calibrate failed"
RECORD_ONLY=${RECORD_ONLY:-'^1[2-6]_'} RECORD_BUDGET_S=$((${CALL_BUDGET_S:-400} - ($(date +%s) - start))) \
    bash bench/gpu/corpus/record.sh 2>&1 | grep -E "^== |call took|rc " | tail -12
echo "call took $(($(date +%s) - start)) s"
