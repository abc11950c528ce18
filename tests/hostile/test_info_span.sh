#!/usr/bin/env bash
# Finding (issue 13, output a user cannot trust): `info` computed the span as last - first in int64, so a trace whose
# events lie near both ends of the timestamp range printed a negative span (signed overflow, undefined behaviour).
# Now the difference is taken in 64 unsigned bits: the span is the true one, in text, and --json keeps both ends.
set -u
W=${WANPROF:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }

# Two kernels, at -9.2e18 ns and +9.2e18 ns (Kineto's microseconds: +-9.2e15): 1.84e19 ns apart, past INT64_MAX.
python3 - "$tmp/t.json" <<'PY'
import json, sys
ev = [{"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": ts, "dur": 1,
       "args": {"device": 0, "stream": 7, "correlation": 1}} for ts in (-9.2e15, 9.2e15)]
json.dump({"traceEvents": ev}, open(sys.argv[1], "w"))
PY
for f in t.json t.sqlite; do
    [ "$f" = t.json ] || "$W" export "$tmp/t.json" "$tmp/t.sqlite" 2>/dev/null || bad "export exits $?"
    "$W" info "$tmp/$f" >"$tmp/info.txt" 2>&1 || bad "info $f exits $?"
    grep -qx '  span:      18400000000.000001 s (-9200000000000000000 .. 9200000000000001000 ns)' "$tmp/info.txt" ||
        bad "info $f: $(grep span: "$tmp/info.txt"), want 18400000000.000001 s"
    "$W" info --json "$tmp/$f" >"$tmp/info.json" 2>/dev/null || bad "info --json $f exits $?"
    ends=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["traces"][0]; print(t["start_ns"], t["end_ns"])' "$tmp/info.json")
    [ "$ends" = "-9200000000000000000 9200000000000001000" ] || bad "info --json $f: start/end $ends"
done

[ "$fails" -eq 0 ] && echo "info_span: ok" || echo "info_span: $fails failure(s)"
[ "$fails" -eq 0 ]
