#!/usr/bin/env bash
# record.sh: records the corpus of real diffusers Wan2.2 runs on the GPU machine (see README.md): each recording in its
# own process with its own timeout and log, under `wanprof run` or the torch profiler, ground truth in NAME.truth.json.
# A failed recording is logged and the next one runs. Ends with $OUT/corpus.tar.gz (split into 15 MiB parts
# corpus.tar.gz.0, .1, ... when larger: `cat corpus.tar.gz.* > corpus.tar.gz`) and a table of what was recorded.
# usage, from the repo root on the GPU machine, with build-gpu and .carry carried:
#   source bench/gpu/env.sh build-gpu && bash bench/gpu/corpus/record.sh
# RECORD_ONLY=REGEX records only the matching names (the smoke recording always runs).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
OUT=${OUT:-$root/corpus-out}
C=$OUT/corpus
mkdir -p "$C"
exec > >(tee -a "$OUT/record.log") 2>&1
start=$(date +%s)
deadline=$((start + ${RECORD_BUDGET_S:-450})) # the whole script must end within 8 minutes

echo "== record.sh $(date -u +%FT%TZ) on $(hostname)"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

# diffusers from the carried source tarball (the GPU machine has no diffusers and no network)
tarball=$root/.carry/diffusers_src.tar.gz
rm -rf /tmp/diffusers && mkdir -p /tmp/diffusers
if ! tar xzf "$tarball" -C /tmp/diffusers; then
    echo "ABORT: cannot unpack $tarball (run bench/gpu/corpus/pack_diffusers.sh here and carry .carry)"; exit 1
fi
export PYTHONPATH=/tmp/diffusers/src${PYTHONPATH:+:$PYTHONPATH}
DIFFUSERS_COMMIT=$(cat "$root/.carry/diffusers_commit.txt" 2>/dev/null || echo unknown)
export DIFFUSERS_COMMIT
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
echo "diffusers $DIFFUSERS_COMMIT from /tmp/diffusers/src"
if command -v wanprof >/dev/null; then echo "wanprof: $(command -v wanprof)"
else echo "WARNING: wanprof is not on PATH (source bench/gpu/env.sh build-gpu): the wanprof recordings will fail"; fi

rows=()
# rec NAME TIMEOUT_S MODE ARGS...   MODE: plain | wanprof | torch | torch_sched
rec() {
    local name=$1 limit=$2 mode=$3; shift 3
    local p=$C/$name now left t0 rc el status trace size
    if [ "$name" != smoke ] && [ -n "${RECORD_ONLY:-}" ] && ! [[ $name =~ $RECORD_ONLY ]]; then return 0; fi
    now=$(date +%s); left=$((deadline - now))
    if [ $left -lt 25 ]; then
        echo "== $name: skipped, ${left}s left of the time budget"; rows+=("$name|$mode|-|0|-|SKIPPED (time)"); return 0
    fi
    [ $limit -gt $left ] && limit=$left
    local py=(python3 "$here/wan_pipe.py" --out "$p" "$@")
    local cmd
    case $mode in
        plain) cmd=("${py[@]}" --profiler none) ;;
        wanprof) cmd=(wanprof run -o "$p" --force -- "${py[@]}" --profiler none) ;;
        torch | torch_sched) cmd=("${py[@]}" --profiler "$mode") ;;
    esac
    echo "== $name (timeout ${limit}s): ${cmd[*]}"
    t0=$(date +%s.%N)
    # timeout signals its whole process group: wanprof, python and any compile workers
    timeout -k 10 "$limit" "${cmd[@]}" >"$p.log" 2>&1
    rc=$?
    el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    case $mode in
        wanprof) rm -f "$p.json.gz"; trace=$p.sqlite ;; # one format per recording: wanprof's SQLite
        torch | torch_sched) trace=$p.json.gz ;;
        *) trace= ;;
    esac
    status=OK
    if [ $rc -ne 0 ]; then status="FAILED rc=$rc"; [ $rc -eq 124 ] && status="TIMEOUT ${limit}s"; fi
    if ! python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["ok"] else 1)' "$p.truth.json" 2>/dev/null; then
        status="$status, truth not ok"
    fi
    size=-
    if [ -n "$trace" ]; then
        if [ -s "$trace" ]; then size=$(stat -c %s "$trace"); else status="$status, no trace"; fi
    fi
    [ "$status" = OK ] || status=${status#OK, }
    grep -h '^\[wan_pipe' "$p.log" | tail -4
    [ "$status" = OK ] || tail -25 "$p.log"
    echo "== $name: $status in ${el}s (trace $size bytes)"
    rows+=("$name|$mode|$rc|$el|$size|$status")
}

# Seconds, not minutes, when the environment is broken: 3 steps, model offload (accelerate), both experts (shift 3,
# 3 steps: timesteps 1000, 857, 600; the switch at step 1), no profiler.
rec smoke 90 plain --steps 3 --offload model --shift 3
if [ "${rows[0]##*|}" != OK ]; then
    echo "ABORT: the pipeline cannot run here (smoke: ${rows[0]##*|}); see $C/smoke.log above. Nothing else recorded."
    tar czf "$OUT/corpus.tar.gz" -C "$OUT" corpus && rm -rf "$C"
    exit 1
fi

# The matrix. Default experts: 2 layers, dim 1536 (12 heads x 128), ffn 4096, text_dim 4096: ~183 MB per expert,
# so with model offload the switch moves ~183 MB each way through pageable memory (~20 ms each at ~9 GB/s) against
# a few ms for a normal step. Latents 17 frames x 128x128 -> (16, 5, 16, 16), 320 tokens.
M="--offload model"
rec 01_model_unipc_s3_n27_wanprof 120 wanprof $M --sampler unipc --shift 3 --steps 27
rec 01_model_unipc_s3_n27_torch 120 torch $M --sampler unipc --shift 3 --steps 27
rec 01_model_unipc_s3_n27_torchsched 120 torch_sched $M --sampler unipc --shift 3 --steps 27
rec 02_model_unipc_s12_n27_wanprof 120 wanprof $M --sampler unipc --shift 12 --steps 27
rec 03_model_unipc_s5_n40_torch 120 torch $M --sampler unipc --shift 5 --steps 40
rec 04_none_euler_s5_n50_torch 120 torch --offload none --sampler euler --shift 5 --steps 50
rec 05_sequential_unipc_s3_n27_wanprof 150 wanprof --offload sequential --sampler unipc --shift 3 --steps 27
rec 06_group_unipc_s5_n27_wanprof 120 wanprof --offload group --sampler unipc --shift 5 --steps 27
rec 07_model_euler_s3_n27_nocfg_torch 120 torch $M --sampler euler --shift 3 --steps 27 --cfg off
# larger experts: 4 layers, dim 2048 (16 heads), ffn 8192: ~620 MB per expert
rec 09_model_unipc_s3_n27_large_torch 150 torch $M --sampler unipc --shift 3 --steps 27 --layers 4 --dim 2048 --ffn 8192
# whatif's diffusers pair (issue 15): the same run under model offload and under group offloading with streams, with
# A14B-sized blocks (dim 5120, 40 heads, ffn 13824: 0.70 GB per block in bf16; 4 blocks) at 480p, 9 frames (4,680
# tokens), so that moving the weights costs what it costs the real model per block. Each predicts the other.
W="--layers 4 --dim 5120 --ffn 13824 --frames 9 --height 480 --width 832 --sampler unipc --shift 3 --steps 6"
rec 12_model_unipc_s3_n6_a14bblocks_wanprof 150 wanprof --offload model $W
rec 13_group_unipc_s3_n6_a14bblocks_wanprof 150 wanprof --offload group $W
rec 14_none_unipc_s3_n6_a14bblocks_wanprof 150 wanprof --offload none $W
# the same with 12 blocks (8.4 GB per expert): group offloading's device memory is a few blocks' buffers, not a share of
# the model, which 4 blocks alone cannot tell apart
W12=${W/--layers 4/--layers 12}
rec 15_group_unipc_s3_n6_a14b12blocks_wanprof 200 wanprof --offload group $W12
rec 16_model_unipc_s3_n6_a14b12blocks_wanprof 200 wanprof --offload model $W12
# our runner recorded without its NVTX (as a user's program would be: no step marks, no metadata): its truth is its
# own per-step progress lines (stderr) and summary (stdout), never in the trace. 480p latents, the A14B's first 2
# blocks, model offload from pageable memory, shift 3, sampler sglang: the switch on the 10th step.
rec_runner() {
    local name=10_runner_nonvtx_model_s3_n27 p t0 rc el size status=OK
    if [ -n "${RECORD_ONLY:-}" ] && ! [[ $name =~ $RECORD_ONLY ]]; then return 0; fi
    p=$C/$name
    echo "== $name"
    t0=$(date +%s.%N)
    timeout -k 10 150 wanprof run --trace=cuda,memory,sync,modules -o "$p" --force -- wanprof-runner --preset 480p \
        --layers 2 --offload model --shift 3 --steps 27 --sampler sglang >"$p.stdout" 2>"$p.stderr"
    rc=$?
    el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    rm -f "$p.json.gz"
    [ $rc -eq 0 ] || { status="FAILED rc=$rc"; tail -20 "$p.stderr"; }
    size=$(stat -c %s "$p.sqlite" 2>/dev/null || echo -)
    echo "== $name: $status in ${el}s (trace $size bytes)"
    rows+=("$name|runner|$rc|$el|$size|$status")
}
rec_runner

# last: compilation (both experts, cold caches) is the slowest and the least predictable
rec 08_none_unipc_s3_n27_compile_wanprof 240 wanprof --offload none --sampler unipc --shift 3 --steps 27 --compile

echo
echo "== corpus ($(($(date +%s) - start)) s in all)"
printf '%-42s %-11s %4s %8s %10s  %s\n' name mode rc secs trace_B status
for r in "${rows[@]}"; do
    IFS='|' read -r n m c e s st <<<"$r"
    printf '%-42s %-11s %4s %8s %10s  %s\n' "$n" "$m" "$c" "$e" "$s" "$st"
done
du -sh "$C" | awk '{print "corpus folder: " $1}'

# Results come back through $OUT: at most 8 files of 16 MiB each, so one tarball (in parts when larger) + record.log.
rm -f "$OUT"/corpus.tar.gz "$OUT"/corpus.tar.gz.*
tar czf "$OUT/corpus.tar.gz" -C "$OUT" corpus
tsz=$(stat -c %s "$OUT/corpus.tar.gz")
if [ "$tsz" -gt $((15 * 1024 * 1024)) ]; then
    split -b 15M -d -a 1 "$OUT/corpus.tar.gz" "$OUT/corpus.tar.gz." && rm "$OUT/corpus.tar.gz"
    echo "corpus.tar.gz is $tsz bytes: split into $(ls "$OUT"/corpus.tar.gz.* | wc -l) parts (cat corpus.tar.gz.* > corpus.tar.gz)"
fi
ls -l "$OUT"/corpus.tar.gz* | awk '{print $5, $9}'
rm -rf "$C" # only the tarball (and record.log) should come back
echo "== record.sh done in $(($(date +%s) - start)) s"
