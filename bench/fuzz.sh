#!/usr/bin/env bash
# Long fuzz runs: every target (or those named) for SECONDS each, one at a time at low priority, with corpora kept in
# build-fuzz/corpus/<target> (ignored by git) so that runs add up. Each run's duration is appended to
# build-fuzz/fuzz-time.tsv (target, seconds, executions, date); the total per target is printed at the end.
# Crashing inputs land in build-fuzz/artifacts/<target>/: turn each into a fixture in tests/fixtures/fuzz_regressions/.
# Usage: bench/fuzz.sh [SECONDS (default 3600)] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
shift || true
targets=${*:-$(bash fuzz/fuzz.sh targets)}
build=${WP_FUZZ_BUILD_DIR:-build-fuzz}
[ -n "${WP_FUZZ_NO_BUILD:-}" ] || bash fuzz/fuzz.sh build
for t in $targets; do
    echo "== $t (${seconds} s) $(date -u +%H:%M:%S)"
    start=$(date +%s)
    out=$(bash fuzz/fuzz.sh run "$t" "$seconds" "$PWD/$build/corpus/$t") || echo "$out"
    echo "$out" | head -1
    runs=$(echo "$out" | sed -n 's/.*number_of_executed_units: *\([0-9]*\).*/\1/p' | head -1)
    printf '%s\t%s\t%s\t%s\n' "$t" "$(($(date +%s) - start))" "${runs:-0}" "$(date -u +%FT%TZ)" >>"$build/fuzz-time.tsv"
done
echo "total fuzz time per target (s), executions:"
awk -F'\t' '{s[$1]+=$2; n[$1]+=$3} END {for (t in s) printf "  %-16s %7d s %10d runs\n", t, s[t], n[t]}' \
    "$build/fuzz-time.tsv" | sort
