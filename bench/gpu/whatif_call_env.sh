# Sourced at the start of a whatif device call (whatif_call_*.sh): the carried build on PATH, calibrations cached in
# /tmp (so every trace `wanprof run` writes carries the call's own), schemas where the carried wanprof looks, $OUT.
# shellcheck shell=bash
source bench/gpu/env.sh .carry/wi
export XDG_CACHE_HOME=/tmp/whatif-cache OUT=${OUT:-/tmp/whatif-out}
mkdir -p "$OUT" .carry/wi/share/wanprof && ln -sfn "$PWD/schemas" .carry/wi/share/wanprof/schemas
