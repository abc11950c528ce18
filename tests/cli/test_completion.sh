#!/usr/bin/env bash
# scripts/completion/wanprof.bash: sourced in bash, the completion functions fill COMPREPLY as expected for wanprof's
# commands, options, option values and trace files, and for wanprof-runner's options and values (also after
# `wanprof run --`). Each case sets COMP_WORDS / COMP_CWORD / COMP_LINE / COMP_POINT as bash would. wanprof's words
# come from its option tables (`wanprof __complete`), so the wanprof under test is first on PATH.
set -u
S=${WP_SOURCE_DIR:?}
PATH=$(dirname "${WANPROF:?}"):$PATH
# shellcheck source=/dev/null
source "$S/scripts/completion/wanprof.bash" || { echo "FAIL: cannot source the completion script"; exit 1; }
fails=0 passes=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" && touch run1.sqlite run2.json.gz notes.txt plot.svg report.html "my run.sqlite" && mkdir -p traces && touch traces/a.sqlite

# expect FUNCTION "WANT (sorted as in C, space-separated)" WORD... : the last WORD is the one being completed. LINE=...
# gives the command line when bash splits a word at COMP_WORDBREAKS ('=' and ':'), as in --trace=cuda,nv.
expect() {
    local fn=$1 want=$2
    shift 2
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE=${LINE:-"$*"}
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$fn" 2>/dev/null
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then
        passes=$((passes + 1))
    else
        fails=$((fails + 1))
        echo "FAIL: '$*': want [$want], got [$got]"
    fi
}

expect _wanprof "explain export" wanprof ex
expect _wanprof "diff" wanprof help di
expect _wanprof "--shift" wanprof explain --sh
expect _wanprof "--step-pattern --step-source --steps --steps-per-call" wanprof explain --step
expect _wanprof "sglang" wanprof explain --sampler s
expect _wanprof "auto kernels pattern region runner" wanprof hist --step-source ""
expect _wanprof "plot.svg traces/" wanprof hist --svg ""
expect _wanprof "my run.sqlite run1.sqlite run2.json.gz traces/" wanprof explain ""
expect _wanprof "my run.sqlite" wanprof info my
expect _wanprof "traces/a.sqlite" wanprof diff run1.sqlite traces/
expect _wanprof "--switch-at" wanprof schedule --sw
expect _wanprof "--flush-interval --force" wanprof run --f
expect _wanprof "--step-pattern --step-range --step-source --steps-per-call" wanprof hist --step
expect _wanprof "--calls-per-step" wanprof diff --ca
expect _wanprof "whatif" wanprof wh
expect _wanprof "--machine --min-excess" wanprof report --m
expect _wanprof "my run.sqlite run1.sqlite run2.json.gz traces/" wanprof explain --json ""
expect _wanprof "" wanprof explain --shift ""
expect _wanprof "my run.sqlite run1.sqlite run2.json.gz traces/" wanprof hist -- ""
LINE="wanprof explain --sampler=diffusers-u" expect _wanprof "diffusers-unipc" wanprof explain --sampler = diffusers-u
LINE="wanprof report --output=" expect _wanprof "report.html traces/" wanprof report --output =
LINE="wanprof run --trace=" expect _wanprof "all api cuda driver gpu memory modules none nvtx overhead sync" wanprof run --trace =
LINE="wanprof run --trace=cuda,nv" expect _wanprof "cuda,nvtx" wanprof run --trace = cuda,nv
LINE="wanprof run --trace=m" expect _wanprof "memory modules" wanprof run --trace = m
expect _wanprof "--output" wanprof report -o x.html --o
expect _wanprof "report.html" wanprof report -o rep
expect _wanprof "--sampler" wanprof explain --sa
expect _wanprof "model" wanprof run -o r -- wanprof-runner --offload m
expect _wanprof "--host-memory" wanprof run -- build/bin/wanprof-runner --preset 480p --host
expect _wanprof_runner "480p 720p tiny" wanprof-runner --preset ""
expect _wanprof_runner "layerwise" wanprof-runner --offload l
expect _wanprof_runner "pageable pinned" wanprof-runner --offload model --host-memory ""
expect _wanprof_runner "bf16 fp32" wanprof-runner --precision ""
expect _wanprof_runner "auto cudnn own" wanprof-runner --attention ""
expect _wanprof_runner "diffusers-euler diffusers-unipc" wanprof-runner --sampler diff
expect _wanprof_runner "--latent --layer-sync --layers" wanprof-runner --la
expect _wanprof_runner "" wanprof-runner --steps ""

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
