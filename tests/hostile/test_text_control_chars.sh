#!/usr/bin/env bash
# Finding (issue 13, output a user cannot trust): kernel, device and category names from a trace, and the paths a user
# gives, reached the terminal raw: an ESC/BEL sequence in a kernel name retitled the terminal, a CR or LF forged a
# line, and a byte that is not UTF-8 went out as it was (and into --json, which then did not parse). Now every text
# output (info, explain, hist, diff, report's and export's console lines, warnings and errors) shows control characters
# and invalid bytes as \xNN, every --json output parses and holds the names' exact bytes (an invalid byte as U+FFFD),
# and the HTML report holds no control character.
set -u
W=${WANPROF:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
check() { if eval "$1"; then :; else bad "$2"; fi; }

# 12 steps marked "step N", ten kernels each; in step 6 the kernel whose name carries a terminal title sequence, a CR
# and a LF grows 20-fold and the one with a byte that is not UTF-8 6-fold, so explain quotes both names. The device
# name holds another title sequence; one event has a category nobody knows, with an ESC in it (a warning quotes it).
python3 - "$tmp/t.json" <<'PY'
import json, sys
EVIL = "evil\x1b]2;TITLE\x07\rFORGED\nline"
ev = [{"ph": "X", "cat": "odd\x1b[31mcat", "name": "x", "pid": 7, "tid": 7, "ts": 1, "dur": 1}]
t, corr = 1000.0, 1
for s in range(12):
    step0 = t
    for k in range(10):
        name = EVIL if k == 5 else ("gemm_BAD7_kernel" if k == 7 else f"gemm_{k}_kernel")
        dur = 50.0 * ((20 if k == 5 else 6 if k == 7 else 1) if s == 6 else 1)
        ev.append({"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 7, "tid": 7, "ts": t,
                   "dur": 5, "args": {"correlation": corr}})
        ev.append({"ph": "X", "cat": "kernel", "name": name, "pid": 0, "tid": 7, "ts": t + 10, "dur": dur,
                   "args": {"device": 0, "stream": 7, "correlation": corr}})
        corr += 1
        t += dur + 20
    ev.append({"ph": "X", "cat": "user_annotation", "name": f"step {s}", "pid": 7, "tid": 7, "ts": step0 - 1,
               "dur": t - step0, "args": {}})
    t += 30
doc = {"deviceProperties": [{"id": 0, "name": "GPU\x1b]0;owned\x07"}], "traceEvents": ev}
open(sys.argv[1], "wb").write(json.dumps(doc).encode().replace(b"BAD7", b"\xff7"))
PY
# A path a user might get from a glob in a directory someone else filled.
evil_path="$tmp/run"$'\e]2;PATH\a'".json"
cp "$tmp/t.json" "$evil_path"

# Every text output, stdout and stderr together.
run() { # NAME EXPECTED_STATUS ARGS...
    local name=$1 want=$2
    shift 2
    "$W" "$@" >"$tmp/$name.out" 2>&1
    local rc=$?
    check "[ $rc -eq $want ]" "wanprof $1: exit $rc, want $want"
}
run info 0 info "$tmp/t.json"
run info_path 0 info "$evil_path"
run explain 0 explain "$tmp/t.json"
run hist 0 hist "$evil_path"
run diff 0 diff "$tmp/t.json" "$evil_path"
run report 0 report -o "$tmp/r"$'\e[2J'".html" "$tmp/t.json"
run export 0 export "$tmp/t.json" "$tmp/e"$'\r'".sqlite"
run explain_sqlite 0 explain "$tmp/e"$'\r'".sqlite"
cp "$tmp/e"$'\r'".sqlite" "$tmp/p.sqlite" # host and label of a process, as a crafted SQLite can hold them
sqlite3 "$tmp/p.sqlite" "UPDATE WANPROF_PROCESSES SET host = 'h' || char(27) || ']2;H' || char(7), label = 'l' || char(13)"
run info_proc 0 info "$tmp/p.sqlite"
run hist_nostep 1 hist --steps 99 "$evil_path"
run info_missing 1 info "$tmp/gone"$'\e]2;x\a'

for f in "$tmp"/*.out "$tmp"/r*.html; do
    # No control character but the line ends, and valid UTF-8 throughout.
    check "! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <'$f')" "$(basename "$f"): a control character reached the output"
    check "iconv -f UTF-8 -t UTF-8 '$f' >/dev/null 2>&1" "$(basename "$f"): not valid UTF-8"
done
has() { grep -aqF -- "$2" "$tmp/$1.out" || bad "$1 does not show $2: $(head -c 600 "$tmp/$1.out" | cat -v)"; }
has info 'GPU\x1b]0;owned\x07, sm_'
has explain 'grew: "evil\x1b]2;TITLE\x07\x0dFORGED\x0aline" +'
has info_proc 'rank unknown, host h\x1b]2;H\x07, l\x0d'
has explain '"gemm_\xff7_kernel" +'
has explain_sqlite 'grew: "evil\x1b]2;TITLE\x07\x0dFORGED\x0aline" +'
has explain 'category "odd\u001b[31mcat"' # the category as the JSON wrote it
has info_path 'run\x1b]2;PATH\x07.json'
has hist 'memcpy histograms: '"$tmp"'/run\x1b]2;PATH\x07.json, whole run'
has diff 'B: '"$tmp"'/run\x1b]2;PATH\x07.json'
has report "wrote $tmp/r\\x1b[2J.html ("
has export "wrote $tmp/e\\x0d.sqlite (1 process)"
has hist_nostep "$tmp/run\\x1b]2;PATH\\x07.json: no step 99"
has info_missing "gone\\x1b]2;x\\x07: no such file"
grep -qF -- 'grew: "evil\x1b]2;TITLE\x07\x0dFORGED\x0aline" +' "$tmp"/r*.html ||
    bad "the report does not show the names as the terminal does"

# --json: parses, and holds the exact names (JSON-escaped); the byte that is not UTF-8 becomes U+FFFD.
"$W" explain --json "$tmp/t.json" >"$tmp/explain.json" 2>/dev/null
"$W" info --json "$tmp/t.json" "$tmp/e"$'\r'".sqlite" "$evil_path" >"$tmp/info.json" 2>/dev/null
python3 - "$tmp/explain.json" "$tmp/info.json" "$evil_path" <<'PY' || fails=$((fails + 1))
import json, sys
explain = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))  # strict: fails on a bad byte or control char
info = json.loads(open(sys.argv[2], "rb").read().decode("utf-8"))
summary = explain["ranks"][0]["spikes"][0]["causes"][0]["summary"]
want = ['"evil\x1b]2;TITLE\x07\rFORGED\nline" +', '"gemm_\ufffd7_kernel" +']
bad = [w for w in want if w not in summary]
bad += [f"device name {d['name']!r}" for t in info["traces"] for d in t["devices"] if d["name"] != "GPU\x1b]0;owned\x07"]
if info["traces"][2]["path"] != sys.argv[3]:
    bad.append(f"path {info['traces'][2]['path']!r}")
if bad:
    print("FAIL: --json lost the exact names:", bad, summary, file=sys.stderr)
    sys.exit(1)
PY

[ "$fails" -eq 0 ] && echo "text_control_chars: ok" || echo "text_control_chars: $fails failure(s)"
[ "$fails" -eq 0 ]
