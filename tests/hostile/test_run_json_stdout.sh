#!/usr/bin/env bash
# `wanprof run --json` keeps stdout for the JSON alone: what the profiled program prints on its stdout goes to
# stderr (in order with its stderr lines), so stdout parses as one JSON document whatever the program writes there,
# even text that looks like JSON. Without --json the program's stdout stays on stdout.
set -uo pipefail
: "${WANPROF:?}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
"$WANPROF" run --json -o j -- sh -c 'echo "{\"forged\": 1}"; echo PROGRAM-OUT; echo PROGRAM-ERR >&2; exit 3' >out 2>err
rc=$?
[ $rc -eq 3 ] || bad "exit $rc, expected the program's 3"
python3 -c "
import json, sys
d = json.load(open('out'))
assert d['exit_status'] == 3 and d['command'][0] == 'sh', d
" || bad "stdout is not the summary JSON alone: $(head -c 300 out)"
grep -qx PROGRAM-OUT out && bad "the program's stdout reached the JSON"
grep -qx PROGRAM-OUT err && grep -qx '{"forged": 1}' err && grep -qx PROGRAM-ERR err || bad "the program's output is lost: $(cat err)"
"$WANPROF" run --help >help 2>&1; grep -q "standard output then goes to standard error" help || bad "run --help does not say so"
"$WANPROF" run -o t -- sh -c 'echo PLAIN' >out 2>err
grep -qx PLAIN out || bad "without --json the program's stdout left stdout"
echo "$fail failed"
[ "$fail" -eq 0 ]
