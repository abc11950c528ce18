#!/usr/bin/env bash
# Every option of every command, as its table lists it (`wanprof __complete CMD`), is accepted as --opt value and as
# --opt=value (a short one also as -o value and -ovalue) with the same stdout and exit status; a flag refuses a
# value (exit 2, naming it) and an unknown option is a usage error naming it; an alias gives what its option gives
# (an old name with a warning). A new option is walked without changing this test; only a new kind of value name
# (the ARG of the help page) needs a sample below.
set -u
W=${WANPROF:?}
T=${WP_FIXTURES:?}/planted_annotated.json.gz
U=$WP_FIXTURES/planted_unannotated.json.gz
export WANPROF_RUNNER=/bin/true # run's built-in workload, which then records nothing: exit 0, no outputs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The operands each command needs around the option under test; $1 is the option, to leave out a second -o.
operands() {
    case $2 in
    explain | hist | info | whatif) echo "$T" ;;
    diff) echo "$T $U" ;;
    report) [ "$1" = --output ] || [ "$1" = -o ] || echo "-o out.html"; echo "$T" ;;
    export) echo "$T out.json" ;;
    whatif) echo "$WP_FIXTURES/whatif/none.json.gz" ;; # a loop with the runner's metadata and the machine's figures
    run) [ "$1" = --gpus ] || echo "-- true" ;; # --gpus is for the built-in runner: WANPROF_RUNNER below
    esac
}

# A value for an option whose table gives it only a name (ARG): a valid sample of what that name stands for.
sample() {
    case $1 in
    K) echo 10 ;;
    F) echo 0.2 ;;
    N) echo 27 ;;
    S) echo 3 ;;
    B) echo 0.9 ;;
    BYTES) echo 3e9 ;;
    T) echo 1000 ;;
    RE) echo 'step ([0-9]+)' ;;
    'N|A-B') echo 9-12 ;;
    SECONDS) echo 0.5 ;;
    nvtx:RANGE) echo nvtx:step ;;
    *) return 1 ;;
    esac
}

# Runs wanprof CMD ARGS... in a fresh folder (outputs have the same relative name every time); leaves the exit status
# in $tmp/NAME.rc, stdout in $tmp/NAME.out, stderr in $tmp/NAME.err.
run_in() {
    local name=$1
    shift
    rm -rf "$tmp/dir"
    mkdir "$tmp/dir"
    (cd "$tmp/dir" && "$W" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err")
    echo $? >"$tmp/$name.rc"
}

# same CMD OPTION VALUE EXTRA...: the spaced and the joined forms give the same stdout and exit status.
same() {
    local cmd=$1 opt=$2 value=$3
    shift 3
    local joined="$opt=$value"
    [[ $opt == --* ]] || joined="$opt$value"
    run_in spaced "$cmd" "$opt" "$value" "$@"
    run_in joined "$cmd" "$joined" "$@"
    checks=$((checks + 1))
    if [ "$(cat "$tmp/spaced.rc")" != "$(cat "$tmp/joined.rc")" ] || ! cmp -s "$tmp/spaced.out" "$tmp/joined.out"; then
        fail "$cmd: '$opt $value' exits $(cat "$tmp/spaced.rc"), '$joined' $(cat "$tmp/joined.rc"), or stdout differs"
    elif [ "$(cat "$tmp/spaced.rc")" = 2 ]; then
        fail "$cmd '$opt $value' is a usage error: $(cat "$tmp/spaced.err")"
    fi
}

# A value the command accepts for OPT: the first of the candidates that is not a usage error.
pick() {
    local cmd=$1 opt=$2 v
    shift 2
    for v in "$@"; do
        # shellcheck disable=SC2046
        run_in pick "$cmd" "$opt" "$v" $(operands "$opt" "$cmd")
        [ "$(cat "$tmp/pick.rc")" != 2 ] && { echo "$v"; return 0; }
    done
    return 1
}

walk() {
    local cmd=$1 name kind rest value
    while read -r name kind rest; do
        [ "$name" = --help ] || [ "$name" = -h ] && continue
        # shellcheck disable=SC2046
        case $kind in
        flag)
            run_in flag "$cmd" "$name" $(operands "$name" "$cmd")
            checks=$((checks + 1))
            [ "$(cat "$tmp/flag.rc")" != 2 ] || fail "$cmd $name is refused: $(cat "$tmp/flag.err")"
            [[ $name == --* ]] || continue
            run_in flagv "$cmd" "$name=1" $(operands "$name" "$cmd")
            checks=$((checks + 1))
            [ "$(cat "$tmp/flagv.rc")" = 2 ] && grep -qF -- "$name takes no value" "$tmp/flagv.err" ||
                fail "$cmd $name=1: want exit 2 naming $name, got $(cat "$tmp/flagv.rc"): $(cat "$tmp/flagv.err")"
            continue ;;
        words | list)
            # shellcheck disable=SC2086
            value=$(pick "$cmd" "$name" $rest) || { fail "$cmd $name: no word of '$rest' is accepted"; continue; } ;;
        file) value=out${rest:+.$rest} ;;
        value) value=$(sample "$rest") || { fail "$cmd $name: no sample value for $rest: add one"; continue; } ;;
        *) fail "$cmd $name: unknown kind '$kind'"; continue ;;
        esac
        # shellcheck disable=SC2046
        same "$cmd" "$name" "$value" $(operands "$name" "$cmd")
    done < <("$W" __complete "$cmd")
}

commands=$("$W" __complete) || { echo "FAIL: wanprof __complete"; exit 1; }
for cmd in $commands; do
    walk "$cmd"
    run_in unknown "$cmd" --no-such-option
    checks=$((checks + 1))
    [ "$(cat "$tmp/unknown.rc")" = 2 ] && grep -qF -- "unknown option '--no-such-option'" "$tmp/unknown.err" ||
        fail "$cmd --no-such-option: want exit 2 naming it, got $(cat "$tmp/unknown.rc"): $(cat "$tmp/unknown.err")"
done
# Aliases: hist's old --steps is --step-range with a warning naming the new name; --calls-per-step is
# --steps-per-call without one.
alias_same() { # OLD NEW WARNING ARGS...: same stdout and status; WARNING (or nothing) on stderr
    local old=$1 new=$2 warning=$3
    shift 3
    run_in old "${old% *}" "${old#* }" "$@"
    run_in new "${new% *}" "${new#* }" "$@"
    checks=$((checks + 1))
    [ "$(cat "$tmp/old.rc")" = 0 ] && [ "$(cat "$tmp/new.rc")" = 0 ] && cmp -s "$tmp/old.out" "$tmp/new.out" ||
        fail "'$old' and '$new' differ (exit $(cat "$tmp/old.rc") and $(cat "$tmp/new.rc"))"
    if [ -n "$warning" ]; then
        grep -qF -- "$warning" "$tmp/old.err" || fail "'$old' does not warn '$warning': $(cat "$tmp/old.err")"
    else
        [ -s "$tmp/old.err" ] && fail "'$old' printed to stderr: $(cat "$tmp/old.err")"
    fi
}
alias_same "hist --steps" "hist --step-range" "warning: --steps is the old name of --step-range" 9 "$T"
alias_same "explain --calls-per-step" "explain --steps-per-call" "" 2 "$T"

# The walk must have walked (an empty __complete would pass): all commands, the group and each command's own options.
[ "$(wc -w <<<"$commands")" -ge 9 ] || fail "__complete lists $(wc -w <<<"$commands") commands"
for want in "explain --threshold" "explain --steps" "explain --json" "hist --step-range" "report -o" "run --trace" \
    "schedule --switch-at" "info --json" "export --force"; do
    "$W" __complete "${want% *}" | grep -q "^${want#* } " || fail "__complete ${want% *} lacks ${want#* }"
done
echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
