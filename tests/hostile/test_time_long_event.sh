#!/usr/bin/env bash
# Issue 13: one kernel or copy lasting an hour (568 MB of timeline bins) or a day (~14 GB: died) made explain, report,
# hist and diff allocate memory per 50 us of the event. A hung NCCL kernel is exactly such an event. Now the timeline
# holds intervals: each command finishes within 512 MB of address space and 20 s (it takes milliseconds), the input is
# unchanged, and the step holding the event has its whole length (a kernel's step is busy throughout).
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
gen="$WP_SOURCE_DIR/tests/hostile/time_trace.py"
python3 "$gen" "$tmp/base.json" --steps 30 || fail "generator"
for what in kernel:3600 kernel:86400 copy:86400; do
    kind=${what%:*} secs=${what#*:}
    t="$tmp/long$secs$kind.json"
    python3 "$gen" "$t" --steps 30 "--long-$kind" "$secs" || fail "generator"
    cp "$t" "$tmp/before"
    limited "$WANPROF" explain --json "$t" > "$tmp/x.json" 2> "$tmp/err"; rc=$?
    [ $rc -eq 0 ] || fail "explain, a ${secs} s $kind: exit $rc: $(cat "$tmp/err")"
    python3 - "$tmp/x.json" "$secs" "$kind" <<'PY' || fail "explain --json, a $secs s $kind: the step holding it"
import json, sys
d = json.load(open(sys.argv[1])); secs, kind = float(sys.argv[2]), sys.argv[3]
steps = d["ranks"][0]["steps"]
field = "kernel_s" if kind == "kernel" else "copy_s"
longest = max(steps, key=lambda s: s[field])
assert abs(longest[field] - secs) < 0.01 * secs, longest[field]
assert longest["step"] == 15, longest["step"]
if kind == "kernel":  # the step runs to the end of the work it launched: busy throughout
    assert abs(longest["gpu_busy_s"] - longest["kernel_s"]) < 1, longest
PY
    limited "$WANPROF" hist "$t" > "$tmp/hist" 2> "$tmp/err"; rc=$?
    [ $rc -eq 0 ] || fail "hist, a ${secs} s $kind: exit $rc: $(cat "$tmp/err")"
    grep -q "memcpy histograms: .*long$secs$kind.json" "$tmp/hist" || fail "hist output: $(head -2 "$tmp/hist")"
    limited "$WANPROF" report "$t" -o "$tmp/r$secs$kind.html" > "$tmp/out" 2> "$tmp/err"; rc=$?
    [ $rc -eq 0 ] || fail "report, a ${secs} s $kind: exit $rc: $(cat "$tmp/err")"
    grep -q "wrote .*r$secs$kind.html" "$tmp/out" && [ -s "$tmp/r$secs$kind.html" ] || fail "report output"
    limited "$WANPROF" diff "$tmp/base.json" "$t" > "$tmp/diff" 2> "$tmp/err"; rc=$?
    [ $rc -eq 0 ] || fail "diff, a ${secs} s $kind: exit $rc: $(cat "$tmp/err")"
    grep -q "B: .*long$secs$kind.json" "$tmp/diff" || fail "diff output: $(head -3 "$tmp/diff")"
    cmp -s "$t" "$tmp/before" || fail "the input changed"
done
echo "ok"
