#!/usr/bin/env bash
# Output names of 241 to 255 bytes work (the temporary name beside them is short, whatever the output's length);
# a name over the file system's limit (256 bytes) is refused before any analysis, naming the requested output and
# never a temporary file. "Before any analysis": the input is a FIFO nobody writes to, which wanprof would wait on
# for ever had it started reading (the timeout is only a guard against that hang).
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
src=$WP_FIXTURES/planted_annotated.json.gz
pass=0 fail=0
bad() { echo "FAIL: $*"; sed 's/^/    /' err; fail=$((fail + 1)); }
name() { printf "%*s" $(($1 - ${#2})) "" | tr ' ' n; printf "%s" "$2"; } # name LENGTH SUFFIX

for len in 241 250 255; do
    for ext in .html .svg .json.gz .sqlite; do
        out=$(name $len $ext)
        case $ext in
        .html) args=(report "$src" -o "$out") want='<html' ;;
        .svg) args=(hist --svg "$out" "$src") want='<svg' ;;
        *) args=(export "$src" "$out") want= ;;
        esac
        "$WANPROF" "${args[@]}" >/dev/null 2>err
        rc=$?
        [ $rc -eq 0 ] && [ -f "$out" ] || { bad "$len-byte $ext: exit $rc"; continue; }
        [ -z "$want" ] || grep -q "$want" "$out" || { bad "$len-byte $ext: not the output"; continue; }
        rm -f "$out"
        pass=$((pass + 1))
    done
done

mkfifo fifo
for ext in .html .svg .json.gz .sqlite; do
    out=$(name 256 $ext)
    case $ext in
    .html) args=(report fifo -o "$out") ;;
    .svg) args=(hist --svg "$out" fifo) ;;
    *) args=(export fifo "$out") ;;
    esac
    timeout 60 "$WANPROF" "${args[@]}" >/dev/null 2>err
    rc=$?
    [ $rc -eq 1 ] || { bad "256-byte $ext: exit $rc, expected 1 before reading the input"; continue; }
    grep -qF "$out: file name too long (256 bytes, at most 255 here)" err || { bad "256-byte $ext: message"; continue; }
    grep -q "wanprof-\|partial" err && { bad "256-byte $ext: the message names a temporary file"; continue; }
    [ "$(ls -A)" = "$(printf 'err\nfifo')" ] || { bad "256-byte $ext: left behind: $(ls -A)"; continue; }
    pass=$((pass + 1))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
