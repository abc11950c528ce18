#!/usr/bin/env bash
# calibrate.sh: on the GPU machine, `wanprof calibrate` from the carried minimal tree (bench/gpu/pack_min.sh) used
# as an installed tree: the GPU test (tests/gpu/calibrate_sane.sh: wanprof-calibrate --quick, figures sane), then
# `wanprof calibrate --json` (the machine document, kept under $OUT) and `wanprof calibrate` (the table; a second
# measurement, so the two also show the run-to-run variation), then a runner trace made by `wanprof run`, which must
# carry the machine file (`wanprof info`). About a minute on one H200; every step is bounded so the whole stays
# under 3 minutes.
# usage: bash bench/gpu/calibrate.sh MIN_DIR     (results under $OUT: machine.json, calibrate.log)
set -uo pipefail
root=$(pwd)
min=$(cd "$1" && pwd)
OUT=${OUT:-/tmp/calibrate-out}
mkdir -p "$OUT" "$min/share/wanprof"
ln -sfn "$root/schemas" "$min/share/wanprof/schemas"
export LD_LIBRARY_PATH="$min/devlibs:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
export PATH="$min/bin:$PATH" XDG_CACHE_HOME=$OUT/cache
status=0
step() { echo; echo "== $*"; }
nvidia-smi --query-gpu=name,driver_version,memory.total,pcie.link.gen.current,pcie.link.width.current \
    --format=csv,noheader

step "GPU test: tests/gpu/calibrate_sane.sh (wanprof-calibrate --quick)"
WP_BIN=$min/bin WP_SOURCE_DIR=$root timeout 60 bash "$root/tests/gpu/calibrate_sane.sh" || status=1

cd "$(mktemp -d)"
step "wanprof calibrate --json (stored in \$XDG_CACHE_HOME/wanprof/machine.json)"
start=$(date +%s.%N)
timeout 70 wanprof calibrate --json >"$OUT/machine.json" || status=1
echo "wall $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
python3 -c "import json, sys; d = json.load(open(sys.argv[1]))
print(d['schema'], d['wanprof'], len(d['gpus']), 'GPUs')" \
    "$OUT/machine.json" || status=1
cmp -s "$OUT/machine.json" "$XDG_CACHE_HOME/wanprof/machine.json" || {
    echo "FAIL: stdout and the cache differ"
    status=1
}

step "wanprof calibrate (the table; a second measurement)"
timeout 70 wanprof calibrate || status=1

step "wanprof run records the machine file: the runner, tiny preset"
timeout 60 wanprof run -o tiny -- wanprof-runner --preset tiny --steps 8 >/dev/null 2>&1
wanprof info tiny.sqlite | grep "machine:" || { echo "FAIL: the trace carries no machine facts"; status=1; }
echo "calibrate: status $status"
exit $status
