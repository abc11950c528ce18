#!/usr/bin/env bash
# CI: a short run of every fuzz target (20 to 40 s each on the 2-core CI machine), starting from the seed corpora
# only; fails when any target finds a crash, a leak, undefined behaviour or a timeout. The run is a fixed number of
# inputs from a fixed seed, not a time, so the same commit tries the same inputs on every CI run: a red smoke run is
# a real finding of that commit, never the luck of a loaded machine. Long exploratory runs: bench/fuzz.sh.
# Environment: WP_FUZZ_SCALE (multiplies the inputs per target, default 1), WP_FUZZ_BUILD_DIR (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${WP_FUZZ_SCALE:-1}
bash fuzz/fuzz.sh build
build=${WP_FUZZ_BUILD_DIR:-build-fuzz}
status=0
# Inputs per target: 20 to 40 s each at the rates measured on the CI machine (inputs per second differ 1000-fold).
runs_of() {
    case $1 in
    fuzz_json) echo 2000000 ;;
    fuzz_safetensors) echo 100000 ;;  # ~3,400 inputs/s from the seeds on the 2-core dev machine: 30 s
    fuzz_model_config) echo 150000 ;; # ~6,000 inputs/s from the seeds: 25 s
    fuzz_machine) echo 300000 ;;      # ~15,000 inputs/s from the seeds: 20 s
    fuzz_cli) echo 30000 ;;
    fuzz_schedule) echo 10000 ;;
    fuzz_chrome | fuzz_sqlite) echo 8000 ;;
    fuzz_sqlite_sql) echo 1600 ;;
    fuzz_timestamps) echo 300 ;;   # its 46 seeds, then edits: 8 to 15 inputs/s on the 2-core dev machine
    *) echo 2000 ;;
    esac
}
for t in $(bash fuzz/fuzz.sh targets); do
    corpus="$PWD/$build/smoke-corpus/$t"
    rm -rf "$corpus" # a fresh corpus every time: the smoke run is the seeds plus a fixed sequence of mutations
    runs=$(($(runs_of "$t") * scale))
    echo "== $t ($runs inputs, seed 1)"
    WP_FUZZ_ARGS="-seed=1 -runs=$runs ${WP_FUZZ_ARGS:-}" bash fuzz/fuzz.sh run "$t" 900 "$corpus" || status=1
done
[ "$status" -eq 0 ] && echo "fuzz_smoke: no findings" || echo "fuzz_smoke: findings above"
exit "$status"
