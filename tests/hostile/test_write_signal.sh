#!/usr/bin/env bash
# Ctrl-C (SIGINT) or kill (SIGTERM) while an output is being written leaves no temporary file behind, and wanprof
# still dies of the signal (exit 128+N). The export waits on a FIFO input, its temporary output already created, when
# the signal comes. SIGINT is reset to its default with env --default-signal: a background job of a script starts
# with SIGINT ignored, and an ignored signal stays ignored.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
pass=0 fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
env --default-signal=INT true 2>/dev/null || { echo "skip: env has no --default-signal"; exit 77; }

for sig in INT TERM; do
    for out in out.json.gz out.sqlite; do
        rm -f fifo && mkfifo fifo
        env --default-signal=INT "$WANPROF" export fifo "$out" >/dev/null 2>err &
        pid=$!
        exec 3>fifo # wanprof is reading its input: the temporary output exists
        [ -n "$(ls -A | grep wanprof-)" ] || bad "$sig $out: no temporary file while writing (test set-up)"
        kill -s $sig $pid
        wait $pid
        rc=$?
        exec 3>&-
        want=$((128 + $(kill -l $sig)))
        [ $rc -eq $want ] || bad "$sig $out: exit $rc, expected $want"
        left=$(ls -A | grep -v '^fifo$\|^err$')
        [ -z "$left" ] || bad "$sig $out: left behind: $left"
        pass=$((pass + 1))
    done
done
echo "$pass checked, $fail failed"
[ "$fail" -eq 0 ]
