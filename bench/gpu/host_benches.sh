#!/usr/bin/env bash
# host_benches.sh: the CPU benchmarks (bench_read.sh, bench_explain.sh, bench_sqlite_write) on the GPU machine's
# host, which is quiet (16 cores, nothing else running), as a second figure beside the 2-core CPU machine's.
# Run after `source bench/gpu/env.sh BUILD_DIR` with the build carried from here (a Release build: prepare.sh).
set -uo pipefail
: "${WP_BUILD:?source bench/gpu/env.sh BUILD_DIR first}"
here=$(cd "$(dirname "$0")/../.." && pwd)
# GNU time measures peak RSS; the image may lack it: prepare.sh carries Debian's (it needs only libc).
[ -x /usr/bin/time ] || cp "$WP_BUILD/devlibs/time" /usr/bin/time
echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== SQLite write (3 runs of 3M events)"
for i in 1 2 3; do
    "$WP_BUILD/bench/bench_sqlite_write" 3000000 /tmp/bw.sqlite | head -1
    rm -f /tmp/bw.sqlite*
done
echo "== 1 GB Kineto-style .json.gz: reader vs gzip -dc"
SKIP_BUILD=1 BUILD=$WP_BUILD RUNS=3 bash "$here/bench/bench_read.sh"
echo "== explain on 1 GiB vs gzip -dc"
bash "$here/bench/bench_explain.sh" "$WP_BUILD" 1024
