#!/usr/bin/env bash
# Makes the runner's reference data (tests/reference/runner/: the tiny model folder, inputs, forward and loop outputs)
# with diffusers run from source and PyTorch, on the GPU machine. diffusers is not part of wanprof: carry its src/
# as .ref/src/diffusers (git-ignored), with its commit in .ref/src/DIFFUSERS_COMMIT; on the CPU machine:
#   mkdir -p .ref && git --git-dir=<diffusers mirror> archive HEAD src/diffusers | tar -x -C .ref/
#   git --git-dir=<diffusers mirror> rev-parse HEAD > .ref/src/DIFFUSERS_COMMIT
# then a device call carrying .ref/src/diffusers and .ref/src/DIFFUSERS_COMMIT runs this script.
# Writes OUT_DIR (default: $OUT/runner_reference where $OUT is set, else /tmp/runner_reference), a log in
# OUT_DIR/summary.txt, and, when TAR is set, a tar of OUT_DIR at that path (the device returns 8 files at most).
# Further arguments go to make_reference.py: --compare tests/reference/runner checks a fresh run against the committed
# data (bit for bit); --sensitivity prints how far the fp32 forward moves under small changes.
# usage: bash bench/gpu/runner_reference.sh [OUT_DIR [make_reference.py options]]
set -euo pipefail
cd "$(dirname "$0")/../.."
src=.ref/src
[ -f "$src/diffusers/__init__.py" ] || { echo "runner_reference: $src/diffusers is missing: carry it with the device call" >&2; exit 2; }
out=${1:-${OUT:-/tmp}/runner_reference}
shift || true
export PYTHONUNBUFFERED=1 NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(hostname) $(nvidia-smi -L 2>/dev/null | head -1 || echo 'no GPU')"
python3 tests/reference/runner/make_reference.py --diffusers-src "$src" --out "$out" ${HIDE:+--hide "$HIDE"} "$@"
if [ -n "${TAR:-}" ]; then
    tar -C "$out" -cf "$TAR" .
    echo "# tar: $TAR ($(du -h "$TAR" | cut -f1))"
fi
