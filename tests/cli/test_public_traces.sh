#!/usr/bin/env bash
# wanprof on traces other projects published as test data (tests/fixtures/public/, licences and sources there), against
# a truth computed from the traces' own marks by tests/tools/kineto_truth.py, which shares no code with wanprof:
#  - the truth file is what the tool says today (recomputed here, so neither drifts);
#  - every GPU record is read (kernels, copies, memsets by count), old PyTorch 1.8 categories and ROCm names included;
#  - steps are the ProfilerStep ranges, numbered as the trace numbers them, each ending where the later of its range and
#    the GPU work launched inside it ends and starting where its range (or the previous step's end, if later) starts;
#  - no spike on a step whose own span is not slow (over 1.25x the median span);
#  - each cause's seconds are no more than its own evidence measured (causes_within_evidence in check_causes.py);
#  - in xDiT's diffusion traces, the steps found from the kernel sequence are the compiled denoising calls.
set -euo pipefail
: "${WANPROF:?}" "${WP_FIXTURES:?}" "${WP_SOURCE_DIR:?}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tools=$WP_SOURCE_DIR/tests/tools
fails=0 passes=0
for dir in "$WP_FIXTURES"/public/*/; do
    name=$(basename "$dir")
    python3 "$tools/kineto_truth.py" "$dir" > "$tmp/$name.truth.json"
    traces=()
    for f in "$dir"*.json.gz "$dir"*.json "$dir"*.sqlite; do
        [ -f "$f" ] && [ "$(basename "$f")" != truth.json ] && traces+=("$f")
    done
    "$WANPROF" info --json "${traces[@]}" > "$tmp/$name.info.json"
    "$WANPROF" explain --json "${traces[@]}" > "$tmp/$name.explain.json" 2> "$tmp/$name.err"
    if python3 "$tools/check_public.py" "$dir/truth.json" "$tmp/$name.truth.json" "$tmp/$name.info.json" \
        "$tmp/$name.explain.json"; then
        passes=$((passes + 1))
    else
        fails=$((fails + 1))
        echo "FAIL: $name" >&2
    fi
done
# the diffusion traces without step marks of their own (xDiT's ProfilerStep holds all four denoising calls): the
# steps the kernel sequence gives are the compiled calls the trace records (check_compiled_calls.py)
for dir in "$WP_FIXTURES"/public/tracelens_xdit_*/; do
    trace=$(ls "$dir"*.json.gz)
    "$WANPROF" explain --json --step-source kernels "$trace" > "$tmp/calls.explain.json"
    if python3 "$tools/check_compiled_calls.py" "$trace" "$tmp/calls.explain.json"; then
        passes=$((passes + 1))
    else
        fails=$((fails + 1))
        echo "FAIL: $(basename "$dir"), steps from the kernel sequence" >&2
    fi
done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -ge 10 ]
