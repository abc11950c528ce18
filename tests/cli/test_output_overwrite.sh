#!/usr/bin/env bash
# Every file wanprof writes besides traces (report -o, hist --svg) is refused when it exists unless --force, the
# existing file is left as it was, and a replacement leaves no temporary file behind.
set -u
W=${WANPROF:?} F=${WP_FIXTURES:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else fails=$((fails + 1)); echo "FAIL: $2" >&2; fi; }
t=$F/planted_annotated.json.gz

for kind in report svg; do
    out=$tmp/out.$kind
    echo "precious" >"$out"
    if [ $kind = report ]; then args=(report "$t" -o "$out"); else args=(hist --svg "$out" "$t"); fi
    "$W" "${args[@]}" >/dev/null 2>"$tmp/err"
    check '[ $? -eq 1 ]' "$kind: existing output without --force exits 1"
    check 'grep -q "already exists" "$tmp/err"' "$kind: the message says the file exists"
    check '[ "$(cat "$out")" = precious ]' "$kind: the existing file is untouched"
    "$W" "${args[@]}" --force >/dev/null 2>&1
    check '[ $? -eq 0 ]' "$kind: --force succeeds"
    check 'grep -q "<svg\|<html" "$out"' "$kind: --force replaced the file with the real output"
    check '[ -z "$(ls "$tmp" | grep partial)" ]' "$kind: no temporary file left"
done
"$W" hist --per-step --svg "$tmp/x.svg" "$t" >/dev/null 2>&1
check '[ $? -eq 2 ] && [ ! -e "$tmp/x.svg" ]' "hist --per-step --svg is a usage error"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
