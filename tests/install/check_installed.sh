#!/usr/bin/env bash
# The installed wanprof works with no build or source tree behind it: run from a copy of the examples, with PATH,
# the working directory and the environment giving no hint of either. Checks the version, the help and man pages,
# schedule and explain against what the build tree printed (REFERENCE, made by scripts/install_test.sh before the
# build tree was moved away), the data files, and, where the GPU parts are installed, the runner and the collector as
# `wanprof run` finds them.
# usage: tests/install/check_installed.sh PREFIX REFERENCE_DIR WORK_DIR (holding a copy of examples/)
set -u
prefix=$1 ref=$2 work=$3
W=$prefix/bin/wanprof
fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else fails=$((fails + 1)); echo "FAIL: $2" >&2; fi; }
unset WANPROF_COLLECTOR WANPROF_RUNNER WANPROF_DATA_DIR

check '[ -x "$W" ]' "$W is not installed"
check '[ "$("$W" --version)" = "$(cat "$ref/version")" ]' "--version: '$("$W" --version)', the build printed '$(cat "$ref/version")'"
check '"$W" help explain | grep -q "^SYNOPSIS"' "help explain has no SYNOPSIS"
man=$(find "$prefix" -name wanprof-explain.1 -path "*man1*" | head -1)
check '[ -n "$man" ] && grep -q "^.SH SYNOPSIS" "$man"' "man page wanprof-explain.1 missing or empty"
check '[ -f "$(find "$prefix" -path "*bash-completion/completions/wanprof" | head -1)" ]' "bash completion not installed"
check '[ -f "$(find "$prefix" -path "*share/wanprof/schemas/wan2.2-t2v-a14b.json" | head -1)" ]' "model config not installed"
check '[ "$("$W" schedule --sampler wan --shift 3 --steps 27)" = "$(cat "$ref/schedule")" ]' "schedule differs from the build tree's"
h100=$(find "$prefix" -path "*share/wanprof/machines/h100_pcie_x4.json" | head -1)
check '[ -f "$h100" ] && grep -q "wanprof.machine-spec/1" "$h100"' "the described machines are not installed in share/wanprof/machines"

cd "$work"
for want in examples/*/*.explain.txt; do
    db=${want%.explain.txt}.sqlite
    args=$(cat "${db%.sqlite}.explain.args")
    got=$("$W" explain $args "$db" 2>/dev/null)
    check '[ "$got" = "$(cat "$want")" ]' "installed explain $db differs from $want: $(diff <(echo "$got") "$want" | head -5)"
done

runner=$prefix/bin/wanprof-runner
if [ -x "$runner" ]; then
    version=$("$W" --version)
    check '[ "$("$runner" --version)" = "wanprof-runner ${version#wanprof }" ]' "wanprof-runner --version: $("$runner" --version)"
    check '"$runner" --help | grep -q -- "--preset"' "wanprof-runner --help"
    # The collector as `wanprof run` hands it to the program, and nothing said about it missing.
    injected=$("$W" run -- sh -c 'echo "$CUDA_INJECTION64_PATH"' 2>"$work/run.err")
    collector=$(find "$prefix" -name libwanprof_collector.so -path "*wanprof/*" | head -1)
    check '[ -n "$collector" ] && [ "$injected" -ef "$collector" ]' "wanprof run injects '$injected', installed: '$collector'"
    check '! grep -q "not found" "$work/run.err"' "wanprof run: $(cat "$work/run.err")"
    check 'ldd "$collector" | grep -q "libcupti.*=> /"' "the installed collector does not find libcupti: $(ldd "$collector" | grep cupti)"
fi
echo "install check: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
