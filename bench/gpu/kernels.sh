#!/usr/bin/env bash
# kernels.sh: the wpkernels GPU tests (tests/kernels) on the GPU machine, then compute-sanitizer on three of them, and a
# pass/fail table last. Builds nothing: run it after `source bench/gpu/env.sh build-kern` with the build carried from
# here (bash bench/gpu/prepare.sh build-kern). Full logs under $OUT (or ./kernels-out).
# usage: bench/gpu/kernels.sh
set -uo pipefail
OUT=${OUT:-$PWD/kernels-out}
mkdir -p "$OUT"
: "${WP_BUILD:?source bench/gpu/env.sh BUILD_DIR first}"
B=$WP_BUILD/bin
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
table=$OUT/table.txt
printf '%-22s %-6s %7s %7s %12s %9s\n' test status checks failed worst_err/tol seconds > "$table"
all=0
for op in layernorm rmsnorm rope gelu residual timestep patchify; do
    log=$OUT/test_kernel_$op.log
    t0=$(date +%s.%N)
    "$B/test_kernel_$op" > "$log" 2>&1
    rc=$?
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    checks=$(grep -c '^RESULT' "$log")
    failed=$(grep '^RESULT' "$log" | grep -c FAIL)
    worst=$(grep -o 'err/tol=[0-9.naif+-]*' "$log" | cut -d= -f2 | sort -g | tail -1)
    status=PASS
    [ "$rc" -eq 77 ] && status=SKIP
    [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && status="FAIL($rc)" && all=1
    printf '%-22s %-6s %7s %7s %12s %9s\n' "test_kernel_$op" "$status" "$checks" "$failed" "${worst:--}" "$secs" >> "$table"
    echo "== test_kernel_$op rc=$rc"
    grep -E 'MISMATCH|FAIL|^device|checks,' "$log" | head -20
done
# compute-sanitizer: memcheck on the index-heavy rope and on layernorm (block reduction), racecheck on rmsnorm's shared
# memory reduction. Output tails are in the logs; the summary line goes into the table.
san() {
    local tool=$1 op=$2 log=$OUT/sanitizer_${1}_$2.log
    timeout 90 compute-sanitizer --tool "$tool" --error-exitcode 9 "$B/test_kernel_$op" > "$log" 2>&1
    local rc=$?
    local summary
    summary=$(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$log" | tail -1)
    [ "$rc" -ne 0 ] && all=1
    printf '%-22s %-6s %s\n' "$tool:$op" "$([ $rc -eq 0 ] && echo PASS || echo "FAIL($rc)")" "$summary" >> "$table"
}
san memcheck rope
san memcheck layernorm
san racecheck rmsnorm
echo
cat "$table"
exit $all
