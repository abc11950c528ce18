#!/usr/bin/env bash
# layout_check.sh: on the GPU machine, the carried minimal tree (bench/gpu/pack_min.sh) used as an installed tree
# would be: bin/ lib/wanprof/ share/wanprof/schemas, run from another folder with nothing but PATH pointing at it.
# Checks the GPU tests (kernels, runner against diffusers, collector exactness), the versions, the runner finding its
# presets and `wanprof run` finding the collector, and the demo's GPU job (the runner profiled and explained).
# usage: bash bench/gpu/layout_check.sh MIN_DIR     (results under $OUT: layout.log, demo.sqlite)
set -uo pipefail
root=$(pwd)
min=$(cd "$1" && pwd)
OUT=${OUT:-/tmp/layout-out}
mkdir -p "$OUT" "$min/share/wanprof"
ln -sfn "$root/schemas" "$min/share/wanprof/schemas"
export LD_LIBRARY_PATH="$min/devlibs:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
export PATH="$min/bin:$PATH" NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1
B=$min/tests
status=0
step() { echo; echo "== $*"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

step "kernel tests"
for t in "$B"/test_kernel_*; do
    "$t" >"$OUT/$(basename "$t").log" 2>&1
    rc=$?
    echo "$(basename "$t"): rc=$rc $(grep -c '^RESULT' "$OUT/$(basename "$t").log") checks, $(grep '^RESULT' "$OUT/$(basename "$t").log" | grep -c FAIL) failed"
    [ $rc -eq 0 ] || status=1
done
step "runner against diffusers (tests/reference/runner)"
"$B/test_runner_reference" "$root/tests/reference/runner" 2>&1 | tail -6
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
step "collector exactness (tests/gpu/run_exact.sh)"
WANPROF=$min/bin/wanprof WP_BIN=$B bash "$root/tests/gpu/run_exact.sh" 2>&1 | tail -4
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

cd "$(mktemp -d)"
step "versions"
wanprof --version; wanprof-runner --version
step "the runner's preset from share/wanprof, the collector from lib/wanprof, from $(pwd)"
wanprof run -o tiny -- sh -c 'echo "injected: $CUDA_INJECTION64_PATH"; echo "nvtx: $NVTX_INJECTION64_PATH"; exec wanprof-runner --preset tiny --steps 8' 2>&1 | tail -8
[ -s tiny.sqlite ] && wanprof explain --steps 8 tiny.sqlite | head -4 || status=1
step "the demo's GPU job: wanprof run -- wanprof-runner --preset 480p --layers 4 --offload model --shift 3"
start=$(date +%s)
wanprof run --force -o "$OUT/demo" -- wanprof-runner --preset 480p --layers 4 --offload model --shift 3 2>&1 | tail -5
echo "wall $(($(date +%s) - start)) s"
wanprof explain --sampler sglang --shift 12 --steps 27 "$OUT/demo.sqlite" || status=1
rm -f "$OUT/demo.json.gz"
echo "layout_check: status $status"
exit $status
