#!/usr/bin/env bash
# attention_bench.sh: our attention kernel (attention_bench, from the carried build) against torch's
# scaled_dot_product_attention (attention_bench.py: default choice and each backend) on the same GPU in one run, then
# a table of TFLOP/s and the ratio ours / best torch per shape. Builds nothing: run it after
# `source bench/gpu/env.sh build-attn` with the build carried from here. Logs under $OUT (or ./attention-bench-out).
# usage: bench/gpu/attention_bench.sh [iterations]
set -uo pipefail
OUT=${OUT:-$PWD/attention-bench-out}
mkdir -p "$OUT"
: "${WP_BUILD:?source bench/gpu/env.sh BUILD_DIR first}"
iters=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,power.draw --format=csv,noheader
"$WP_BUILD/bin/attention_bench" "$iters" | tee "$OUT/attention_bench_ours.txt" || exit 1
python3 "$here/attention_bench.py" "$iters" | tee "$OUT/attention_bench_torch.txt" || exit 1
echo
echo "shape        ours_TFLOP/s  best_torch_TFLOP/s  best_torch_backend  ours/best_torch"
awk '$1 == "ours" { ours[$2] = $8; order[++n] = $2 }
     $1 ~ /^torch-/ && NF == 8 && $8 + 0 > best[$2] + 0 { best[$2] = $8; who[$2] = substr($1, 7) }
     END { for (i = 1; i <= n; i++) { s = order[i]
             printf "%-12s %12.1f %19.1f %19s %16.2f\n", s, ours[s], best[s], who[s], (best[s] > 0 ? ours[s] / best[s] : 0) } }' \
    "$OUT/attention_bench_ours.txt" "$OUT/attention_bench_torch.txt" | tee "$OUT/attention_bench_table.txt"
