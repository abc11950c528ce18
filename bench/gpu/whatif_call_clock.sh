#!/usr/bin/env bash
# whatif_call_clock.sh: one device call (issue 15, the compute curve): calibrate's GPU test, two calibrations a few
# minutes apart (copies from a pageable pool, the compute curve), then runner recordings: the SETs given (see
# whatif_record.sh; A14B_B_PICK narrows a14b_b), in the time left.
# usage on the GPU machine, carrying .carry/wi:  bash bench/gpu/whatif_call_clock.sh SET...   (results under $OUT)
set -uo pipefail
start=$(date +%s)
source bench/gpu/whatif_call_env.sh
echo "== GPU test: tests/gpu/calibrate_sane.sh"
WP_BIN=$PWD/.carry/wi/bin WP_SOURCE_DIR=$PWD timeout 90 bash tests/gpu/calibrate_sane.sh
echo "== wanprof calibrate (1)"
timeout 90 wanprof calibrate --json >"$OUT/machine_1.json" && wanprof calibrate 2>&1 | tail -22
for set in "$@"; do
    WHATIF_BUDGET_S=$((${CALL_BUDGET_S:-560} - 25 - ($(date +%s) - start))) \
        bash bench/gpu/whatif_record.sh .carry/wi "$set" 2>&1 | grep -E "^== |rc |SKIP"
done
echo "== wanprof calibrate (2)"
timeout 90 wanprof calibrate --json >"$OUT/machine_2.json"
echo "call took $(($(date +%s) - start)) s"
