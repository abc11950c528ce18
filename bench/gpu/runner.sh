#!/usr/bin/env bash
# runner.sh: the runner's checks on the GPU machine, in one call: the diffusers comparison (test_runner_reference),
# the command line on the tiny model and on the full A14B shapes (random weights, a 480p latent, a few steps),
# the runner profiled by `wanprof run` and explained (its NVTX step ranges), compute-sanitizer memcheck on the tiny
# loop, and the block benchmark against diffusers when its source is carried (.ref/src/diffusers).
# Run after `source bench/gpu/env.sh BUILD_DIR` with the build carried from here (bench/gpu/prepare.sh BUILD_DIR).
# usage: bash bench/gpu/runner.sh [STAGES]
#   STAGES: comma list of gputests,reference,cli,full,profile,spike3,spike12,examples,multi,memcheck,block (default: all
#   but gputests and examples)
#   spike3 / spike12: the user's runs on the A14B model (random weights, a small latent so the compute is short):
#   --offload model, pageable host memory, shift 3 (the switch on the 10th step) / pinned, shift 12 (the 19th),
#   recorded with `wanprof run` and explained against the configured schedule (sglang, shift 12).
#   examples: the recordings of examples/runner_offload (a reduced model, --preset 480p --layers 4, 27 steps), their
#   explain output and a diff, tarred into $OUT/runner_offload.tar.
set -uo pipefail
: "${WP_BUILD:?source bench/gpu/env.sh BUILD_DIR first}"
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/runner-out}
mkdir -p "$OUT"
stages=${1:-reference,cli,full,profile,spike3,spike12,memcheck,block}
B=$WP_BUILD/bin
ref=tests/reference/runner
want() { [[ ",$stages," == *",$1,"* ]]; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

if want gputests; then
    echo "== GPU tests (ctest -L gpu)"
    ctest --test-dir "$WP_BUILD" -L gpu --output-on-failure 2>&1 | tail -25
fi
if want reference; then
    echo "== runner against diffusers (tests/reference/runner)"
    "$B/test_runner_reference" "$ref"
    echo "rc=$?"
fi
if want cli; then
    echo "== wanprof-runner on the tiny diffusers model (8 steps, diffusers-unipc, shift 3 from its scheduler config)"
    "$B/wanprof-runner" --model "$ref/tiny" --inputs "$ref/inputs.safetensors" --sampler diffusers-unipc --steps 8 \
        --save "$OUT/tiny_final.safetensors" --force
    echo "rc=$?"
fi
if want full; then
    echo "== wanprof-runner, full Wan2.2-T2V-A14B shapes, random weights, 480p x 81 frames, 2 steps, bf16"
    "$WP_BUILD/devlibs/time" -f "wall %e s, peak RSS %M KB" "$B/wanprof-runner" --config schemas/wan2.2-t2v-a14b.json \
        --frames 81 --height 480 --width 832 --steps 2
    echo "rc=$?"
fi
if want profile; then
    echo "== wanprof run -- wanprof-runner (tiny, random weights, 8 steps, shift 3), then explain"
    wanprof run --force -o "$OUT/runner_tiny" -- "$B/wanprof-runner" --config schemas/wan-tiny.json --frames 9 \
        --height 128 --width 192 --steps 8 --shift 3 --sampler diffusers-unipc
    echo "rc=$?"
    wanprof explain "$OUT/runner_tiny.sqlite" | head -40
    rm -f "$OUT/runner_tiny.json.gz"
fi
spike() { # spike NAME HOST_MEMORY SHIFT
    echo "== $1: wanprof run -- wanprof-runner A14B, --offload model --host-memory $2 --shift $3, 27 steps"
    wanprof run --force -o "$OUT/$1" -- "$B/wanprof-runner" --config schemas/wan2.2-t2v-a14b.json --frames 5 \
        --height 128 --width 128 --steps 27 --shift "$3" --offload model --host-memory "$2" 2>&1 | tail -14
    echo "rc=${PIPESTATUS[0]}"
    wanprof explain --sampler sglang --shift 12 --steps 27 "$OUT/$1.sqlite" | head -30
    rm -f "$OUT/$1.json.gz"
}
if want spike3; then spike runner_spike_shift3 pageable 3; fi
if want spike12; then spike runner_spike_shift12 pinned 12; fi
if want examples; then
    ex=$OUT/runner_offload
    mkdir -p "$ex"
    record() { # record NAME [EXPLAIN_ARGS --] RUNNER_ARGS...
        local name=$1 args=()
        shift
        if [ "${1:-}" = --explain ]; then args=($2); shift 2; fi
        echo "== example $name: wanprof-runner --preset 480p --layers 4 $*"
        wanprof run --force -o "$ex/$name" -- "$B/wanprof-runner" --preset 480p --layers 4 "$@" 2>&1 | tail -9
        wanprof explain "${args[@]}" "$ex/$name.sqlite" >"$ex/$name.explain.txt"
        echo "${args[*]}" >"$ex/$name.explain.args" # empty: explained from the run's own metadata
        cat "$ex/$name.explain.txt"
    }
    record model_pageable_shift3 --explain "--sampler sglang --shift 12 --steps 27" --offload model \
        --host-memory pageable --shift 3
    record model_pinned_shift12 --offload model --host-memory pinned --shift 12
    record layerwise --offload layerwise --host-memory pinned
    record layerwise_sync --offload layerwise --host-memory pinned --layer-sync
    echo "== diff layerwise layerwise_sync"
    wanprof diff "$ex/layerwise.sqlite" "$ex/layerwise_sync.sqlite" | tee "$ex/layerwise_vs_sync.diff.txt" | head -30
    tar -C "$OUT" -cf "$OUT/runner_offload.tar" runner_offload && rm -rf "$ex"
fi
if want multi; then
    echo "== several GPUs: the multi-GPU test, then the A14B at 480p for 2 steps on every GPU (Ulysses), profiled"
    bash tests/runner/test_runner_multi.sh "$B/wanprof-runner" "$B/st_compare"
    n=$(nvidia-smi -L | grep -c "^GPU")
    "$WP_BUILD/devlibs/time" -f "wall %e s, peak RSS %M KB (launcher)" "$B/wanprof-runner" --preset 480p --steps 2 \
        --nproc "$n"
    echo "rc=$?"
    echo "== the A14B at 480p, 2 steps, layerwise offload from one shared pinned host copy, on every GPU"
    "$WP_BUILD/devlibs/time" -f "wall %e s, peak RSS %M KB (launcher)" "$B/wanprof-runner" --preset 480p --steps 2 \
        --nproc "$n" --offload layerwise --host-memory pinned
    echo "rc=$?"
    free -g | head -2
    wanprof run --force -o "$OUT/runner_multi" -- "$B/wanprof-runner" --preset tiny --steps 8 --nproc "$n" 2>&1 |
        tail -6
    wanprof explain "$OUT/runner_multi.sqlite" | head -24
    rm -f "$OUT/runner_multi.json.gz"
fi
if want memcheck; then
    echo "== compute-sanitizer memcheck: the tiny loop (own attention, then cuDNN)"
    for attention in own cudnn; do
        compute-sanitizer --tool memcheck --print-limit 10 "$B/wanprof-runner" --config schemas/wan-tiny.json \
            --frames 9 --height 128 --width 192 --steps 3 --attention $attention 2>&1 | tail -3
    done
fi
if want block && [ -f .ref/src/diffusers/__init__.py ]; then
    echo "== one block: runner vs diffusers (PyTorch), A14B, 75,600 tokens"
    bash bench/gpu/block_bench.sh
fi
