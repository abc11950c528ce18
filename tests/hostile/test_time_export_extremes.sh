#!/usr/bin/env bash
# Issue 13 (found by fuzz_timestamps): a copy whose start and end lie further apart than INT64_MAX ns (crafted
# timestamps) made the Chrome writer overflow a signed subtraction for the copy's bandwidth (UBSan) and write a
# negative "dur". Exported now, the duration saturates: "dur" is the largest one, positive, and the bandwidth is given.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
source "$WP_SOURCE_DIR/tests/hostile/limits.sh"
command -v sqlite3 >/dev/null || { echo "skip: no sqlite3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 "$WP_SOURCE_DIR/tests/hostile/time_trace.py" "$tmp/t.json" --steps 5 --long-copy 1 || fail "generator"
"$WANPROF" export "$tmp/t.json" "$tmp/t.sqlite" 2>/dev/null || fail "export to SQLite"
sqlite3 "$tmp/t.sqlite" "UPDATE CUPTI_ACTIVITY_KIND_MEMCPY SET start = -9223372036854775680" || fail "sqlite3"
limited "$WANPROF" export "$tmp/t.sqlite" "$tmp/out.json.gz" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "export: exit $rc: $(cat "$tmp/err")"
python3 - "$tmp/out.json.gz" <<'PY' || exit 1
import gzip, json, sys
copies = [e for e in json.load(gzip.open(sys.argv[1], "rt"))["traceEvents"] if e.get("cat") == "gpu_memcpy"]
assert len(copies) == 1, copies
c = copies[0]
assert c["dur"] > 9.2e15, c                              # INT64_MAX ns, in us
assert c["args"].get("memory bandwidth (GB/s)", -1) >= 0, c
print("ok: dur", c["dur"], "us, bandwidth", c["args"]["memory bandwidth (GB/s)"], "GB/s")
PY
