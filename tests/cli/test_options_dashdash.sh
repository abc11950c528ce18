#!/usr/bin/env bash
# "--" ends the options in every command: a trace whose name starts with '-' is read when it comes after "--" (and
# is an unknown option before it), an option after "--" is an operand, and run still hands everything after its
# COMMAND (with or without "--") to the command, --help included.
set -u
W=${WANPROF:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
gzip -dc "${WP_FIXTURES:?}/planted_annotated.json.gz" >-x.json
gzip -dc "$WP_FIXTURES/planted_unannotated.json.gz" >-y.json
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect STATUS TEXT ARGS...: wanprof ARGS exits STATUS and its stdout+stderr holds TEXT.
expect() {
    local want=$1 text=$2
    shift 2
    "$W" "$@" >out 2>&1
    local rc=$?
    [ "$rc" -eq "$want" ] && grep -qF -- "$text" out ||
        fail "wanprof $*: want exit $want and '$text', got $rc: $(head -3 out)"
}
expect 0 "-x.json: 1 rank" explain -- -x.json
expect 2 "unknown option '-x'" explain -x.json
expect 0 "memcpy histograms: -x.json, steps 9-9" hist --step-range 9 -- -x.json
expect 0 "A: -x.json" diff -- -x.json -y.json
expect 0 "wrote out.html" report -o out.html -- -x.json
[ -s out.html ] || fail "report -- -x.json wrote no out.html"
expect 0 "-x.json" info -- -x.json
expect 0 "wrote -z.sqlite" export -- -x.json -z.sqlite
expect 0 "-z.sqlite" info --json -- -z.sqlite
"$W" schedule --shift 3 -- >a 2>&1 && "$W" schedule --shift 3 >b 2>&1 && cmp -s a b || fail "schedule -- differs"
expect 2 "unexpected argument '--json'" schedule -- --json
expect 1 "--json" explain -- --json # after "--" it is a file name, which does not exist
expect 0 "[--help]" run -o r -- printf '[%s]\n' --help
expect 0 "[--help]" run -o r printf '[%s]\n' --help # the first operand ends run's options too
! grep -q SYNOPSIS out || fail "run printf --help printed run's help page"
[ ! -e r.sqlite ] || fail "run wrote r.sqlite without any CUDA activity"
echo "$fails failed"
[ "$fails" -eq 0 ]
