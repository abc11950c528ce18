#!/usr/bin/env bash
# A full disk while writing any output (.json.gz, .json, .sqlite, report's .html, hist's .svg) is reported as
# "writing OUT: No space left on device" (a 4 KiB tmpfs where this runs as root and may mount one; elsewhere a file
# size limit with SIGXFSZ ignored, "File too large", which SQLite reports as a short write): exit 1, the message names the output (not the input, not a
# temporary file), no OUT appears and no temporary file is left to take the space.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d)
small=$tmp/small
mkdir "$small"
if mount -t tmpfs -o size=4k tmpfs "$small" 2>/dev/null; then
    trap 'umount "$small"; rm -rf "$tmp"' EXIT
    cause="No space left on device" limit=unlimited
else
    trap 'rm -rf "$tmp"' EXIT
    cause="File too large" limit=4
    # SQLite loses the errno of a write cut short by the limit (it then says "short write ...")
    sqlite_cause="short write"
fi
src=$WP_FIXTURES/planted_annotated.json.gz
pass=0 fail=0
bad() { echo "FAIL: $*"; sed 's/^/    /' "$tmp/err"; fail=$((fail + 1)); }

for out in o.json.gz o.json o.sqlite r.html h.svg; do
    case $out in
    r.html) args=(report "$src" -o "$small/$out") ;;
    h.svg) args=(hist --svg "$small/$out" "$src") ;;
    *) args=(export "$src" "$small/$out") ;;
    esac
    (trap '' XFSZ; ulimit -f "$limit"; exec "$WANPROF" "${args[@]}") >/dev/null 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 1 ]; then bad "$out: exit $rc, expected 1"; continue; fi
    want=$cause
    [ "$out" = o.sqlite ] && [ -n "${sqlite_cause:-}" ] && want=$sqlite_cause
    grep -qF "writing $small/$out: $want" "$tmp/err" || { bad "$out: message lacks 'writing OUT: $want'"; continue; }
    grep -q "wanprof-\|partial\|$src\|consumer" "$tmp/err" && { bad "$out: message names a temporary file or blames the input"; continue; }
    [ ! -e "$small/$out" ] || { bad "$out: a partial output took the name"; continue; }
    [ -z "$(ls -A "$small")" ] || { bad "$out: left behind: $(ls -A "$small")"; continue; }
    pass=$((pass + 1))
done
echo "$pass passed, $fail failed ($cause)"
[ "$fail" -eq 0 ]
