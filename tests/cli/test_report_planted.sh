#!/usr/bin/env bash
# wanprof report: a self-contained page (no scripts, no external resources) with the charts, the spike table and
# the explanation; rendered in headless Chromium when it is installed (screenshot must be a non-trivial PNG).
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$WANPROF" report --help | grep -q "^EXAMPLES" || fail help
"$WANPROF" report "$WP_FIXTURES/planted_annotated.json.gz" 2>/dev/null; [ $? -eq 2 ] || fail "no -o should exit 2"
"$WANPROF" report --shift 12 "$WP_FIXTURES/planted_annotated.json.gz" -o "$tmp/r.html" >/dev/null 2>&1 || fail "report exit"
h=$tmp/r.html
grep -q "<svg" "$h" && grep -q "step time (spikes coloured by their main cause)" "$h" || fail "step chart"
grep -q "per-step GPU time" "$h" && grep -q "memcpy duration" "$h" || fail "overlap/histograms"
grep -q "expert_switch" "$h" && grep -q "Schedule check" "$h" && grep -q "flow_shift 3.0" "$h" || fail "explanation"
grep -qi "<script" "$h" && fail "page has a script"
grep -Eqi '(src|href)="?https?:' "$h" && fail "page loads something from the network"
if command -v chromium >/dev/null 2>&1; then
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$tmp/profile" \
    --window-size=1050,1600 --screenshot="$tmp/r.png" "file://$h" >/dev/null 2>&1 || fail "chromium"
  [ "$(head -c 4 "$tmp/r.png" | od -An -c | tr -d ' ')" = "211PNG" ] || fail "not a PNG"
  [ "$(stat -c %s "$tmp/r.png")" -gt 50000 ] || fail "screenshot suspiciously small"
else
  echo "note: chromium not installed, page not rendered"
fi
echo ok
