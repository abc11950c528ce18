#!/usr/bin/env bash
# Copies from a CUDA build (bench/gpu/prepare.sh) only what bench/gpu/layout_check.sh runs, in the installed layout,
# into DEST: the working tree already takes most of the device call's 64 MiB, so the whole build cannot travel.
# usage: bash bench/gpu/pack_min.sh BUILD_DIR DEST
set -euo pipefail
build=$1 dest=$2
rm -rf "$dest"
mkdir -p "$dest/bin" "$dest/lib/wanprof" "$dest/tests" "$dest/devlibs"
cp "$build/bin/wanprof" "$build/bin/wanprof-runner" "$build/bin/wanprof-calibrate" "$dest/bin/"
cp "$build/lib/wanprof/libwanprof_collector.so" "$dest/lib/wanprof/"
cp "$build"/bin/test_kernel_* "$build/bin/test_runner_reference" "$build/bin/collector_exact" "$build/bin/check_exact" \
    "$dest/tests/"
cp "$build/devlibs/libcjson.so.1" "$dest/devlibs/"
strip --strip-debug "$dest"/bin/* "$dest"/tests/* "$dest"/lib/wanprof/*
du -sh "$dest"
