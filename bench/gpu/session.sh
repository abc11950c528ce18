#!/usr/bin/env bash
# session.sh: the one call a session makes on the GPU machine to check what it changed: GPU tests, the switch demo
# recorded with `wanprof run` (the examples/ recordings) and explained, and compute-sanitizer over the GPU programs.
# Run after `source bench/gpu/env.sh BUILD_DIR` with the build carried from here (bench/gpu/prepare.sh BUILD_DIR).
# Results under $OUT: session.log, switch_demo_shift3.sqlite, switch_demo_shift12.sqlite.
set -uo pipefail
: "${WP_BUILD:?source bench/gpu/env.sh BUILD_DIR first}"
OUT=${OUT:-$PWD/session-out}
mkdir -p "$OUT"
B=$WP_BUILD/bin
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

echo "== GPU tests"
ctest --test-dir "$WP_BUILD" -L gpu --output-on-failure 2>&1 | tail -15

echo "== switch demo, recorded (pageable experts; shift 3, then the configured shift 12)"
for shift in 3 12; do
    name=$OUT/switch_demo_shift$shift
    /usr/bin/time -f "wall %e s, peak RSS %M KB" wanprof run --force -o "$name" -- "$B/switch_demo" --shift $shift
    echo "rc=$?"
    wanprof explain --sampler wan --shift 12 --steps 27 "$name.sqlite"
    rm -f "$name.json.gz" # re-exported from the SQLite where needed: keeps what comes back small
done
wanprof hist --step-range 9 "$OUT/switch_demo_shift3.sqlite" | head -12

echo "== compute-sanitizer memcheck (no collector: one CUPTI user at a time)"
compute-sanitizer --tool memcheck --print-limit 10 "$B/collector_exact" 2>&1 | tail -4
compute-sanitizer --tool memcheck --print-limit 10 "$B/switch_demo" --steps 4 --tensors 8 2>&1 | tail -4
