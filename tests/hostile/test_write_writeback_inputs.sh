#!/usr/bin/env bash
# explain --write-back with several traces is a usage error (exit 2, nothing analysed, no file touched): each file
# would otherwise get every trace's steps. A trace that cannot take the result (a .json.gz) is refused before the
# analysis: exit 1, nothing printed on stdout, and a SQLite given with it unchanged.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
src=$WP_FIXTURES/planted_annotated.json.gz
pass=0 fail=0
bad() { echo "FAIL: $*"; sed 's/^/    /' err; fail=$((fail + 1)); }
fingerprint() { stat -c '%i %a %h %s %Y' "$1"; sha256sum <"$1"; }
"$WANPROF" export "$src" a.sqlite >/dev/null 2>&1 && "$WANPROF" export "$src" b.sqlite >/dev/null 2>&1 || { echo "FAIL: setup"; exit 1; }
cp "$src" c.json.gz
fa=$(fingerprint a.sqlite) fb=$(fingerprint b.sqlite) fc=$(fingerprint c.json.gz)
unchanged() { [ "$(fingerprint a.sqlite)" = "$fa" ] && [ "$(fingerprint b.sqlite)" = "$fb" ] && [ "$(fingerprint c.json.gz)" = "$fc" ] && [ ! -e a.sqlite-journal ]; }

# check NAME WANT_RC PATTERN ARGS...
check() {
    local name=$1 want=$2 pattern=$3
    shift 3
    "$WANPROF" explain --write-back "$@" >out 2>err
    local rc=$?
    if [ $rc -ne "$want" ]; then bad "$name: exit $rc, expected $want"; return; fi
    if ! grep -q -- "$pattern" err; then bad "$name: message lacks '$pattern'"; return; fi
    if [ -s out ]; then bad "$name: analysed and printed before refusing"; return; fi
    if ! unchanged; then bad "$name: a file changed"; return; fi
    pass=$((pass + 1))
}
check "two SQLite traces" 2 "--write-back takes one TRACE (2 given)" a.sqlite b.sqlite
check "SQLite and .json.gz" 2 "--write-back takes one TRACE (2 given)" a.sqlite c.json.gz
check ".json.gz alone" 1 "c.json.gz: --write-back needs a SQLite trace" c.json.gz
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
