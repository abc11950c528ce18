# bash completion for wanprof and wanprof-runner.
#   source scripts/completion/wanprof.bash
# or install it as ~/.local/share/bash-completion/completions/wanprof (and a link named wanprof-runner beside it).
# Completes subcommands, each one's options and their values, trace files, and after `wanprof run --` the command
# (wanprof-runner's options included). Needs no bash-completion package (uses it when present).

_wanprof_commands="run report explain hist diff schedule export info help"
_wanprof_samplers="wan sglang diffusers-unipc diffusers-euler"
_wanprof_analysis_opts="--threshold --min-excess --step-pattern --steps-per-call --calls-per-step --step-source
    --sampler --shift --steps --boundary"

# COMPREPLY from compgen, one entry per line (file names with blanks stay whole).
_wanprof_compgen() { mapfile -t COMPREPLY < <(compgen "$@"); }

# COMPREPLY from a word list; with compopt, no space after a word ending in '='.
_wanprof_words() {
    local IFS=$' \t\n'
    _wanprof_compgen -W "$1" -- "$2"
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
}

# Files whose names end in one of the given suffixes (a glob alternation such as "sqlite|json.gz"), and folders.
_wanprof_files() {
    local cur=$1 pattern=$2 f
    local IFS=$'\n'
    COMPREPLY=()
    for f in $(compgen -f -- "$cur"); do
        if [[ -d $f ]]; then
            COMPREPLY+=("$f/")
        elif [[ $f =~ \.($pattern)$ ]]; then
            COMPREPLY+=("$f")
        fi
    done
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]]; then
        compopt -o nospace 2>/dev/null
    fi
}

_wanprof_traces() { _wanprof_files "$1" 'sqlite|sqlite3|db|json|json\.gz'; }

# The comma-separated --trace=LIST: complete the word after the last comma.
_wanprof_trace_list() {
    local cur=$1 prefix='' last=$1 w words="cuda gpu api driver modules nvtx memory sync overhead all"
    if [[ $cur == *,* ]]; then
        prefix=${cur%,*},
        last=${cur##*,}
    fi
    COMPREPLY=()
    for w in $words; do
        [[ $w == "$last"* ]] && COMPREPLY+=("$prefix$w")
    done
    compopt -o nospace 2>/dev/null
}

# Values of options that take one; returns 1 when PREV takes none.
_wanprof_value() {
    local cmd=$1 prev=$2 cur=$3
    case $prev in
    --sampler) _wanprof_words "$_wanprof_samplers" "$cur" ;;
    --step-source) _wanprof_words "auto runner pattern region kernels" "$cur" ;;
    --svg) _wanprof_files "$cur" 'svg' ;;
    -o | --output)
        if [[ $cmd == report ]]; then _wanprof_files "$cur" 'html'; else _wanprof_compgen -f -- "$cur"; fi ;;
    --threshold | --min-excess | --step-pattern | --steps-per-call | --calls-per-step | --shift | --boundary | \
        --train-steps | --switch-at | --shift-min | --shift-max | --gpus | --flush-interval)
        COMPREPLY=() ;;
    --steps) COMPREPLY=() ;;
    *) return 1 ;;
    esac
    return 0
}

_wanprof_options() {
    case $1 in
    run) echo "-o --output --trace= --capture-range=nvtx: --flush-interval= --keep-per-process --force --json --gpus --help" ;;
    report) echo "-o --output --force --json $_wanprof_analysis_opts --help" ;;
    explain) echo "$_wanprof_analysis_opts --write-back --json --help" ;;
    hist) echo "--steps --per-step --csv --json --svg --force $_wanprof_analysis_opts --help" ;;
    diff) echo "--json $_wanprof_analysis_opts --help" ;;
    schedule) echo "--sampler --steps --shift --boundary --train-steps --switch-at --shift-min --shift-max --json --help" ;;
    export) echo "--force --help" ;;
    info) echo "--json --help" ;;
    esac
}

_wanprof() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    if [[ $COMP_CWORD -eq 1 ]]; then
        _wanprof_words "$_wanprof_commands --help --version" "$cur"
        return
    fi
    local cmd=${COMP_WORDS[1]} i
    # wanprof run ... -- COMMAND ARGS: complete the command, then its arguments.
    if [[ $cmd == run ]]; then
        for ((i = 2; i < COMP_CWORD; i++)); do
            if [[ ${COMP_WORDS[i]} == -- ]]; then
                if ((COMP_CWORD == i + 1)); then
                    _wanprof_compgen -c -- "$cur"
                elif [[ ${COMP_WORDS[i + 1]##*/} == wanprof-runner ]]; then
                    _wanprof_runner_at $((i + 1))
                else
                    _wanprof_compgen -f -- "$cur"
                fi
                return
            fi
        done
        # bash splits "--trace=cuda,nv" at '=' (COMP_WORDBREAKS): take the whole word from the line, and hand back
        # only the part after the break.
        local line=${COMP_LINE:0:COMP_POINT}
        local full=${line##*[[:space:]]}
        case $full in
        --trace=*)
            _wanprof_trace_list "${full#--trace=}"
            local prefix=${full%"${full##*[=:]}"}
            COMPREPLY=("${COMPREPLY[@]/#/--trace=}")
            COMPREPLY=("${COMPREPLY[@]#"$prefix"}")
            return ;;
        --capture-range=* | --flush-interval=*) COMPREPLY=(); return ;;
        esac
    fi
    if [[ $cmd == help ]]; then
        [[ $COMP_CWORD -eq 2 ]] && _wanprof_words "$_wanprof_commands" "$cur"
        return
    fi
    _wanprof_value "$cmd" "$prev" "$cur" && return
    if [[ $cur == -* ]]; then
        _wanprof_words "$(_wanprof_options "$cmd")" "$cur"
        return
    fi
    case $cmd in
    schedule) COMPREPLY=() ;;
    run) _wanprof_words "-- $(_wanprof_options run)" "$cur" ;;
    export) _wanprof_files "$cur" 'sqlite|sqlite3|db|json|json\.gz' ;;
    *) _wanprof_traces "$cur" ;;
    esac
}

# wanprof-runner's words start at index START of COMP_WORDS (0 when it is the command itself).
_wanprof_runner_at() {
    local start=$1 cur=${COMP_WORDS[COMP_CWORD]} prev=
    ((COMP_CWORD > start)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    case $prev in
    --preset) _wanprof_words "tiny 480p 720p" "$cur"; return ;;
    --offload) _wanprof_words "none model layerwise" "$cur"; return ;;
    --host-memory) _wanprof_words "pageable pinned" "$cur"; return ;;
    --precision) _wanprof_words "bf16 fp32" "$cur"; return ;;
    --attention) _wanprof_words "auto own cudnn" "$cur"; return ;;
    --sampler) _wanprof_words "$_wanprof_samplers" "$cur"; return ;;
    --forward) _wanprof_words "500:high 500:low 900:high" "$cur"; return ;;
    --model) _wanprof_compgen -d -- "$cur"; compopt -o nospace 2>/dev/null; COMPREPLY=("${COMPREPLY[@]/%//}"); return ;;
    --config) _wanprof_files "$cur" 'json'; return ;;
    --inputs | --save) _wanprof_files "$cur" 'safetensors'; return ;;
    --rendezvous) _wanprof_compgen -f -- "$cur"; return ;;
    --layers | --seed | --prefetch | --frames | --height | --width | --latent | --text-tokens | --steps | --shift | \
        --boundary | --guidance | --nproc | --ulysses) return ;;
    esac
    _wanprof_words "--preset --model --config --layers --seed --precision --attention --offload --host-memory
        --prefetch --layer-sync --nproc --ulysses --cfg-parallel --rendezvous --inputs --frames --height --width
        --latent --text-tokens --steps --sampler --shift --boundary --guidance --forward --save --save-steps --force
        --help" "$cur"
}

_wanprof_runner() { _wanprof_runner_at 0; }

complete -F _wanprof wanprof
complete -F _wanprof_runner wanprof-runner
