#!/usr/bin/env bash
# kill -9 of `wanprof run` does not leave the program it started running: the program gets SIGTERM (PR_SET_PDEATHSIG)
# and ends. Also SIGTERM sent to wanprof alone reaches the program, and wanprof exits with the program's status
# (143). The program is `sleep`, started directly (no shell in between, whose children would not be told). The waits
# are bounded polls, guards against a hang, not timing assertions.
set -uo pipefail
: "${WANPROF:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# child_of PID: the pid of PID's child, once it has exec'd sleep (polled for up to 20 s)
child_of() {
    local c
    for _ in $(seq 200); do
        c=$(grep -l "^PPid:[[:space:]]*$1\$" /proc/[0-9]*/status 2>/dev/null | head -n 1 | cut -d/ -f3)
        [ -n "$c" ] && [ "$(cat /proc/"$c"/comm 2>/dev/null)" = sleep ] && { echo "$c"; return 0; }
        sleep 0.1
    done
    return 1
}
# ended PID: the process is gone or a zombie within 20 s
ended() {
    for _ in $(seq 200); do
        local state
        state=$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null) || return 0
        [ -z "$state" ] || [ "$state" = Z ] && return 0
        sleep 0.1
    done
    return 1
}

"$WANPROF" run -o killed -- sleep 600 2>/dev/null &
wp=$!
if child=$(child_of $wp); then
    kill -9 $wp
    wait $wp 2>/dev/null
    ended "$child" || { bad "kill -9 of wanprof run: the program (pid $child) still runs"; kill "$child"; }
else
    bad "the program did not start"
fi

"$WANPROF" run -o termed -- sleep 600 2>err &
wp=$!
if child=$(child_of $wp); then
    kill -TERM $wp
    wait $wp
    rc=$?
    [ $rc -eq 143 ] || bad "SIGTERM to wanprof: exit $rc, expected 143"
    ended "$child" || { bad "SIGTERM to wanprof: the program still runs"; kill "$child"; }
else
    bad "the program did not start (2)"
fi
"$WANPROF" run --help >help 2>&1; grep -q "if wanprof itself dies (even by SIGKILL)" help || bad "run --help does not say so"
echo "$fail failed"
[ "$fail" -eq 0 ]
