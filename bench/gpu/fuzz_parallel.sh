#!/usr/bin/env bash
# Fuzzing on a machine with many cores (the GPU machine's CPUs, when its GPUs have nothing to do): every target at
# once, WORKERS libFuzzer processes each (-jobs=WORKERS -workers=WORKERS), SECONDS each, from the seeds, through
# fuzz/fuzz.sh run. The fuzz binaries are built here (`bash fuzz/fuzz.sh build`, then stripped of debug info into
# BUILD/fuzz with BUILD/fuzz-seeds and BUILD/devlibs/libcjson.so.1 beside) and carried. Prints per target the
# core-seconds and executions (summed over the workers' final stats) and any finding; the new corpora, the workers'
# logs and any artifacts go to $OUT as fuzz.tgz.part-* (merge them into build-fuzz/corpus here with -merge=1).
# usage: bash bench/gpu/fuzz_parallel.sh BUILD SECONDS WORKERS
set -uo pipefail
cd "$(dirname "$0")/../.."
build=$(cd "$1" && pwd) seconds=$2 workers=$3
export LD_LIBRARY_PATH="$build/devlibs:${LD_LIBRARY_PATH:-}" WP_FUZZ_BUILD_DIR=$build
# fuzz_sqlite_sql opens a seed database by a path fixed at build time unless told
export WP_FUZZ_SQLITE_OURS=$build/fuzz-seeds/base/ours.sqlite WP_FUZZ_SQLITE_NSYS=$build/fuzz-seeds/base/nsys.sqlite
work=$(mktemp -d)
echo "# $(date -u +%FT%TZ) $(nproc) cores; $seconds s x $workers workers per target"
for t in $(bash fuzz/fuzz.sh targets); do
    mkdir -p "$work/$t"
    (cd "$work/$t" && WP_FUZZ_ARGS="-jobs=$workers -workers=$workers" \
        bash "$OLDPWD/fuzz/fuzz.sh" run "$t" "$seconds" "$work/corpus/$t" >"$work/$t/run.txt" 2>&1) &
done
wait
for t in $(bash fuzz/fuzz.sh targets); do
    execs=$(cat "$work/$t"/fuzz-*.log 2>/dev/null | sed -n 's/^stat::number_of_executed_units: *//p' |
            awk '{s += $1} END {print s + 0}')
    findings=$(find "$build/artifacts/$t" -type f ! -name 'slow-unit-*' 2>/dev/null | wc -l)
    printf '%-18s %6d core-s %12d executions, %d findings %s\n' "$t" $((seconds * workers)) "$execs" "$findings" \
        "$(grep -h "found a problem" "$work/$t/run.txt" | head -1)"
done
mkdir -p "$work/artifacts" && cp -r "$build/artifacts/." "$work/artifacts/" 2>/dev/null
tar -C "$work" -czf - corpus artifacts $(cd "$work" && ls -d fuzz_*) | split -b 15M - "${OUT:-/tmp}/fuzz.tgz.part-"
ls -la "${OUT:-/tmp}"/fuzz.tgz.part-*
