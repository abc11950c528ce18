#!/usr/bin/env bash
# The main job. Sets up and builds; then, on a machine with a GPU, profiles the switch demo (a two-expert offloaded
# loop run with shift 3) with `wanprof run` and explains its steps; on a machine without one, says so and explains the
# run recorded with the same command on an H200, shipped in examples/switch_demo/.
# Environment: WP_BUILD_DIR (default build), WP_DEMO_OUT (output name, default wanprof-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${WP_BUILD_DIR:-build}
W=$build/bin/wanprof
# The run expects the configured T2V-A14B shift (12: switch at the 19th step); the program ran with shift 3.
expect=(--sampler wan --shift 12 --steps 27)
if nvidia-smi -L 2>/dev/null | grep -q '^GPU' && [ -x "$build/bin/switch_demo" ]; then
    out=${WP_DEMO_OUT:-wanprof-demo}
    echo "demo: GPU found: profiling $build/bin/switch_demo --shift 3 with wanprof run"
    "$W" run --force -o "$out" -- "$build/bin/switch_demo" --shift 3
    "$W" explain "${expect[@]}" "$out.sqlite"
else
    echo "demo: no GPU on this machine: analysing the run recorded in examples/switch_demo/ instead"
    echo "      (made on an H200 with: wanprof run -o switch_demo_shift3 -- switch_demo --shift 3)"
    "$W" explain "${expect[@]}" examples/switch_demo/switch_demo_shift3.sqlite
fi
