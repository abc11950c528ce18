#!/usr/bin/env bash
# ASan + UBSan build of all CPU code (CUDA hidden) into build-asan/, then the whole CPU test suite under it.
# Any sanitizer report fails the run: leaks are checked, UBSan halts on the first error with a stack trace.
# Environment: WP_ASAN_BUILD_DIR (default build-asan), WP_CMAKE_ARGS (extra cmake arguments), JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${WP_ASAN_BUILD_DIR:-build-asan}
jobs=${JOBS:-$(nproc)}
mkdir -p "$build"
# shellcheck disable=SC2086
cmake -S . -B "$build" -DWP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_DISABLE_FIND_PACKAGE_CUDAToolkit=TRUE \
    ${WP_CMAKE_ARGS:-} >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j"$jobs"

# Reports go to files as well as being fatal, so one raised under a test that captures or ignores stderr (a CLI test
# expecting exit 1) is still seen; the exit code 86 keeps a report apart from wanprof's own exit codes.
reports="$build/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
reports=$(cd "$reports" && pwd) # absolute, whether WP_ASAN_BUILD_DIR was given relative or absolute
export ASAN_OPTIONS="detect_leaks=1:exitcode=86:detect_stack_use_after_return=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=$reports/ubsan"
log="$build/sanitize.log"
status=0
ctest --test-dir "$build" --output-on-failure -j"$jobs" >"$log" 2>&1 || status=$?
tail -n 30 "$log"
if compgen -G "$reports/*" >/dev/null; then
    echo "sanitize: sanitizer reports (all in $reports):"
    for f in "$reports"/*; do
        echo "--- $f"
        head -n 40 "$f"
    done
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "sanitize: ctest failed (status $status); full log in $log"
    exit "$status"
fi
echo "sanitize: all CPU tests pass under ASan+UBSan with no report"
