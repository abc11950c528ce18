#!/usr/bin/env bash
# wanprof report's "What if" section: on a trace carrying the machine's figures, one bar per mode in rank order,
# exactly the recorded mode highlighted with its measured total marked, and a table whose every number is what
# `wanprof whatif --json` says of the same trace; with --machine describing a smaller GPU, the modes that do not fit
# are the ones drawn hollow; without any machine figures (nothing in the trace, nothing cached) the sentence saying how
# to get them, and the report still exits 0; a trace whatif cannot use (one step) gets its reason instead.
set -uo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
W=$WP_FIXTURES/whatif

# The section of a page against `wanprof whatif --json` of the same trace and machine (argv: page, json).
check_section() {
  python3 - "$1" "$2" <<'PY'
import json, re, sys, xml.etree.ElementTree as ET
page, doc = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
sec = page[page.index("<h2>What if"):page.index("<h2>Explanation")]
svg = ET.fromstring(sec[sec.index("<svg"):sec.index("</svg>") + 6])  # well-formed, as a browser needs it
ns = "{http://www.w3.org/2000/svg}"
bars = [r for r in svg.iter(ns + "rect") if r.get("class") == "wi-bar"]
modes = doc["modes"]
order = sorted(modes, key=lambda m: m["rank"] if m["rank"] else 1e9)
assert len(bars) == len(modes) > 10, (len(bars), len(modes))
for bar, m in zip(bars, order):
    title = bar.find(ns + "title").text
    assert title.startswith(m["name"] + ": "), (title, m["name"])
    assert bar.get("data-recorded") == ("1" if m["recorded"] else "0"), (m["name"], bar.attrib)
    assert bar.get("data-fits") == ("1" if m["fits"] else "0"), (m["name"], bar.attrib)
    assert (bar.get("fill") == "white") == (not m["fits"]), (m["name"], bar.attrib)
assert sum(m["recorded"] for m in modes) == 1
marks = [p for p in svg.iter(ns + "path") if p.get("class") == "wi-measured"]
assert len(marks) == 1 and "%.3f s" % doc["measured"]["total_s"] in marks[0].find(ns + "title").text, marks

def spread(cell, s):  # "0.746 (0.739..0.752)", or "0.047" when min and max agree
    nums = [float(x) for x in re.findall(r"[0-9]+\.[0-9]+", cell)]
    want = [s["median"]] if len(nums) == 1 else [s["median"], s["min"], s["max"]]
    assert len(nums) == len(want) and all(abs(a - b) <= 0.0005 + 1e-9 for a, b in zip(nums, want)), (cell, s)

rows = re.findall(r"<tr[^>]*>(<td.*?)</tr>", sec[sec.index("<table"):])
assert len(rows) == len(modes), len(rows)
for row, m in zip(rows, order):
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    assert cells[0] == (str(m["rank"]) if m["rank"] else "-"), (cells, m["rank"])
    assert cells[1] == m["name"] + (" (recorded)" if m["recorded"] else ""), (cells[1], m["name"])
    spread(cells[2], m["step_s"]); spread(cells[3], m["switch_step_s"]); spread(cells[4], m["total_s"])
    assert abs(float(cells[5]) - m["peak_bytes"] / 1e9) <= 0.005 + 1e-9, (cells[5], m["peak_bytes"])
    assert cells[6] == m["bound"], (cells[6], m["bound"])
PY
}

for t in model_pageable layer_pinned_p1; do
  "$WANPROF" report "$W/$t.json.gz" -o "$tmp/$t.html" >/dev/null 2>"$tmp/err" || fail "$t: report exit: $(cat "$tmp/err")"
  "$WANPROF" whatif --json "$W/$t.json.gz" >"$tmp/$t.json" 2>/dev/null || fail "$t: whatif exit"
  check_section "$tmp/$t.html" "$tmp/$t.json" || fail "$t: what-if section against whatif --json"
done

# A described GPU of 4 GB: the modes holding more are drawn hollow (none holds 7.2 GB, layerwise p4 5.1 GB).
python3 - "$W/machine.json" "$tmp/small.json" <<'PY' || fail "small machine file"
import json, sys
d = json.load(open(sys.argv[1]))
for g in d["gpus"]:
    g["memory_total_bytes"] = 4_000_000_000
json.dump(d, open(sys.argv[2], "w"))
PY
"$WANPROF" report --machine "$tmp/small.json" "$W/none.json.gz" -o "$tmp/small.html" >/dev/null 2>&1 || fail "--machine exit"
"$WANPROF" whatif --json --machine "$tmp/small.json" "$W/none.json.gz" >"$tmp/small.out" 2>/dev/null || fail "whatif --machine"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sum(not m["fits"] for m in d["modes"]) >= 2' \
  "$tmp/small.out" || fail "the 4 GB machine should leave some modes out"
check_section "$tmp/small.html" "$tmp/small.out" || fail "--machine: what-if section against whatif --json"

# No figures anywhere: an empty cache, a trace recorded before `wanprof run` kept them.
mkdir -p "$tmp/home"
HOME=$tmp/home XDG_CACHE_HOME=$tmp/home/cache "$WANPROF" report "$WP_FIXTURES/planted_annotated.json.gz" \
  -o "$tmp/none.html" >/dev/null 2>&1 || fail "report without machine figures must exit 0"
grep -q "No what-if section: neither the trace's metadata nor this machine's cache" "$tmp/none.html" ||
  fail "no explanatory sentence"
{ grep -q "<code>wanprof calibrate</code>" "$tmp/none.html" && grep -q "<code>wanprof run</code>" "$tmp/none.html"; } ||
  fail "the sentence should say how to get figures"
grep -q 'class="wi-bar"' "$tmp/none.html" && fail "bars without a prediction"

# A trace of one step, with figures: whatif needs three; the report is still written and the section says why.
"$WANPROF" report --machine "$W/machine.json" "$WP_FIXTURES/kineto_torch19.json" -o "$tmp/few.html" >/dev/null 2>&1 ||
  fail "report with whatif failing must exit 0"
grep -q "No what-if prediction for this trace: whatif needs a loop of at least 3 steps" "$tmp/few.html" ||
  fail "no reason for the missing prediction"
echo ok
