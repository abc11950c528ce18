#!/usr/bin/env bash
# Makes the planted-cause Kineto fixtures for `wanprof explain` on a GPU machine (pure PyTorch, no wanprof build
# needed) and checks them when a wanprof binary is on PATH.
# usage: bench/gpu/planted_traces.sh OUT_DIR
# From the CPU machine, through the device tool:
#   bash bench/gpu/planted_traces.sh $OUT   (kind nvidia-h200, timeout 400 s)
# then copy OUT_DIR/planted_*.json.gz and planted_*.json into tests/fixtures/.
set -euo pipefail
out=${1:?usage: planted_traces.sh OUT_DIR}
mkdir -p "$out"
here=$(cd "$(dirname "$0")/../.." && pwd)
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
# The image's torch lives in /opt/torch/.venv; sourcing env.sh without a build puts /bin first on PATH.
py=${PYTHON:-python3}
"$py" -c 'import torch' 2>/dev/null || py=/opt/torch/.venv/bin/python3
"$py" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
"$py" "$here/tests/reference/make_planted_traces.py" --out "$out"
if command -v wanprof >/dev/null 2>&1; then
  for t in "$out"/planted_*.json.gz; do
    echo "== wanprof explain $t"
    wanprof explain "$t" || true
  done
fi
ls -la "$out"
