#!/usr/bin/env bash
# stdout is checked at exit, as perf does: every command that writes to stdout, run with stdout on /dev/full (every
# write fails with ENOSPC), exits non-zero and says so; the same command with stdout on /dev/null exits 0, so the
# failure is the write's. export writes nothing to stdout (its message goes to stderr): its --help page stands in.
set -u
W=${WANPROF:?}
T=${WP_FIXTURES:?}/planted_annotated.json.gz
U=$WP_FIXTURES/planted_unannotated.json.gz
[ -w /dev/full ] || { echo "no /dev/full here: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fails=0
# check ARGS...: exit 0 to /dev/null, non-zero to /dev/full with a message naming standard output.
check() {
    rm -f out.html
    "$W" "$@" >/dev/null 2>err
    local ok=$?
    rm -f out.html
    "$W" "$@" >/dev/full 2>err
    local full=$?
    if [ "$ok" -ne 0 ] || [ "$full" -eq 0 ] || ! grep -q "cannot write to standard output: No space left" err; then
        echo "FAIL: wanprof $*: exit $ok to /dev/null, $full to /dev/full: $(cat err)"
        fails=$((fails + 1))
    fi
}
check explain "$T"
check explain --json "$T"
check hist "$T"
check hist --per-step --csv "$T"
check diff "$T" "$U"
check report -o out.html "$T"
check schedule
check schedule --switch-at 10 --json
check info "$T"
check run --json -- true
check export --help
check help
check help explain
check --version
for cmd in $("$W" __complete); do check "$cmd" --help; done
echo "$fails failed"
[ "$fails" -eq 0 ]
