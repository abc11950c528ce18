#!/usr/bin/env bash
# No-clobber holds to the end, not only at the start: a file created at the output path while wanprof works is kept
# (exit 1, "appeared while wanprof was writing it", its contents, inode and mode unchanged), and of two exports to one
# name exactly one says "wrote" and the file is its complete trace. The input is a FIFO, so the test decides when
# wanprof gets its bytes: opening the FIFO for writing returns once wanprof is reading, i.e. past its start-up checks.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
src=$WP_FIXTURES/planted_annotated.json.gz
pass=0 fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
fingerprint() { stat -c '%i %a %h %s' "$1"; sha256sum <"$1"; }

for kind in export report hist; do
    out=out.$kind.json
    case $kind in
    export) args=(export fifo "$out") ;;
    report) args=(report fifo -o "$out") ;;
    hist) args=(hist --svg "$out" fifo) ;;
    esac
    rm -f fifo && mkfifo fifo
    "$WANPROF" "${args[@]}" >/dev/null 2>err &
    pid=$!
    exec 3>fifo # returns once wanprof has opened its input
    echo "someone else's file" >"$out"
    chmod 640 "$out"
    before=$(fingerprint "$out")
    cat "$src" >&3
    exec 3>&-
    wait $pid
    rc=$?
    [ $rc -eq 1 ] || bad "$kind: exit $rc, expected 1"
    # export meets the file when it takes the name; report and hist already when they open the output after analysing
    grep -Eq "$out: (appeared while wanprof was writing it|already exists)" err || bad "$kind: message: $(cat err)"
    [ "$(fingerprint "$out")" = "$before" ] || bad "$kind: the file that appeared was replaced or changed"
    [ -z "$(ls -A | grep wanprof-)" ] || bad "$kind: temporary file left: $(ls -A)"
    pass=$((pass + 1))
done

# Two exports racing for one name.
rm -f f1 f2 both.json && mkfifo f1 f2
"$WANPROF" export f1 both.json >/dev/null 2>err1 &
p1=$!
"$WANPROF" export f2 both.json >/dev/null 2>err2 &
p2=$!
exec 3>f1 4>f2
cat "$src" >&3
exec 3>&-
wait $p1
rc1=$?
cat "$src" >&4
exec 4>&-
wait $p2
rc2=$?
[ "$rc1" -eq 0 ] && grep -q "wrote both.json" err1 || bad "first export: exit $rc1: $(cat err1)"
[ "$rc2" -eq 1 ] && grep -q "both.json: appeared while wanprof was writing it" err2 || bad "second export: exit $rc2: $(cat err2)"
"$WANPROF" export both.json check.sqlite >/dev/null 2>err || bad "the winner's output is not a complete trace: $(cat err)"
[ -z "$(ls -A | grep wanprof-)" ] || bad "temporary file left: $(ls -A)"
echo "$((pass + 1)) checked, $fail failed"
[ "$fail" -eq 0 ]
