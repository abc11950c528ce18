#!/usr/bin/env bash
# driver_launches.sh: on the GPU machine, checks that `wanprof run` by default ties every kernel to its launch call,
# also the kernels libraries launch through the driver API (cuBLASLt and cuDNN in the runner, cuBLAS and Triton in
# PyTorch): the exactness test (tests/gpu/run_exact.sh, one kernel launched with cuLaunchKernel), then the runner and
# a PyTorch program recorded and joined kernel to launch call (bench/gpu/launch_join.py).
# usage: bash bench/gpu/driver_launches.sh MIN_DIR   (pack_min.sh's tree with tests/; results under $OUT:
#        driver_launches.log, runner.sqlite, torch.sqlite)
set -uo pipefail
root=$(pwd)
source "$root/bench/gpu/env.sh" "$1"
min=$WP_BUILD
OUT=${OUT:-/tmp/driver-launches-out}
mkdir -p "$OUT" "$min/share/wanprof"
ln -sfn "$root/schemas" "$min/share/wanprof/schemas"
exec > >(tee -a "$OUT/driver_launches.log") 2>&1
status=0
echo "== collector exactness: tests/gpu/run_exact.sh"
WANPROF=$min/bin/wanprof WP_BIN=$min/tests bash "$root/tests/gpu/run_exact.sh" | grep -E "FAIL|ok \(|driver"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
echo "== the runner (4 blocks of the A14B, model offload)"
wanprof run --force -o "$OUT/runner" -- wanprof-runner --preset 480p --layers 4 --offload model --shift 3 | tail -2
python3 "$root/bench/gpu/launch_join.py" "$OUT/runner.sqlite" || status=1
echo "== PyTorch, eager and compiled"
wanprof run --force -o "$OUT/torch" -- python3 "$root/bench/gpu/driver_launches.py"
python3 "$root/bench/gpu/launch_join.py" "$OUT/torch.sqlite" || status=1
rm -f "$OUT"/*.json.gz
echo "driver_launches: status $status"
exit $status
