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
# torch's wheel may bring its own (newer) cuDNN: the attention test and bench also run on it.
wheel=$($py -c 'import nvidia.cudnn as c; print(list(c.__path__)[0] + "/lib")' 2>/dev/null)
[ -n "$wheel" ] && [ -e "$wheel/libcudnn.so.9" ] || wheel=
if [ "$what" != bench ]; then
    for t in linear attention_cudnn; do
        /usr/bin/time -f "test_linalg_$t: %e s" "$B/test_linalg_$t" > "$OUT/test_linalg_$t.log" 2>&1
        rc=$?
        [ $rc -ne 0 ] && status=1
        echo "== test_linalg_$t rc=$rc"
        grep -E '^RESULT|MISMATCH|info|refusal|available|checks,|^device| s$' "$OUT/test_linalg_$t.log" | cut -c1-200
    done
    # The same attention test on the cuDNN of torch's wheel (newer than the loader's, when both are there).
    if [ -n "$wheel" ]; then
        LD_LIBRARY_PATH="$wheel:$LD_LIBRARY_PATH" "$B/test_linalg_attention_cudnn" > "$OUT/test_attention_wheel.log" 2>&1
        rc=$?
        [ $rc -ne 0 ] && status=1
        echo "== test_linalg_attention_cudnn with $wheel rc=$rc"
        grep -E '^RESULT|MISMATCH|available|checks,' "$OUT/test_attention_wheel.log" | cut -c1-200
    fi
fi
if [ "$what" != tests ]; then
    "$B/linalg_bench" > "$OUT/ours.txt" 2>&1 || status=1
    cat "$OUT/ours.txt"
    more=()
    if [ -n "$wheel" ]; then # the attention again on the cuDNN of torch's wheel
        LD_LIBRARY_PATH="$wheel:$LD_LIBRARY_PATH" "$B/linalg_bench" attention > "$OUT/ours_wheel_cudnn.txt" 2>&1
        cat "$OUT/ours_wheel_cudnn.txt"
        more=("$OUT/ours_wheel_cudnn.txt")
    fi
    $py bench/gpu/linalg_bench.py "$OUT/ours.txt" "${more[@]}" 2>&1 | tee "$OUT/compare.txt"
    "$B/linalg_bench" linear > "$OUT/ours_again.txt" 2>&1 # drift check: the same linears after torch ran
    echo "== ours again (after torch):"
    cat "$OUT/ours_again.txt"
fi
exit $status
