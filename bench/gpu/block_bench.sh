#!/usr/bin/env bash
# One Wan block forward, the runner against diffusers' WanTransformer3DModel (PyTorch), bf16, full A14B shapes,
# same GPU, same run (issue #4: the runner's block <= 1.1x PyTorch's time). Default shape: the 720p latent on one
# GPU, 75,600 tokens, 40 heads (per GPU the same work as 4 GPUs of Ulysses on 4 such latents).
# Needs the build carried (bench/gpu/prepare.sh) and diffusers' src as .ref/src/diffusers (runner_reference.sh).
# usage: source bench/gpu/env.sh BUILD && bash bench/gpu/block_bench.sh [C,F,H,W [ITERS]]
set -euo pipefail
cd "$(dirname "$0")/../.."
shape=${1:-16,21,90,160}
iters=${2:-5}
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nvidia-smi -L | head -1)"
for attention in cudnn own; do
    "$WP_BUILD/bin/block_bench" schemas/wan2.2-t2v-a14b.json "$shape" 512 "$iters" "$attention"
done
python3 bench/gpu/block_bench.py .ref/src "$shape" 512 "$iters"
