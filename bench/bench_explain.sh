#!/usr/bin/env bash
# Speed and memory of `wanprof explain` on a large Kineto trace: replicates tests/fixtures/planted_annotated.json.gz
# (27 steps, ~30k events) with shifted timestamps until the uncompressed JSON reaches SIZE_MB (default 1024), then
# times `gzip -dc FILE > /dev/null` and `wanprof explain FILE` in the same run, and reports peak RSS.
# Target (issue 6): explain within 1.5x of gzip -dc, peak RSS < 512 MB. With BASE_WANPROF=PATH (another build of
# wanprof, e.g. of the commit before a change) it is timed too, in the same run, alternating, RUNS times each (default
# 3), and the ratio of the medians is printed (issue 12's target: <= 1.2x). EXPLAIN_ARGS: options every explain gets
# (e.g. "--step-source kernels" to time the split of the kernel sequence rather than the marks); BENCH_SRC: another
# Kineto .json.gz to replicate (e.g. a corpus recording: a real many-block loop).
# usage: [BASE_WANPROF=PATH] [RUNS=N] [EXPLAIN_ARGS=...] bench/bench_explain.sh [BUILD_DIR] [SIZE_MB]
set -euo pipefail
read -r -a xargs_ <<< "${EXPLAIN_ARGS:-}"
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
size_mb=${2:-1024}
wanprof=$build/bin/wanprof
[ -x "$wanprof" ] || { echo "no $wanprof: build first"; exit 1; }
work=${BENCH_DIR:-$(mktemp -d)}
src=${BENCH_SRC:-$here/tests/fixtures/planted_annotated.json.gz}
trace=$work/big_$(basename "$src" .json.gz)_${size_mb}MB.json.gz
if [ ! -f "$trace" ]; then
  python3 - "$src" "$trace" "$size_mb" <<'PY'
import gzip, json, re, sys
src, dst, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(gzip.open(src))
events = d.pop("traceEvents")
meta = [e for e in events if e.get("ph") == "M"]
body = [e for e in events if e.get("ph") != "M" and isinstance(e.get("ts"), (int, float))]
t0 = min(e["ts"] for e in body)
span = max(e["ts"] + e.get("dur", 0) for e in body) - t0 + 1000.0
lines = [json.dumps(e, separators=(",", ":")) for e in body]
step = re.compile(r'"denoising step (\d+)"')
head = json.dumps(d, separators=(",", ":"))[:-1] + ',"traceEvents":[\n'
target, written, rep = size_mb << 20, 0, 0
with gzip.open(dst, "wt", compresslevel=1) as g:
    g.write(head)
    g.write(",\n".join(json.dumps(e, separators=(",", ":")) for e in meta))
    while written < target:
        shift = rep * span
        for e, line in zip(body, lines):
            # shift "ts" textually: cheap and exact enough for a benchmark
            out = line.replace('"ts":%s' % json.dumps(e["ts"]), '"ts":%.3f' % (e["ts"] + shift), 1)
            out = step.sub(lambda m: '"denoising step %d"' % (int(m.group(1)) + 27 * rep), out)
            g.write(",\n" + out)
            written += len(out) + 2
        rep += 1
    g.write("\n]}\n")
print(f"wrote {dst}: {written / 2**20:.0f} MiB of events, {rep} replicas of {len(body)} events")
PY
fi
gz=$(stat -c %s "$trace")
raw=$(gzip -dc "$trace" | wc -c)
echo "trace: $trace ($((gz >> 20)) MiB gzip, $((raw >> 20)) MiB uncompressed)"
/usr/bin/time -o "$work/t_gzip" -f "%e %M" gzip -dc "$trace" > /dev/null
/usr/bin/time -o "$work/t_explain" -f "%e %M" "$wanprof" explain "${xargs_[@]}" "$trace" > "$work/explain.txt" 2>/dev/null
read -r gs gm < "$work/t_gzip"
read -r es em < "$work/t_explain"
python3 - "$gs" "$es" "$em" <<'PY'
import sys
g, e, rss = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"gzip -dc: {g:.2f} s; wanprof explain: {e:.2f} s ({e / g:.2f}x, target <= 1.5x); "
      f"explain peak RSS {rss / 1024:.0f} MiB (target < 512 MiB)")
PY
head -4 "$work/explain.txt"
if [ -n "${BASE_WANPROF:-}" ]; then
  rm -f "$work/t_base" "$work/t_new"
  for i in $(seq "${RUNS:-3}"); do
    /usr/bin/time -a -o "$work/t_base" -f "%e %M" "$BASE_WANPROF" explain "${xargs_[@]}" "$trace" > /dev/null 2>&1
    /usr/bin/time -a -o "$work/t_new" -f "%e %M" "$wanprof" explain "${xargs_[@]}" "$trace" > /dev/null 2>&1
  done
  python3 - "$work/t_base" "$work/t_new" <<'PY'
import statistics, sys
base, new = ([tuple(map(float, l.split())) for l in open(p)] for p in sys.argv[1:3])
b, n = statistics.median(t for t, _ in base), statistics.median(t for t, _ in new)
print(f"baseline explain: median {b:.2f} s of {[t for t, _ in base]}, peak RSS {max(m for _, m in base) / 1024:.0f} MiB")
print(f"this explain:     median {n:.2f} s of {[t for t, _ in new]}, peak RSS {max(m for _, m in new) / 1024:.0f} MiB")
print(f"ratio: {n / b:.2f}x (target <= 1.2x)")
PY
fi
