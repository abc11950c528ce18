#!/usr/bin/env bash
# The exactness test: collector_exact under `wanprof run`, both outputs (SQLite and .json.gz) read back and checked
# operation by operation (check_exact.c). Also the per-process file, to check the collector's own output, and a run
# with a fork() without exec.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/gpu_present.sh"
: "${WANPROF:?}" "${WP_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$WANPROF" run --keep-per-process -o "$tmp/exact" -- "$WP_BIN/collector_exact"
status=0
for f in "$tmp/exact.sqlite" "$tmp/exact.json.gz" "$tmp"/exact.wanprof-parts/*.sqlite; do
    "$WP_BIN/check_exact" exact "$f" || status=1
done
# fork() without exec in the middle: the child exits normally; the parent's trace is still exact, and only the
# parent wrote a per-process file.
"$WANPROF" run --keep-per-process -o "$tmp/fork" -- "$WP_BIN/collector_exact" --fork
"$WP_BIN/check_exact" exact "$tmp/fork.sqlite" || status=1
parts=$(ls "$tmp"/fork.wanprof-parts/*.sqlite | wc -l)
[ "$parts" = 1 ] || { echo "FAIL fork: $parts per-process files, expected 1 (the parent's)"; status=1; }
exit $status
