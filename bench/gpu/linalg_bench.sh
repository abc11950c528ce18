#!/usr/bin/env bash
# linalg_bench.sh: wplinalg on the GPU machine: its GPU tests (tests/linalg), then the Wan block's linears and the
# 75,600-token attention through wplinalg (linalg_bench) against PyTorch on the same GPU in the same run
# (linalg_bench.py). Builds nothing: build here with
#   cmake -S . -B build-linalg -DCMAKE_BUILD_TYPE=Release && cmake --build build-linalg -j2 --target \
#     test_linalg_linear test_linalg_attention_cudnn linalg_bench
# carry build-linalg/bin, and run `bash bench/gpu/linalg_bench.sh build-linalg` there. Logs under $OUT (or ./linalg-out).
# usage: bench/gpu/linalg_bench.sh [BUILD_DIR] [tests|bench|all]
set -uo pipefail
cd "$(dirname "$0")/../.."
B=$(cd "${1:-build-linalg}" && pwd)/bin
what=${2:-all}
OUT=${OUT:-$PWD/linalg-out}
mkdir -p "$OUT"
export LD_LIBRARY_PATH="/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}" NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1
py=python3
$py -c 'import torch' 2>/dev/null || py=/opt/torch/.venv/bin/python3
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
$py -c 'import ctypes; print("cuDNN found by the loader: version", ctypes.CDLL("libcudnn.so.9").cudnnGetVersion())'
status=0
if [ "$what" != bench ]; then
    for t in linear attention_cudnn; do
        /usr/bin/time -f "test_linalg_$t: %e s" "$B/test_linalg_$t" > "$OUT/test_linalg_$t.log" 2>&1
        rc=$?
        [ $rc -ne 0 ] && status=1
        echo "== test_linalg_$t rc=$rc"
        grep -E '^RESULT|MISMATCH|info|refusal|available|checks,|^device| s$' "$OUT/test_linalg_$t.log" | cut -c1-200
    done
fi
if [ "$what" != tests ]; then
    "$B/linalg_bench" > "$OUT/ours.txt" 2> "$OUT/ours.err" || status=1
    cat "$OUT/ours.txt" "$OUT/ours.err"
    $py bench/gpu/linalg_bench.py "$OUT/ours.txt" 2>&1 | tee "$OUT/compare.txt"
    "$B/linalg_bench" linear > "$OUT/ours_again.txt" 2>&1 # drift check: the same linears after torch ran
    echo "== ours again (after torch):"
    cat "$OUT/ours_again.txt"
fi
exit $status
