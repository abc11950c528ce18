#!/usr/bin/env bash
# Builds wanprof here (the CPU machine: same CUDA 13.0, x86-64) into BUILD_DIR for the GPU machine, which has no
# sqlite3.h or cJSON: the libraries it lacks at run time are copied into BUILD_DIR/devlibs. Carry BUILD_DIR with the
# device call and `source bench/gpu/env.sh BUILD_DIR` there.
# usage: bench/gpu/prepare.sh [BUILD_DIR]   (default build-gpu)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-gpu}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DWP_WITH_CUDA=ON >/dev/null
cmake --build "$build" -j2
mkdir -p "$build/devlibs"
cp -L /usr/lib/x86_64-linux-gnu/libcjson.so.1 "$build/devlibs/"
cp /usr/bin/time "$build/devlibs/time" # GNU time, for peak RSS in the benches (host_benches.sh)
du -sh "$build" | awk '{print "prepared " $2 " (" $1 "); carry it with the device call"}'
