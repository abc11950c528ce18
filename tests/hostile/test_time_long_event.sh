#!/usr/bin/env bash
# Issue 13: one kernel lasting an hour (568 MB of timeline bins) or a day (~14 GB: died) made explain, report, hist and
# diff allocate memory per 50 us of the event. A hung NCCL kernel is exactly such an event. Now the timeline holds
# intervals: each command finishes within 512 MB of address space and 20 s (it takes milliseconds), and the step
# holding the hung kernel is busy for its whole length.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
gen="$WP_SOURCE_DIR/tests/hostile/time_trace.py"
python3 "$gen" "$tmp/base.json" --steps 30 || fail "generator"
for secs in 3600 86400; do
    t="$tmp/long$secs.json"
    python3 "$gen" "$t" --steps 30 --long-kernel "$secs" || fail "generator"
    cp "$t" "$tmp/before"
    limited "$WANPROF" explain --json "$t" > "$tmp/x.json" 2> "$tmp/err"; rc=$?
    [ $rc -eq 0 ] || fail "explain, a ${secs} s kernel: exit $rc: $(cat "$tmp/err")"
    python3 - "$tmp/x.json" "$secs" <<'PY' || fail "explain --json, a $secs s kernel: the step holding it"
import json, sys
d = json.load(open(sys.argv[1])); secs = float(sys.argv[2])
steps = d["ranks"][0]["steps"]
longest = max(steps, key=lambda s: s["kernel_s"])
assert abs(longest["kernel_s"] - secs) < 0.01 * secs, longest["kernel_s"]
assert abs(longest["gpu_busy_s"] - longest["kernel_s"]) < 1, longest
assert longest["step"] == 15, longest["step"]
PY
    limited "$WANPROF" hist "$t" > "$tmp/hist" 2> "$tmp/err"; rc=$?
    [ $rc -eq 0 ] || fail "hist, a ${secs} s kernel: exit $rc: $(cat "$tmp/err")"
    grep -q "memcpy histograms: .*long$secs.json" "$tmp/hist" || fail "hist output: $(head -2 "$tmp/hist")"
    limited "$WANPROF" report "$t" -o "$tmp/r$secs.html" > "$tmp/out" 2> "$tmp/err"; rc=$?
    [ $rc -eq 0 ] || fail "report, a ${secs} s kernel: exit $rc: $(cat "$tmp/err")"
    grep -q "wrote .*r$secs.html" "$tmp/out" && [ -s "$tmp/r$secs.html" ] || fail "report output"
    limited "$WANPROF" diff "$tmp/base.json" "$t" > "$tmp/diff" 2> "$tmp/err"; rc=$?
    [ $rc -eq 0 ] || fail "diff, a ${secs} s kernel: exit $rc: $(cat "$tmp/err")"
    grep -q "B: .*long$secs.json" "$tmp/diff" || fail "diff output: $(head -3 "$tmp/diff")"
    cmp -s "$t" "$tmp/before" || fail "the input changed"
done
echo "ok"
