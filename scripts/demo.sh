#!/usr/bin/env bash
# The main job. Sets up and builds; then, on a machine with a GPU, profiles the runner itself (`wanprof run --
# wanprof-runner`: the Wan2.2-T2V-A14B loop at 480p, its first 4 blocks, both experts offloaded to pageable host
# memory as SGLang's model offload does, flow shift 3: about a minute) and explains its steps; on a machine without
# one, says so and explains the run recorded with the same command on an H200, shipped in examples/runner_offload/.
# Environment: WP_BUILD_DIR (default build), WP_DEMO_OUT (output name, default wanprof-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${WP_BUILD_DIR:-build}
W=$build/bin/wanprof
workload=(--preset 480p --layers 4 --offload model --shift 3)
# Explained against the configured T2V-A14B shift (12: the switch at the 19th step); the run used shift 3.
expect=(--sampler sglang --shift 12 --steps 27)
if nvidia-smi -L 2>/dev/null | grep -q '^GPU' && [ -x "$build/bin/wanprof-runner" ]; then
    out=${WP_DEMO_OUT:-wanprof-demo}
    echo "demo: GPU found: profiling wanprof-runner ${workload[*]} with wanprof run"
    "$W" run --force -o "$out" -- "$build/bin/wanprof-runner" "${workload[@]}"
    "$W" explain "${expect[@]}" "$out.sqlite"
else
    echo "demo: no GPU on this machine (or no wanprof-runner): analysing the run recorded in examples/runner_offload/"
    echo "      (made on an H200 with: wanprof run -o model_pageable_shift3 -- wanprof-runner ${workload[*]})"
    "$W" explain "${expect[@]}" examples/runner_offload/model_pageable_shift3.sqlite
fi
