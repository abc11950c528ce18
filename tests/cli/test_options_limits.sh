#!/usr/bin/env bash
# Limits are reported, never applied silently: 65 traces (one over what an analysis reads) are a usage error naming
# the limit in explain, hist and report (hist and report used to drop the 65th without a word), and nothing is
# written; 64 are read.
set -u
W=${WANPROF:?}
T=${WP_FIXTURES:?}/planted_annotated.json.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
traces=()
for i in $(seq 1 65); do
    gzip -dc "$T" >"t$i.json"
    traces+=("t$i.json")
done
for cmd in explain hist "report -o out.html"; do
    # shellcheck disable=SC2086
    "$W" $cmd "${traces[@]}" >out 2>err
    rc=$?
    [ "$rc" -eq 2 ] && grep -qF "65 traces given: one analysis reads at most 64" err ||
        fail "$cmd with 65 traces: want exit 2 naming the limit, got $rc: $(cat err)"
    [ -s out ] && fail "$cmd with 65 traces printed: $(head -2 out)"
done
[ -e out.html ] && fail "report with 65 traces wrote out.html"
"$W" explain "${traces[@]:0:64}" >out 2>err || fail "explain with 64 traces: $(cat err)"
grep -q "^traces: 64 ranks" out || fail "explain with 64 traces: $(head -1 out)"
echo "$fails failed"
[ "$fails" -eq 0 ]
