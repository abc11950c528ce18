# bash completion for wanprof and wanprof-runner.
#   source scripts/completion/wanprof.bash
# or install it as ~/.local/share/bash-completion/completions/wanprof (and a link named wanprof-runner beside it).
# Completes subcommands, each one's options and their values, trace files, and after `wanprof run --` the command
# (wanprof-runner's options included). Needs no bash-completion package (uses it when present).
#
# wanprof's commands and options are not listed here: they come from the option tables in the program itself
# (`wanprof __complete` lists the commands, `wanprof __complete CMD` one line per option: "NAME KIND [WORDS...]",
# KIND being flag, value ARG, file [EXT], words W... or list W...), so completion cannot drift from what the parser
# accepts. wanprof-runner's options, below, are the runner's own.

# The wanprof being completed (a path when the line starts with one), else the one on PATH.
_wanprof_bin() {
    if [[ ${COMP_WORDS[0]##*/} == wanprof ]]; then echo "${COMP_WORDS[0]}"; else echo wanprof; fi
}

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

# The comma-separated value of a list option (--trace=cuda,nv): complete the word after the last comma.
_wanprof_list() {
    local words=$1 cur=$2 prefix='' last=$2 w
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

# Completes the value of option OPT from SPEC (the command's `wanprof __complete` lines); returns 1 when OPT is not
# an option that takes a value.
_wanprof_value() {
    local spec=$1 opt=$2 cur=$3 name kind rest
    [[ $opt == -* ]] || return 1
    while read -r name kind rest; do
        [[ $name == "$opt" ]] || continue
        case $kind in
        flag) return 1 ;;
        words) _wanprof_words "$rest" "$cur" ;;
        list) _wanprof_list "$rest" "$cur" ;;
        file) if [[ -n $rest ]]; then _wanprof_files "$cur" "${rest//./\\.}"; else _wanprof_compgen -f -- "$cur"; fi ;;
        *) COMPREPLY=() ;;
        esac
        return 0
    done <<<"$spec"
    return 1
}

_wanprof() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} bin
    bin=$(_wanprof_bin)
    COMPREPLY=()
    if [[ $COMP_CWORD -eq 1 ]]; then
        _wanprof_words "$("$bin" __complete 2>/dev/null) --help --version" "$cur"
        return
    fi
    local cmd=${COMP_WORDS[1]} i
    if [[ $cmd == help ]]; then
        [[ $COMP_CWORD -eq 2 ]] && _wanprof_words "$("$bin" __complete 2>/dev/null)" "$cur"
        return
    fi
    # After "--" only operands follow: for run, the command and then its arguments.
    for ((i = 2; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == -- ]] || continue
        if [[ $cmd != run ]]; then
            _wanprof_operands "$cmd" "$cur"
        elif ((COMP_CWORD == i + 1)); then
            _wanprof_compgen -c -- "$cur"
        elif [[ ${COMP_WORDS[i + 1]##*/} == wanprof-runner ]]; then
            _wanprof_runner_at $((i + 1))
        else
            _wanprof_compgen -f -- "$cur"
        fi
        return
    done
    local spec
    spec=$("$bin" __complete "$cmd" 2>/dev/null) || return
    # bash splits --opt=value at '=' (COMP_WORDBREAKS): the option is then the word before the '='.
    if [[ $cur == = ]]; then
        _wanprof_value "$spec" "$prev" "" && return
    elif [[ $prev == = ]] && ((COMP_CWORD > 2)); then
        _wanprof_value "$spec" "${COMP_WORDS[COMP_CWORD - 2]}" "$cur" && return
    else
        _wanprof_value "$spec" "$prev" "$cur" && return
    fi
    if [[ $cur == -* ]]; then
        _wanprof_words "$(cut -d' ' -f1 <<<"$spec")" "$cur"
    elif [[ $cmd == run ]]; then
        _wanprof_words "-- $(cut -d' ' -f1 <<<"$spec")" "$cur"
    else
        _wanprof_operands "$cmd" "$cur"
    fi
}

# What a command takes after its options: trace files (export's output too), nothing for schedule.
_wanprof_operands() {
    case $1 in
    schedule) COMPREPLY=() ;;
    *) _wanprof_traces "$2" ;;
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
    --sampler)
        _wanprof_words "$("$(_wanprof_bin)" __complete schedule 2>/dev/null | sed -n 's/^--sampler words //p')" "$cur"
        return ;;
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
