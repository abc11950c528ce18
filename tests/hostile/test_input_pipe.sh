#!/usr/bin/env bash
# Traces read from pipes and FIFOs (<(zcat ...), /dev/stdin, mkfifo) lose no bytes to format detection: explain gives
# the same text as for the file itself, for plain and gzip'd JSON; info says the format it read. A SQLite trace from a pipe is refused clearly
# (SQLite reads a file in place), exit 2, rather than read wrongly.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
pass=0 fail=0
bad() { echo "FAIL: $*"; sed 's/^/    /' err; fail=$((fail + 1)); }
gz=$WP_FIXTURES/planted_annotated.json.gz
"$WANPROF" explain "$gz" 2>err | tail -n +2 >want || bad "explain on the file"
[ -s want ] || bad "explain printed nothing on the file"
# same NAME: stdin of the comparison is explain's output without its first line (which names the input)
same() { tail -n +2 >got; if cmp -s want got; then pass=$((pass + 1)); else bad "$1: $(diff want got | head -3)"; fi; }
"$WANPROF" explain <(zcat "$gz") 2>err | same "<(zcat FILE)"
"$WANPROF" explain <(cat "$gz") 2>err | same "<(cat FILE.gz)"
zcat "$gz" | "$WANPROF" explain /dev/stdin 2>err | same "zcat | explain /dev/stdin"
cat "$gz" | "$WANPROF" explain /dev/stdin 2>err | same "cat FILE.gz | explain /dev/stdin"
mkfifo fifo
(zcat "$gz" >fifo &)
"$WANPROF" explain fifo 2>err | same "a FIFO"

# info names the format it read, not "unknown": a pipe cannot be looked at twice, so it comes from the reading.
"$WANPROF" info <(cat "$gz") 2>err | sed -n 2p >got
grep -q "format:    Chrome trace JSON (gzip), read from a pipe ([0-9]* bytes of content)" got && pass=$((pass + 1)) ||
    bad "info on a pipe: $(cat got)"
"$WANPROF" export "$gz" t.sqlite >/dev/null 2>err || bad "export"
"$WANPROF" explain <(cat t.sqlite) >/dev/null 2>err
rc=$?
[ $rc -eq 2 ] && grep -q "an SQLite database cannot be read from a pipe (SQLite reads it in place); save it to a file first" err &&
    pass=$((pass + 1)) || bad "SQLite from a pipe: exit $rc"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
