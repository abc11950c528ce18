#!/usr/bin/env bash
# `wanprof run` where no GPU is used (this machine, CI): the command's exit status comes back unchanged, a command that
# never starts CUDA yields "no CUDA activity was recorded" and no outputs, usage errors exit 2 before anything runs,
# existing outputs are refused without --force, and --json follows schemas/run_summary.schema.json.
set -uo pipefail
: "${WANPROF:?}" "${WP_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
pass=0 fail=0
check() { # check NAME EXPECTED_RC ACTUAL_RC [grep pattern for stderr]
    local name=$1 want=$2 got=$3 pattern=${4:-}
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit $got, expected $want"; sed 's/^/    /' err; fail=$((fail + 1)); return
    fi
    if [ -n "$pattern" ] && ! grep -q -- "$pattern" err; then
        echo "FAIL $name: stderr lacks '$pattern'"; sed 's/^/    /' err; fail=$((fail + 1)); return
    fi
    pass=$((pass + 1))
}

"$WANPROF" run -- true 2>err; check "true" 0 $? "no CUDA activity was recorded"
"$WANPROF" run -- sh -c 'exit 3' 2>err; check "exit 3" 3 $? "no CUDA activity was recorded"
"$WANPROF" run -- sh -c 'kill -TERM $$' 2>err; check "killed by SIGTERM" 143 $?
"$WANPROF" run -- sh -c 'echo out; echo to-stderr >&2' >out 2>err; check "output passes through" 0 $? "to-stderr"
grep -qx out out || { echo "FAIL stdout of the command lost"; fail=$((fail + 1)); }
"$WANPROF" run -- /nonexistent/prog 2>err; check "not found" 127 $? "cannot run '/nonexistent/prog'"
CUDA_VISIBLE_DEVICES= "$WANPROF" run 2>err; check "no command, no GPU visible" 2 $? "no GPU is visible"
WANPROF_RUNNER=/nonexistent "$WANPROF" run --gpus 1 2>err; check "no runner" 2 $? "wanprof-runner not found"
"$WANPROF" run --gpus 2 -- true 2>err; check "--gpus with a command" 2 $? "--gpus is for the built-in runner"
"$WANPROF" run --gpus 0 2>err; check "--gpus 0" 2 $? "--gpus wants an integer from 1 to 1024"
"$WANPROF" run --trace=cuda,bogus -- true 2>err; check "bad --trace" 2 $? "unknown word"
"$WANPROF" run --capture-range=step -- true 2>err; check "bad --capture-range" 2 $? "nvtx:RANGE_NAME"
"$WANPROF" run --flush-interval=-1 -- true 2>err; check "bad --flush-interval" 2 $? "--flush-interval wants seconds from 0 to 3600"
"$WANPROF" run -o 'x%z' -- true 2>err; check "bad placeholder" 2 $? "unknown placeholder"
"$WANPROF" run --help >help 2>err; check "--help" 0 $?
for section in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT EXAMPLES "EXIT STATUS"; do
    grep -qx "$section" help || { echo "FAIL --help lacks $section"; fail=$((fail + 1)); }
done
"$WANPROF" help run | cmp -s - help || { echo "FAIL 'wanprof help run' differs from --help"; fail=$((fail + 1)); }
# Signals sent to wanprof reach the command: it traps TERM and exits 7.
"$WANPROF" run -- sh -c 'trap "exit 7" TERM; sleep 5 & wait' 2>err & wp=$!
sleep 1; kill -TERM $wp; wait $wp; check "SIGTERM forwarded" 7 $?
# Existing outputs are refused before the command runs.
touch taken.sqlite
"$WANPROF" run -o taken -- sh -c 'touch ran' 2>err; check "refuses to overwrite" 1 $? "already exists"
[ ! -e ran ] || { echo "FAIL the command ran although the output exists"; fail=$((fail + 1)); }
"$WANPROF" run --force -o taken -- true 2>err; check "--force" 0 $?
# SLURM: one output name per rank.
SLURM_PROCID=3 "$WANPROF" run --json -- true >json 2>err; check "srun rank" 0 $?
# --json output validates against the schema (python3-jsonschema: scripts/setup.sh installs it).
"$WANPROF" run --json -- sh -c 'exit 5' >json 2>err; check "--json" 5 $?
python3 - "$WP_SOURCE_DIR/schemas/run_summary.schema.json" json <<'PY' || fail=$((fail + 1))
import json, sys
schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert doc["exit_status"] == 5 and doc["processes"] == 0 and doc["outputs"]["sqlite"] is None, doc
import jsonschema
jsonschema.validate(doc, schema)
PY
[ -z "$(ls -d ./*.wanprof-parts 2>/dev/null)" ] || { echo "FAIL per-process folder left behind"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
