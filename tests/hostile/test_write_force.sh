#!/usr/bin/env bash
# What --force may replace: a regular file only, keeping its mode. Refused, and left exactly as they were: a FIFO, a
# character device (a copy of /dev/null made with mknod where this runs as root), a directory, a symbolic link
# (dangling or not, with or without --force); the input itself, however it is spelled (./a.sqlite) or linked (a hard
# link to it), for export, report and hist; run's outputs, before the command runs. A regular file with another hard link is replaced with a warning that
# the other name keeps the old contents.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
src=$WP_FIXTURES/planted_annotated.json.gz
pass=0 fail=0
bad() { echo "FAIL: $*"; sed 's/^/    /' err; fail=$((fail + 1)); }
fingerprint() { # type, inode, mode, links, target; contents of a regular file
    stat -c '%F %i %a %h %t:%T' "$1"
    [ -L "$1" ] && readlink "$1"
    [ -f "$1" ] && [ ! -L "$1" ] && sha256sum <"$1"
    return 0
}
# refused NAME WANT_RC PATTERN PATH COMMAND...: runs the command, checks exit, message and that PATH is unchanged
refused() {
    local name=$1 want=$2 pattern=$3 path=$4
    shift 4
    local before
    before=$(fingerprint "$path")
    "$WANPROF" "$@" >/dev/null 2>err
    local rc=$?
    if [ $rc -ne "$want" ]; then bad "$name: exit $rc, expected $want"; return; fi
    if ! grep -q -- "$pattern" err; then bad "$name: message lacks '$pattern'"; return; fi
    if [ "$(fingerprint "$path")" != "$before" ]; then bad "$name: $path changed"; return; fi
    if [ -n "$(ls -A | grep wanprof-)" ]; then bad "$name: temporary file left"; return; fi
    pass=$((pass + 1))
}

"$WANPROF" export "$src" a.sqlite >/dev/null 2>err || bad "setup export"
mkfifo fifo.html
refused "FIFO" 1 "fifo.html: is a FIFO; only a regular file is replaced" fifo.html report --force "$src" -o fifo.html
if mknod null.svg c 1 3 2>/dev/null; then
    refused "device" 1 "null.svg: is a character device" null.svg hist --force --svg null.svg "$src"
else
    echo "note: mknod not permitted here: the device case is covered by the FIFO one"
fi
mkdir dir.json
refused "directory" 1 "dir.json: is a directory" dir.json export --force "$src" dir.json
ln -s nowhere dangling.html
refused "dangling link" 1 "dangling.html: already exists" dangling.html report "$src" -o dangling.html
refused "dangling link, --force" 1 "dangling.html: is a symbolic link" dangling.html report --force "$src" -o dangling.html
echo keep >target.html
ln -s target.html link.html
refused "link, --force" 1 "link.html: is a symbolic link" link.html report --force "$src" -o link.html
refused "target of a link" 1 "link.html: is a symbolic link" target.html report --force "$src" -o link.html
refused "export onto its input" 1 "./a.sqlite: is the input a.sqlite" a.sqlite export --force a.sqlite ./a.sqlite
ln a.sqlite hard.sqlite
refused "export onto a hard link of its input" 1 "hard.sqlite: is the input a.sqlite" a.sqlite export --force a.sqlite hard.sqlite
refused "report onto its input" 1 "is the input" a.sqlite report --force a.sqlite -o "$tmp/a.sqlite"
refused "hist onto its input" 1 "is the input" a.sqlite hist --force --svg ./hard.sqlite a.sqlite

# run checks its outputs the same way, before the command runs.
mkfifo r.sqlite
refused "run onto a FIFO" 1 "r.sqlite: is a FIFO" r.sqlite run --force -o r -- touch ran
[ ! -e ran ] || bad "run started the command although its output cannot be written"

# Replaced: a regular file, keeping its mode (0600 stays 0600, 0640 stays 0640).
for mode in 600 640; do
    echo old >m$mode.html
    chmod $mode m$mode.html
    "$WANPROF" report --force "$src" -o m$mode.html >/dev/null 2>err || bad "mode $mode: report failed"
    [ "$(stat -c %a m$mode.html)" = $mode ] && grep -q '<html' m$mode.html && pass=$((pass + 1)) ||
        bad "mode $mode: now $(stat -c %a m$mode.html)"
done
# A hard-linked output: this name gets the new file, the other keeps the old contents, and a warning says so.
echo old >h1.svg
ln h1.svg h2.svg
"$WANPROF" hist --force --svg h1.svg "$src" >/dev/null 2>err
rc=$?
[ $rc -eq 0 ] && grep -q "warning: h1.svg: has 2 hard links: replacing this name only" err && grep -q '<svg' h1.svg &&
    [ "$(cat h2.svg)" = old ] && pass=$((pass + 1)) || bad "hard-linked output (exit $rc)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
