#!/usr/bin/env bash
# collector.sh: the collector's checks and benchmarks on the GPU machine. Builds nothing: run it after
# `source bench/gpu/env.sh build-coll` with the build carried from here (bench/gpu/prepare.sh build-coll).
# usage: bench/gpu/collector.sh [smoke|full|multi]   (default full); results and logs under $OUT (or ./collector-out)
#   smoke  the collector alone (no wanprof run): loads, records the exact program, NVTX, kill; a first overhead look
#   full   GPU tests (exactness, crash), overhead benchmarks, the PyTorch comparison
#   multi  the 4-GPU NCCL run (needs 4 GPUs; compiles tests/gpu/nccl_allreduce.cu with nvcc there)
#   sweep  SIGKILL at 20 random moments (issue 7)
#   overhead  the overhead table alone (OVERHEAD_REPS runs per row, default 5)
#   torch  the PyTorch comparison alone (torch.profiler vs wanprof run)
set -uo pipefail
stage=${1:-full}
OUT=${OUT:-$PWD/collector-out}
mkdir -p "$OUT"
: "${WP_BUILD:?source bench/gpu/env.sh BUILD_DIR first}"
B=$WP_BUILD/bin
LIB=$WP_BUILD/lib/wanprof/libwanprof_collector.so
here=$(cd "$(dirname "$0")/../.." && pwd)
nvidia-smi -L
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a - b }'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

smoke() {
    local t; t=$(mktemp -d)
    echo "== exact program under the collector (no wanprof run)"
    CUDA_INJECTION64_PATH=$LIB NVTX_INJECTION64_PATH=/usr/local/cuda/lib64/libcupti.so \
        WANPROF_OUTPUT=$t/exact-%p.sqlite "$B/collector_exact"; echo "rc=$?"
    python3 "$here/bench/overhead/sqlite_dump.py" $t/exact-*.sqlite
    echo "== loop killed with SIGKILL after 3 s (flush 0.5 s)"
    CUDA_INJECTION64_PATH=$LIB WANPROF_FLUSH_INTERVAL=0.5 WANPROF_OUTPUT=$t/kill-%p.sqlite \
        "$B/collector_exact" --loop 20 $t/progress & pid=$!
    sleep 3; echo "progress at kill: $(cat $t/progress)"; kill -9 $pid; wait $pid; echo "rc=$?"
    ls -la $t
    python3 "$here/bench/overhead/sqlite_dump.py" $t/kill-*.sqlite NVTX_EVENTS | head -8
    python3 - $t/kill-*.sqlite <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print("iter ranges in killed file:", db.execute("select count(*) from NVTX_EVENTS").fetchone())
PY
    echo "== loop with SIGTERM after 3 s"
    CUDA_INJECTION64_PATH=$LIB WANPROF_FLUSH_INTERVAL=0.5 WANPROF_OUTPUT=$t/term-%p.sqlite \
        "$B/collector_exact" --loop 20 $t/progress2 & pid=$!
    sleep 3; echo "progress at term: $(cat $t/progress2)"; kill -TERM $pid; wait $pid; echo "rc=$? (143 expected)"
    python3 - $t/term-*.sqlite <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print("nvtx rows in term file:", db.execute("select count(*) from NVTX_EVENTS").fetchone())
PY
    echo "== torch under the collector"
    CUDA_INJECTION64_PATH=$LIB WANPROF_OUTPUT=$t/torch-%p.sqlite python3 -c "
import torch
x = torch.randn(1024, 1024, device='cuda'); y = (x @ x).sum().item(); z = torch.randn(4096).cuda(); print('torch ok', y != 0)"
    echo "rc=$?"; python3 "$here/bench/overhead/sqlite_dump.py" $t/torch-*.sqlite CUPTI_ACTIVITY_KIND_MEMCPY | head -20
    echo "== first overhead look (loop_s; 3 runs each)"
    for cfg in plain default gpu api,gpu; do
        for prog in "launch_bound 200000 0" "launch_bound 100000 10" "compute_bound 2000"; do
            vals=""
            for r in 1 2 3; do
                if [ $cfg = plain ]; then v=$("$B"/$prog | sed 's/.*loop_s=\([0-9.]*\).*/\1/')
                else
                    tr=$cfg; [ $cfg = default ] && tr=""
                    v=$(CUDA_INJECTION64_PATH=$LIB WANPROF_QUIET=1 WANPROF_TRACE=$tr WANPROF_OUTPUT=$t/ov-%p.sqlite \
                        "$B"/$prog | sed 's/.*loop_s=\([0-9.]*\).*/\1/')
                fi
                vals="$vals $v"
            done
            echo "$cfg | $prog | $vals | median $(echo $vals | tr ' ' '\n' | median)"
        done
    done
    ls -la $t | head; rm -rf $t
}

gpu_tests() {
    echo "== GPU tests (ctest -L gpu) and the CPU-side wanprof run test"
    ctest --test-dir "$WP_BUILD" -L gpu -R collector --output-on-failure -V 2>&1 | grep -v "^[0-9]*: Test command\|^UpdateCTestConfiguration\|^Parse\|^ Add coverage" | tail -80
    ctest --test-dir "$WP_BUILD" -R cli.test_run --output-on-failure | tail -5
}

# field NAME: the value of NAME=... in stdin's lines
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" | tail -1; }

# overhead_row LABEL REPS TRACE PROGRAM ARGS...: interleaved runs without and with the collector; medians of the
# program's own loop time and of the process wall time (wanprof: the child's wall time from --json, merge excluded).
overhead_row() {
    local label=$1 reps=$2 trace=$3; shift 3
    local plain_loop="" plain_wall="" wp_loop="" wp_wall="" events="" t0 t1 out
    for r in $(seq "$reps"); do
        t0=$(date +%s.%N); out=$("$@"); t1=$(date +%s.%N)
        plain_loop="$plain_loop $(echo "$out" | field loop_s)"; plain_wall="$plain_wall $(minus "$t1" "$t0")"
        out=$(wanprof run --force --json ${trace:+--trace=$trace} -o "$ovdir/ov" -- "$@" 2>/dev/null)
        wp_loop="$wp_loop $(echo "$out" | field loop_s)"
        wp_wall="$wp_wall $(echo "$out" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["wall_s"])')"
        events=$(echo "$out" | tail -1 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(d["events"].values()), d["dropped_records"])')
    done
    local pl wl pw ww
    pl=$(echo $plain_loop | tr ' ' '\n' | median); wl=$(echo $wp_loop | tr ' ' '\n' | median)
    pw=$(echo $plain_wall | tr ' ' '\n' | median); ww=$(echo $wp_wall | tr ' ' '\n' | median)
    printf "%-44s | %-9s | %9.4f | %9.4f | %6.4f | %8.3f | %8.3f | %6.4f | %s\n" "$label" "${trace:-default}" \
        "$pl" "$wl" "$(div "$wl" "$pl")" "$pw" "$ww" "$(div "$ww" "$pw")" "$events"
}

overhead() {
    echo "== overhead: medians of ${OVERHEAD_REPS:-5} interleaved runs (loop = the program's timed loop; wall = the whole process)"
    ovdir=$(mktemp -d)
    echo "program | trace | loop plain s | loop wanprof s | ratio | wall plain s | wall wanprof s | ratio | events dropped"
    overhead_row "compute_bound 3000 (SGEMM 1024^3)" "${OVERHEAD_REPS:-5}" "" "$B/compute_bound" 3000
    overhead_row "launch_bound 100000 kernels, 30 us host work" "${OVERHEAD_REPS:-5}" "" "$B/launch_bound" 100000 30
    overhead_row "launch_bound 100000 kernels, 10 us host work" "${OVERHEAD_REPS:-5}" "" "$B/launch_bound" 100000 10
    overhead_row "launch_bound 100000 kernels, 10 us host work" "${OVERHEAD_REPS:-5}" gpu,nvtx "$B/launch_bound" 100000 10
    overhead_row "launch_bound 300000 kernels, back to back" "${OVERHEAD_REPS:-5}" "" "$B/launch_bound" 300000 0
    overhead_row "launch_bound 300000 kernels, back to back" "${OVERHEAD_REPS:-5}" gpu,nvtx "$B/launch_bound" 300000 0
    rm -rf "$ovdir"
}

# Where the cost is: the collector alone (no wanprof run), launch_bound 100000 kernels with 10 us host work.
diag() {
    echo "== diagnostics: launch_bound 100000 / 10 us, collector alone, medians of 5 (loop s)"
    local t; t=$(mktemp -d)
    for cfg in plain "default" "api,gpu" "gpu" "default discard" "gpu discard" "default bigbuf"; do
        local vals="" tr=${cfg%% *} extra=${cfg#* }
        [ "$tr" = default ] && tr=""
        for r in 1 2 3 4 5; do
            if [ "$cfg" = plain ]; then v=$("$B/launch_bound" 100000 10 | field loop_s)
            else
                v=$(env CUDA_INJECTION64_PATH=$LIB WANPROF_QUIET=1 WANPROF_TRACE=$tr WANPROF_OUTPUT=$t/d-%p.sqlite \
                    WANPROF_DISCARD=$([ "$extra" = discard ] && echo 1 || echo 0) \
                    WANPROF_BUFFER_SIZE=$([ "$extra" = bigbuf ] && echo 67108864 || echo 8388608) \
                    "$B/launch_bound" 100000 10 | field loop_s)
            fi
            vals="$vals $v"; rm -f $t/d-*
        done
        echo "$cfg | $vals | median $(echo $vals | tr ' ' '\n' | median)"
    done
    rm -rf "$t"
}

torch_compare() {
    echo "== PyTorch: torch.profiler vs wanprof run (never both at once)"
    local t; t=$(mktemp -d)
    local tc="$here/bench/overhead/torch_compare.py"
    python3 "$tc" workload plain "$t" | tail -1 | sed 's/^/cold run (fills the inductor cache): /'
    local plain="" prof="" wp=""
    for r in 1 2 3; do
        plain="$plain $(python3 "$tc" workload plain "$t" | field steady_s)"
        prof="$prof $(python3 "$tc" workload torchprof "$t" | field steady_s)"
        wp="$wp $(wanprof run --force -o "$t/wp" --capture-range=nvtx:workload -- python3 "$tc" workload nvtx "$t" 2>"$t/wp.err" | field steady_s)"
    done
    tail -25 "$t/wp.err"
    local p k w
    p=$(echo $plain | tr ' ' '\n' | median); k=$(echo $prof | tr ' ' '\n' | median); w=$(echo $wp | tr ' ' '\n' | median)
    echo "steady-state 2000 compiled steps, s (3 runs):  plain [$plain ] torch.profiler [$prof ] wanprof [$wp ]"
    echo "medians: plain $p  torch.profiler $k ($(div "$k" "$p")x)  wanprof $w ($(div "$w" "$p")x)"
    python3 "$tc" compare "$t/kineto.json.gz" "$t/wp.sqlite" "$t/wp.json.gz"
    cp "$t/kineto.json.gz" "$OUT/torch_kineto.json.gz" 2>/dev/null
    cp "$t/wp.json.gz" "$OUT/torch_wanprof.json.gz" 2>/dev/null
    rm -rf "$t"
}

# Issue 7's kill sweep: the exact program's loop killed with SIGKILL at 20 random moments (1-5 s in, flush 0.5 s):
# every output opens and holds the iterations up to the last flush, without gaps.
sweep() {
    echo "== kill sweep: 20 SIGKILLs at random moments (flush interval 0.5 s)"
    local t; t=$(mktemp -d) ok=0 bad=0
    RANDOM=7
    for i in $(seq 20); do
        local delay="$((1 + RANDOM % 4)).$((RANDOM % 10))"
        wanprof run --flush-interval 0.5 -o "$t/k$i" -- "$B/collector_exact" --loop 30 "$t/p$i" 2>/dev/null &
        local wp=$! child=""
        for _ in $(seq 50); do child=$(pgrep -P "$wp" -f collector_exact) && break; sleep 0.1; done
        sleep "$delay"
        local last; last=$(cat "$t/p$i" 2>/dev/null || echo -1)
        kill -9 "$child"; wait "$wp"; local rc=$?
        local min=$(( last - 50 )); [ $min -lt 0 ] && min=0
        local res="ok" line
        for f in "$t/k$i.sqlite" "$t/k$i.json.gz"; do
            line=$("$B/check_exact" loop "$f" "$min" 2>&1) || res="FAIL"
        done
        [ "$rc" = 137 ] || res="FAIL(rc=$rc)"
        [ "$res" = ok ] && ok=$((ok + 1)) || bad=$((bad + 1))
        echo "kill $i at ${delay}s: last finished iteration $last, $(echo "$line" | grep "iter ranges" | head -1 | sed 's/^loop: //'); $res"
        rm -f "$t/k$i".*
    done
    echo "kill sweep: $ok ok, $bad failed"
    rm -rf "$t"
}

multi() {
    echo "== 4 GPUs: NCCL all-reduce, one process per GPU, under wanprof run"
    local t; t=$(mktemp -d)
    nvcc -O2 -arch=sm_90 -o "$t/nccl_allreduce" "$here/tests/gpu/nccl_allreduce.cu" -lnccl || return 1
    wanprof run --keep-per-process -o "$t/multi" -- "$t/nccl_allreduce" --launch 4 "$t/nccl.id"; echo "rc=$?"
    ls -la "$t" "$t/multi.wanprof-parts"
    python3 - "$t/multi.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def show(title, sql):
    try:
        print(title, db.execute(sql).fetchall())
    except Exception as e:
        print(title, "query failed:", e)
show("processes:", "select * from WANPROF_PROCESSES")
show("NCCL kernels per process:", """select k.globalPid, count(*) from CUPTI_ACTIVITY_KIND_KERNEL k
     join StringIds s on s.id = k.demangledName where s.value like '%nccl%' group by k.globalPid""")
show("kernels per process:", "select globalPid, count(*) from CUPTI_ACTIVITY_KIND_KERNEL group by 1")
show("NVTX domains (eventType 75):", "select distinct domainId, text from NVTX_EVENTS where eventType = 75")
show("NVTX ranges per process and domain:", """select globalTid / 16777216 % 16777216, domainId, count(*)
     from NVTX_EVENTS where eventType != 75 group by 1, 2 order by 1, 2""")
show("NVTX names in non-default domains:", """select distinct coalesce(n.text, s.value) from NVTX_EVENTS n
     left join StringIds s on s.id = n.textId where n.domainId != 0 and n.eventType != 75 limit 12""")
show("copies per process:", "select globalPid, copyKind, count(*), sum(bytes) from CUPTI_ACTIVITY_KIND_MEMCPY group by 1, 2")
PY
    python3 -c "
import gzip, json, collections, sys
d = json.load(gzip.open('$t/multi.json.gz', 'rt'))
ev = d['traceEvents']
pids = collections.Counter((e.get('pid'), e.get('cat')) for e in ev if e.get('ph') == 'X')
for k in sorted(pids, key=str): print('json.gz', k, pids[k])
print('json.gz process names:', [e['args'] for e in ev if e.get('ph') == 'M' and e.get('name') == 'process_name'])
"
    cp "$t/multi.json.gz" "$OUT/multi.json.gz"
    rm -rf "$t"
}

case $stage in
smoke) smoke ;;
full) gpu_tests; overhead; diag; torch_compare ;;
multi) multi ;;
sweep) sweep ;;
overhead) overhead ;;
torch) torch_compare ;;
esac
