#!/usr/bin/env bash
# explain on the corpus of real recordings (tests/fixtures/corpus: diffusers' WanPipeline run from its own source, and
# wanprof-runner with its NVTX off, recorded on an H200 by bench/gpu/corpus/record.sh), each against the truth the
# program wrote down itself (tests/tools/check_corpus.py says what is checked).
set -u
: "${WANPROF:?}" "${WP_FIXTURES:?}" "${WP_SOURCE_DIR:?}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
for trace in "$WP_FIXTURES"/corpus/*.json.gz; do
    name=${trace%.json.gz}
    truth=$name.truth.json
    [ -f "$truth" ] || truth=$name.stdout
    args=() # NAME.args: options a recording is explained with (a runner trace split by its kernels, not its marks)
    [ -f "$name.args" ] && read -r -a args < "$name.args"
    if ! "$WANPROF" explain --json "${args[@]}" "$trace" > "$tmp/explain.json" 2> "$tmp/err"; then
        echo "FAIL: explain $trace: $(cat "$tmp/err")"
        fails=$((fails + 1))
    elif python3 "$WP_SOURCE_DIR/tests/tools/check_corpus.py" "$trace" "$truth" "$tmp/explain.json"; then
        passes=$((passes + 1))
    else
        fails=$((fails + 1))
    fi
done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -ge 14 ]
