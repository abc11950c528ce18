#!/usr/bin/env bash
# wanprof-runner's command line without a GPU: help, usage errors (exit 2, a message naming the option and value),
# bad files (exit 1, a message naming the file), and an existing output refused before any GPU work.
set -u
runner=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

expect() { # expect STATUS PATTERN -- ARGS...
    local want=$1 pattern=$2
    shift 3
    "$runner" "$@" >"$tmp/out" 2>&1
    local got=$?
    if [ "$got" != "$want" ] || ! grep -q -- "$pattern" "$tmp/out"; then
        echo "FAIL: wanprof-runner $* -> exit $got (want $want), output:"
        sed 's/^/  /' "$tmp/out"
        fails=$((fails + 1))
    else
        echo "ok: wanprof-runner $* -> $got, \"$pattern\""
    fi
}

expect 0 "usage: wanprof-runner" -- --help
expect 2 "exactly one of --preset P, --model DIR and --config FILE" --
expect 2 "exactly one of --preset P, --model DIR and --config FILE" -- --model a --config b
expect 2 "exactly one of --preset P, --model DIR and --config FILE" -- --preset tiny --config b
expect 2 "--preset 1080p: expected tiny, 480p or 720p" -- --preset 1080p
expect 2 "--layers 0: expected 1..1000" -- --preset tiny --layers 0
expect 1 "--layers 3: the model has 2 blocks" -- --preset tiny --layers 3
expect 2 "--precision fp16: expected bf16 or fp32" -- --config x --precision fp16
expect 2 "--attention fast: expected auto, own or cudnn" -- --config x --attention fast
expect 2 "--sampler euler: expected wan, sglang" -- --config x --sampler euler
expect 2 "--steps 0: expected" -- --config x --steps 0
expect 2 "--boundary 1.5: expected a number in \[0, 1\]" -- --config x --boundary 1.5
expect 2 "--guidance 4: expected G1,G2" -- --config x --guidance 4
expect 2 "--latent 16,3,16: expected C,F,H,W" -- --config x --latent 16,3,16
expect 2 "--forward 900:middle: expected T:high or T:low" -- --config x --forward 900:middle
expect 2 "--offload disk: expected none, model or layerwise" -- --config x --offload disk
expect 2 "--host-memory huge: expected pageable or pinned" -- --config x --host-memory huge
expect 2 "--prefetch 0: expected 1..64" -- --config x --offload layerwise --prefetch 0
expect 2 "--forward runs one expert with resident weights" -- --config x --forward 900:high --offload model
expect 2 "unknown option or missing value: --frobnicate" -- --config x --frobnicate
expect 2 "unexpected argument extra" -- --config x extra
expect 1 "$tmp/missing.json" -- --config "$tmp/missing.json"
echo '{"name": "broken", ' >"$tmp/broken.json"
expect 1 "$tmp/broken.json" -- --config "$tmp/broken.json"
echo keep >"$tmp/out.safetensors"
expect 1 "out.safetensors exists (use --force to overwrite it)" -- --config "$root/schemas/wan-tiny.json" \
    --save "$tmp/out.safetensors" --frames 9 --height 128 --width 192
if [ "$(cat "$tmp/out.safetensors")" != keep ]; then
    echo "FAIL: the existing output was modified"
    fails=$((fails + 1))
fi
[ "$fails" = 0 ] && echo "PASS" || echo "FAIL: $fails"
[ "$fails" = 0 ]
