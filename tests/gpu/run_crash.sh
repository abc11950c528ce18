#!/usr/bin/env bash
# Crash safety: collector_exact --loop under `wanprof run`, killed mid-run.
#   SIGKILL: the outputs open and hold every iteration up to the last flush (0.5 s here: the iterations finished
#            more than 2 flush intervals before the kill must all be there, without gaps);
#   SIGTERM: the signal handler flushes everything: every iteration finished before the signal is there, and
#            wanprof run returns 128+15 like the killed program.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/gpu_present.sh"
: "${WANPROF:?}" "${WP_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# run_and_kill SIGNAL NAME: starts the loop, waits until it has run a while, sends SIGNAL to the program itself
# (not to wanprof), prints the last iteration it had finished.
run_and_kill() {
    local sig=$1 name=$2
    "$WANPROF" run --flush-interval 0.5 --keep-per-process -o "$tmp/$name" -- \
        "$WP_BIN/collector_exact" --loop 60 "$tmp/$name.progress" &
    local wp=$!
    local child=""
    for _ in $(seq 100); do
        child=$(pgrep -P "$wp" -f collector_exact || true)
        [ -n "$child" ] && [ -s "$tmp/$name.progress" ] && break
        sleep 0.1
    done
    sleep 4
    local last
    last=$(cat "$tmp/$name.progress")
    kill "-$sig" "$child"
    wait "$wp"
    echo "rc=$? last=$last"
}

out=$(run_and_kill KILL killed); echo "SIGKILL: $out"
rc=${out#rc=}; rc=${rc%% *}; last=${out##*last=}
[ "$rc" = 137 ] || { echo "FAIL: wanprof run returned $rc after SIGKILL, expected 137"; status=1; }
# Iterations take ~21 ms: those finished more than ~1 s (2 flush intervals) before the kill must be on disk.
min=$(( last - 50 )); [ $min -lt 1 ] && min=1
for f in "$tmp/killed.sqlite" "$tmp/killed.json.gz" "$tmp"/killed.wanprof-parts/*.sqlite; do
    "$WP_BIN/check_exact" loop "$f" "$min" || status=1
done

out=$(run_and_kill TERM termed); echo "SIGTERM: $out"
rc=${out#rc=}; rc=${rc%% *}; last=${out##*last=}
[ "$rc" = 143 ] || { echo "FAIL: wanprof run returned $rc after SIGTERM, expected 143"; status=1; }
for f in "$tmp/termed.sqlite" "$tmp/termed.json.gz"; do
    "$WP_BIN/check_exact" loop "$f" $(( last + 1 )) || status=1
done
exit $status
