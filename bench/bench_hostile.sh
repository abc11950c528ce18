#!/usr/bin/env bash
# Issue 13's timestamp cases: makes each input with tests/hostile/time_trace.py and times `wanprof explain` on it under
# `ulimit -v` of 512 MB (the acceptance: each under 2 s): a kernel lasting an hour and one lasting a day, an event ten
# days after the last step, a kernel ending at INT64_MAX ns, 128k steps with a unique kernel name each, and
# `--steps 100000` (the schedule check) on tests/fixtures/planted_annotated.json.gz. With BASE_WANPROF=PATH another
# build is timed on the same inputs (a limit of 20 s each; "killed" or an exit status when it does not finish).
# usage: [BASE_WANPROF=PATH] bench/bench_hostile.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
wanprof=$build/bin/wanprof
[ -x "$wanprof" ] || { echo "no $wanprof: build first"; exit 1; }
work=${BENCH_DIR:-$(mktemp -d)}
gen="$here/tests/hostile/time_trace.py"
planted="$here/tests/fixtures/planted_annotated.json.gz"

make_input() { # name, generator options...
    local name=$1
    shift
    [ -f "$work/$name.json" ] || python3 "$gen" "$work/$name.json" "$@"
}
make_input hour --long-kernel 3600
make_input day --long-kernel 86400
make_input late --late 864000
make_input int64max --at-max
make_input unique128k --steps 128000 --unique-names --kernels 1 --no-launch

# one timing: prints "SECONDS s, PEAK MiB" or why it did not finish
timed() {
    local bin=$1
    shift
    local rc=0
    (ulimit -v 524288; /usr/bin/time -o "$work/t" -f "%e %M" timeout 20 "$bin" explain "$@" > /dev/null 2>&1) || rc=$?
    if [ $rc -eq 0 ]; then
        read -r s m < "$work/t"
        echo "$s s, $((m / 1024)) MiB"
    elif [ $rc -eq 124 ]; then
        echo "killed after 20 s"
    else
        echo "exit $rc"
    fi
}

printf "%-42s %-22s %s\n" "case (explain, ulimit -v 512 MB)" "this build" "${BASE_WANPROF:+base}"
run_case() { # label, explain arguments...
    local label=$1
    shift
    printf "%-42s %-22s %s\n" "$label" "$(timed "$wanprof" "$@")" "${BASE_WANPROF:+$(timed "$BASE_WANPROF" "$@")}"
}
run_case "a kernel lasting an hour" "$work/hour.json"
run_case "a kernel lasting a day" "$work/day.json"
run_case "an event ten days after the last step" "$work/late.json"
run_case "a kernel ending at INT64_MAX ns" "$work/int64max.json"
run_case "128k steps, a unique kernel name each" "$work/unique128k.json"
run_case "--steps 100000 (planted_annotated)" --shift 12 --steps 100000 "$planted"
