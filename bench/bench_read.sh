#!/usr/bin/env bash
# bench_read.sh: reading a 1 GB (uncompressed) Kineto-style .json.gz end to end, against `gzip -dc FILE > /dev/null`
# on the same machine in the same run. Target: reader time <= 1.25x gzip's, peak RSS < 256 MB. Also times Python's
# json.load on a smaller file of the same shape, for scale. Exit status 1 when a target is missed.
#
#   bash bench/bench_read.sh [FILE.json.gz]      (env: SIZE_MB=1024 RUNS=3 BUILD=build-bench PY_MB=100 SKIP_BUILD=)
set -euo pipefail
cd "$(dirname "$0")/.."

size_mb=${SIZE_MB:-1024}
runs=${RUNS:-3}
build=${BUILD:-build-bench}
py_mb=${PY_MB:-100}
file=${1:-/tmp/wanprof_kineto_${size_mb}mb.json.gz}
timer=/usr/bin/time
[ -x "$timer" ] || { echo "bench_read.sh: needs GNU time (/usr/bin/time: apt-get install time)" >&2; exit 2; }

if [ -z "${SKIP_BUILD:-}" ]; then # SKIP_BUILD=1: use the binaries already in $build (the GPU machine has no sqlite3.h)
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DWP_WITH_CUDA=OFF >/dev/null
    cmake --build "$build" -j"$(nproc)" --target gen_kineto bench_read >/dev/null
fi
gen="$build/bench/gen_kineto"
reader="$build/bench/bench_read"

if [ ! -s "$file" ]; then
    echo "generating $file (${size_mb} MB uncompressed)..."
    "$gen" "$file" "$size_mb"
fi

# One timed command: prints "seconds peak_rss_kb".
timed() {
    local out
    out=$(mktemp)
    "$timer" -f "%e %M" -o "$out" "$@" >/dev/null
    cat "$out"
    rm -f "$out"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "file: $file ($(stat -c %s "$file") bytes compressed, $("$reader" "$file" | sed 's/.*devices, //; s/ in .*//'))"
"$reader" "$file"
printf '%-4s %12s %12s %8s %14s\n' run "gzip -dc s" "reader s" ratio "reader RSS MB"
ratios=()
max_rss=0
for i in $(seq 1 "$runs"); do
    read -r gz_s _ < <(timed sh -c "gzip -dc '$file' > /dev/null")
    read -r rd_s rd_kb < <(timed "$reader" "$file")
    ratio=$(awk -v a="$rd_s" -v b="$gz_s" 'BEGIN { printf "%.2f", a / b }')
    ratios+=("$ratio")
    [ "$rd_kb" -gt "$max_rss" ] && max_rss=$rd_kb
    printf '%-4s %12s %12s %8s %14.1f\n' "$i" "$gz_s" "$rd_s" "$ratio" "$(awk -v k="$rd_kb" 'BEGIN { print k / 1024 }')"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "median ratio reader / gzip -dc: $median (target <= 1.25); peak RSS $((max_rss / 1024)) MB (target < 256)"

if command -v python3 >/dev/null && [ "$py_mb" -gt 0 ]; then
    small=/tmp/wanprof_kineto_${py_mb}mb.json.gz
    [ -s "$small" ] || "$gen" "$small" "$py_mb" 2>/dev/null
    read -r py_s py_kb < <(timed python3 -c "import gzip, json, sys; json.load(gzip.open(sys.argv[1]))" "$small")
    read -r rd_s rd_kb < <(timed "$reader" "$small")
    read -r gz_s _ < <(timed sh -c "gzip -dc '$small' > /dev/null")
    echo "python3 json.load on ${py_mb} MB: ${py_s} s, $((py_kb / 1024)) MB RSS; reader ${rd_s} s, $((rd_kb / 1024)) MB;" \
         "gzip -dc ${gz_s} s (python / gzip: $(awk -v a="$py_s" -v b="$gz_s" 'BEGIN { printf "%.1f", a / b }')x)"
fi

awk -v m="$median" -v r="$max_rss" 'BEGIN { exit !(m <= 1.25 && r < 256 * 1024) }'
