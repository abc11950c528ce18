#!/usr/bin/env bash
# A symbolic link planted where wanprof used to put its temporary file (OUT.partial-PID, a name anyone could
# predict) redirects nothing: report, hist --svg and export write their output, and the link's target and the link
# stay as they were. wanprof's pid is known before it writes because it waits on a FIFO input.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
src=$WP_FIXTURES/planted_annotated.json.gz
pass=0 fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
fingerprint() { stat -c '%i %a %h %s' "$1"; sha256sum <"$1"; }

echo "precious" >victim
chmod 600 victim
for kind in report hist export; do
    case $kind in
    report) out=out.html args=(report fifo -o out.html) want='<html' ;;
    hist) out=out.svg args=(hist --svg out.svg fifo) want='<svg' ;;
    export) out=out.json args=(export fifo out.json) want='"traceEvents"' ;;
    esac
    rm -f fifo && mkfifo fifo
    before=$(fingerprint victim)
    "$WANPROF" "${args[@]}" >/dev/null 2>err &
    pid=$!
    ln -s "$tmp/victim" "$out.partial-$pid"
    exec 3>fifo
    cat "$src" >&3
    exec 3>&-
    wait $pid
    rc=$?
    [ $rc -eq 0 ] || bad "$kind: exit $rc: $(cat err)"
    [ "$(fingerprint victim)" = "$before" ] || bad "$kind: the link's target was written"
    [ "$(readlink "$out.partial-$pid")" = "$tmp/victim" ] || bad "$kind: the planted link was replaced"
    [ -f "$out" ] && [ ! -L "$out" ] && grep -q "$want" "$out" || bad "$kind: $out is not the output"
    rm -f "$out.partial-$pid"
    pass=$((pass + 1))
done
echo "$pass checked, $fail failed"
[ "$fail" -eq 0 ]
