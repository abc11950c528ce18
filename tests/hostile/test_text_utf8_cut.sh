#!/usr/bin/env bash
# Finding (issue 13, output a user cannot trust): names were cut with "%.40s", in the middle of a UTF-8 character when
# byte 40 fell inside one, and `explain --json` then held a broken character (not valid JSON text). Now every place
# that cuts a name cuts on a character boundary; checked here: explain's grown kernels, the kernel that opens a step
# (text and --json), the example of an unknown category in the reader's warning, and the process name the Chrome
# export makes from a process label.
set -u
W=${WANPROF:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }

# 16 steps of ten kernels and no step marks, so the steps come from the kernel sequence; each step opens with a kernel
# named "x" and 30 "é" (2 bytes each): byte 40 is the first byte of the 20th "é". It grows 20-fold in step 6, so
# explain names it among the kernels that grew. One event has a category nobody knows, made the same way.
python3 - "$tmp/t.json" <<'PY'
import json, sys
LONG = "x" + "\u00e9" * 30 + "_kernel"
ev = [{"ph": "X", "cat": "x" + "\u00e9" * 30, "name": "x", "pid": 7, "tid": 7, "ts": 1, "dur": 1}]
t, corr = 1000.0, 1
for s in range(16):
    for k in range(10):
        dur = 50.0 * (20 if (s == 6 and k == 0) else 1)
        ev.append({"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 7, "tid": 7, "ts": t,
                   "dur": 5, "args": {"correlation": corr}})
        ev.append({"ph": "X", "cat": "kernel", "name": LONG if k == 0 else f"gemm_{k}_kernel", "pid": 0, "tid": 7,
                   "ts": t + 10, "dur": dur, "args": {"device": 0, "stream": 7, "correlation": corr}})
        corr += 1
        t += dur + 20
    t += 300
open(sys.argv[1], "w", encoding="utf-8").write(json.dumps({"traceEvents": ev}, ensure_ascii=False))
PY

"$W" explain "$tmp/t.json" >"$tmp/explain.txt" 2>"$tmp/explain.err" || bad "explain exits $?"
"$W" explain --json "$tmp/t.json" >"$tmp/explain.json" 2>/dev/null || bad "explain --json exits $?"
cut19="x$(printf 'é%.0s' $(seq 19))" # 39 bytes: the 20th "é" would end at byte 41
for f in explain.txt explain.err explain.json; do
    iconv -f UTF-8 -t UTF-8 "$tmp/$f" >/dev/null 2>&1 || bad "$f is not valid UTF-8: $(head -c 400 "$tmp/$f" | cat -v)"
done
grep -aqF "a step opens with \"$cut19\")" "$tmp/explain.txt" || bad "the step line does not cut after 19 é: $(grep steps: "$tmp/explain.txt")"
grep -aqF "grew: \"$cut19\" +" "$tmp/explain.txt" || bad "the grown kernel is not cut after 19 é: $(grep grew "$tmp/explain.txt")"
grep -aqF "(first: category \"$cut19\")" "$tmp/explain.err" ||
    bad "the warning does not cut the category after 19 é: $(cat "$tmp/explain.err")"
python3 - "$tmp/explain.json" "$cut19" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))  # strict UTF-8: a split character fails here
want = sys.argv[2]
rank = d["ranks"][0]
summary = rank["spikes"][0]["causes"][0]["summary"]
errs = []
if f'grew: "{want}" +' not in summary:
    errs.append(summary)
if f'a step opens with "{want}")' not in rank["step_source_text"]:
    errs.append(rank["step_source_text"])
if "\ufffd" in summary + rank["step_source_text"]:
    errs.append("a replacement character: a name was cut inside a character")
if errs:
    print("FAIL: explain --json:", errs, file=sys.stderr)
    sys.exit(1)
PY

# The process name the Chrome export writes quotes the process label: a label of 150 "é" (300 bytes) is cut to 200
# bytes, 100 whole "é" (the name buffer's own cut at 255 bytes split the 128th).
"$W" export "$tmp/t.json" "$tmp/t.sqlite" 2>/dev/null || bad "export to SQLite exits $?"
sqlite3 "$tmp/t.sqlite" "UPDATE WANPROF_PROCESSES SET label = '$(printf 'é%.0s' $(seq 150))', rank = -1"
"$W" export "$tmp/t.sqlite" "$tmp/back.json" 2>/dev/null || bad "export to JSON exits $?"
python3 - "$tmp/back.json" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
names = [e["args"]["name"] for e in d["traceEvents"] if e.get("name") == "process_name" and "wp_index" in e["args"]]
if names != ["\u00e9" * 100 + " pid 7"]:
    print("FAIL: the exported process name:", names, file=sys.stderr)
    sys.exit(1)
PY

[ "$fails" -eq 0 ] && echo "text_utf8_cut: ok" || echo "text_utf8_cut: $fails failure(s)"
[ "$fails" -eq 0 ]
