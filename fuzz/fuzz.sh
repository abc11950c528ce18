#!/usr/bin/env bash
# The fuzzing driver scripts/fuzz_smoke.sh (CI) and bench/fuzz.sh (long runs) share.
#   fuzz/fuzz.sh build                      configure and build build-fuzz (clang, libFuzzer, ASan+UBSan), make seeds
#   fuzz/fuzz.sh run TARGET SECONDS CORPUS  fuzz TARGET for SECONDS into CORPUS (created, seeded from the seeds);
#                                           exit 1 when it found a crash (the input is kept in build-fuzz/artifacts)
#   fuzz/fuzz.sh targets                    the target names
# Environment: WP_FUZZ_BUILD_DIR (default build-fuzz), JOBS (build parallelism), WP_FUZZ_NICE (default 10),
# WP_FUZZ_ARGS (more libFuzzer flags, e.g. "-fork=1 -ignore_crashes=1" to go on past a known open crash).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${WP_FUZZ_BUILD_DIR:-$root/build-fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac
targets="fuzz_json fuzz_chrome fuzz_sqlite fuzz_sqlite_sql fuzz_cli fuzz_schedule fuzz_safetensors fuzz_model_config
    fuzz_timestamps fuzz_machine"

install_clang() {
    local p missing=()
    for p in clang libclang-rt-dev; do # libclang-rt-dev: libFuzzer and the sanitizer runtimes
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    echo "fuzz: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

do_build() {
    install_clang
    mkdir -p "$build"
    CC=clang cmake -S "$root" -B "$build" -DWP_FUZZ=ON -DWP_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_DISABLE_FIND_PACKAGE_CUDAToolkit=TRUE >"$build/configure.log" 2>&1 ||
        { cat "$build/configure.log"; exit 1; }
    cmake --build "$build" -j"${JOBS:-$(nproc)}" --target wanprof $targets
    bash "$root/fuzz/make_seeds.sh" "$build/bin/wanprof" "$build/fuzz-seeds"
}

dict_of() {
    case $1 in
    fuzz_chrome | fuzz_json) echo "$root/fuzz/dict/chrome.dict" ;;
    fuzz_sqlite_sql) echo "$root/fuzz/dict/sql.dict" ;;
    fuzz_cli | fuzz_schedule) echo "$root/fuzz/dict/cli.dict" ;;
    fuzz_safetensors | fuzz_model_config) echo "$root/fuzz/dict/model.dict" ;;
    esac
}

do_run() {
    local target=$1 seconds=$2 corpus=$3
    case $corpus in /*) ;; *) corpus=$PWD/$corpus ;; esac # fuzz_cli runs in its own directory
    local artifacts=$build/artifacts/$target dict
    mkdir -p "$corpus" "$artifacts"
    dict=$(dict_of "$target")
    # Crashes, leaks, timeouts and out-of-memory inputs fail the run; "slow-unit" files (an input over 10 s, which a
    # loaded machine can make of any heavy one) are kept for a look but are not findings: -timeout catches hangs.
    local before
    before=$(find "$artifacts" -type f ! -name 'slow-unit-*' | wc -l)
    # -close_fd_mask=3: the commands' own output is noise here; libFuzzer keeps its reports.
    WP_FUZZ_SEED_DIR=$build/fuzz-seeds nice -n "${WP_FUZZ_NICE:-10}" "$build/fuzz/$target" \
        -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536 -close_fd_mask=3 \
        -print_final_stats=1 ${WP_FUZZ_ARGS:-} ${dict:+-dict="$dict"} -artifact_prefix="$artifacts/" \
        "$corpus" "$build/fuzz-seeds/$target" >"$build/artifacts/$target.log" 2>&1 || true
    grep -E "^stat::(number_of_executed_units|peak_rss_mb)|DONE" "$build/artifacts/$target.log" | tr '\n' ' '
    echo
    local after
    after=$(find "$artifacts" -type f ! -name 'slow-unit-*' | wc -l)
    if [ "$after" -gt "$before" ] || grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:" \
        "$build/artifacts/$target.log"; then
        echo "fuzz: $target found a problem (inputs in $artifacts, log $build/artifacts/$target.log):"
        grep -E -A12 "ERROR:|runtime error:" "$build/artifacts/$target.log" | head -40
        return 1
    fi
}

case ${1:-} in
build) do_build ;;
run) do_run "${2:?target}" "${3:?seconds}" "${4:?corpus dir}" ;;
targets) echo "$targets" ;;
*) sed -n '2,8p' "$0"; exit 2 ;;
esac
