#!/usr/bin/env bash
# The exactness test: collector_exact under `wanprof run`, both outputs (SQLite and .json.gz) read back and checked
# operation by operation (check_exact.c). Also the per-process file, to check the collector's own output.
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
exit $status
