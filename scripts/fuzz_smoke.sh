#!/usr/bin/env bash
# CI: a short run of every fuzz target (default 50 s each, five targets: about 5 minutes after the build), starting
# from the seed corpora only; fails when any target finds a crash, a leak, undefined behaviour or a timeout.
# Environment: WP_FUZZ_SECONDS (per target), WP_FUZZ_BUILD_DIR (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${WP_FUZZ_SECONDS:-50}
bash fuzz/fuzz.sh build
build=${WP_FUZZ_BUILD_DIR:-build-fuzz}
status=0
for t in $(bash fuzz/fuzz.sh targets); do
    corpus="$PWD/$build/smoke-corpus/$t"
    rm -rf "$corpus" # a fresh corpus every time: the smoke run is the seeds plus $seconds of mutation
    echo "== $t (${seconds} s)"
    bash fuzz/fuzz.sh run "$t" "$seconds" "$corpus" || status=1
done
[ "$status" -eq 0 ] && echo "fuzz_smoke: no findings" || echo "fuzz_smoke: findings above"
exit "$status"
