#!/usr/bin/env bash
# whatif_record.sh: on the GPU machine, records wanprof-runner in the offload modes `wanprof whatif` predicts, each
# under `wanprof run` (one SQLite trace per run), after `wanprof calibrate` so that every trace carries the machine
# file. The runner's own stdout (per-step seconds, the loop's device memory from cudaMemGetInfo) is the measurement
# the predictions are checked against; it never comes from the analyzer.
# usage: bash bench/gpu/whatif_record.sh MIN_DIR SET...   (SET: the lists below; results under $OUT: whatif-SET.tar.gz
#        per set, split into 15 MiB parts when larger, and whatif.log)
#   WHATIF_BUDGET_S   seconds the whole script may take (default 540): a run that would not end in time is skipped
#   A14B_A_PICK, A14B_B_PICK, A14B_81_PICK   which modes of the sets a14b_a, a14b_b and a14b_81 to record (a
#   regular expression of names)
#   WHATIF_CALIBRATE=0   no calibration (a later call of a session that has one: the validation reads one file)
#   WHATIF_REPEAT=N   each picked mode N times in a row (NAME, NAME_r2, ...): the same command again on the same
#   machine, how far a measurement moves by itself
set -uo pipefail
root=$(pwd)
min=$(cd "$1" && pwd)
shift
OUT=${OUT:-/tmp/whatif-out}
mkdir -p "$OUT" "$min/share/wanprof" /tmp/whatif-cache
ln -sfn "$root/schemas" "$min/share/wanprof/schemas"
export LD_LIBRARY_PATH="$min/devlibs:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
export PATH="$min/bin:$PATH" XDG_CACHE_HOME=/tmp/whatif-cache
exec > >(tee -a "$OUT/whatif.log") 2>&1
deadline=$(($(date +%s) + ${WHATIF_BUDGET_S:-540}))

nvidia-smi --query-gpu=name,driver_version,memory.total,pcie.link.gen.current,pcie.link.width.current \
    --format=csv,noheader
free -g | head -2
if [ "${WHATIF_CALIBRATE:-1}" != 0 ]; then
    echo "== wanprof calibrate (stored in the cache: every trace below carries it)"
    timeout 60 wanprof calibrate || echo "calibrate: failed (the traces carry no machine file)"
fi

# rec NAME EST_S RUNNER_ARGS...: one recording unless fewer than EST_S seconds are left
rec() {
    local name=$1 est=$2
    shift 2
    local left=$((deadline - $(date +%s)))
    if [ "$left" -lt "$est" ]; then
        echo "== $name: SKIPPED (${left}s left, needs ~${est}s)"
        return 0
    fi
    echo "== $name: wanprof-runner $*"
    local t0 rc
    t0=$(date +%s.%N)
    timeout -k 10 $((left - 5)) wanprof run -o "$W/$name" --force -- wanprof-runner "$@" \
        >"$W/$name.stdout" 2>"$W/$name.stderr"
    rc=$?
    rm -f "$W/$name.json.gz"
    echo "   rc $rc in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s," \
        "trace $(stat -c %s "$W/$name.sqlite" 2>/dev/null || echo none) bytes"
    grep -E "^  step|^total|^device memory|^offload" "$W/$name.stdout" | tr '\n' ';' | cut -c1-600
    echo
    [ $rc -eq 0 ] || tail -5 "$W/$name.stderr"
}

# The modes: the runner's names (runner/offload.h).
modes_for() { # SET -> "NAME|ARGS" lines
    local base=$1
    cat <<EOF
none|$base --offload none
model_pageable|$base --offload model --host-memory pageable
model_pinned|$base --offload model --host-memory pinned
layer_pinned_p1|$base --offload layerwise --host-memory pinned --prefetch 1
layer_pinned_p2|$base --offload layerwise --host-memory pinned --prefetch 2
layer_pinned_p4|$base --offload layerwise --host-memory pinned --prefetch 4
layer_pinned_p1_sync|$base --offload layerwise --host-memory pinned --prefetch 1 --layer-sync
layer_pageable_p1|$base --offload layerwise --host-memory pageable --prefetch 1
layer_pageable_p1_sync|$base --offload layerwise --host-memory pageable --prefetch 1 --layer-sync
layer_pageable_p2|$base --offload layerwise --host-memory pageable --prefetch 2
layer_pinned_p2_sync|$base --offload layerwise --host-memory pinned --prefetch 2 --layer-sync
layer_pageable_p4|$base --offload layerwise --host-memory pageable --prefetch 4
layer_pinned_p4_sync|$base --offload layerwise --host-memory pinned --prefetch 4 --layer-sync
layer_pageable_p2_sync|$base --offload layerwise --host-memory pageable --prefetch 2 --layer-sync
layer_pageable_p4_sync|$base --offload layerwise --host-memory pageable --prefetch 4 --layer-sync
EOF
}

record_set() {
set_name=$1 est_pageable=
W=/tmp/whatif-$set_name
mkdir -p "$W"
case $set_name in
    fixtures) # the test fixtures: 4 blocks of the A14B, small enough to ship (tests/fixtures/whatif)
        base="--preset 480p --layers 4 --frames 9 --steps 6 --shift 3"
        pick='^(none|model_pageable|model_pinned|layer_pinned_p1|layer_pageable_p1|layer_pinned_p1_sync)$' est=20 ;;
    a14b_a) # the whole A14B (40 blocks, both experts), 480p, 9 frames: the fast modes (nothing crosses pageable
        # memory in the loop)
        base="--preset 480p --frames 9 --steps 6 --shift 3"
        pick="^(${A14B_A_PICK:-none|model_pageable|model_pinned|layer_pinned_p[124]|layer_pinned_p[124]_sync})\$"
        est=45 ;;
    a14b_b) # the same, the slow modes (pageable layerwise copies every block through the host)
        base="--preset 480p --frames 9 --steps 6 --shift 3"
        pick="^(${A14B_B_PICK:-layer_pageable_p[124]|layer_pageable_p[124]_sync})\$"
        est=100 ;;
    a14b_81) # full 81 frames (32,760 tokens): compute-bound; four steps (the switch at step 2); A14B_81_PICK names
        # other modes (25..110 s a run: a call holds about six)
        base="--preset 480p --steps 4 --shift 3"
        pick="^(${A14B_81_PICK:-none|model_pinned|layer_pinned_p1|layer_pageable_p1})\$" est=60 est_pageable=115 ;;
    *) echo "unknown set $set_name"; return 2 ;;
esac
while IFS='|' read -r name args; do
    [[ $name =~ $pick ]] || continue
    # pageable layerwise runs take longest: each block crosses pageable memory every step
    e=$est
    [[ $name == layer_pageable* ]] && e=${est_pageable:-$est}
    for r in $(seq 1 "${WHATIF_REPEAT:-1}"); do
        n=$name
        [ "$r" -gt 1 ] && n=${name}_r$r
        # shellcheck disable=SC2086
        rec "$n" "$e" $args
    done
done < <(modes_for "$base")

cp /tmp/whatif-cache/wanprof/machine.json "$W/machine.json" 2>/dev/null
tar -C /tmp -czf "$OUT/whatif-$set_name.tar.gz" "whatif-$set_name"
size=$(stat -c %s "$OUT/whatif-$set_name.tar.gz")
if [ "$size" -gt $((15 * 1024 * 1024)) ]; then
    split -b 15M -d -a 1 "$OUT/whatif-$set_name.tar.gz" "$OUT/whatif-$set_name.tar.gz."
    rm "$OUT/whatif-$set_name.tar.gz"
fi
}

for s in "$@"; do record_set "$s"; done
ls -la "$OUT"
