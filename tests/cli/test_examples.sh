#!/usr/bin/env bash
# The recorded examples: `explain` still says what examples/*/*.explain.txt show (the README quotes them), and the
# .json.gz next to each SQLite recording holds the same events.
set -u
W=${WANPROF:?} S=${WP_SOURCE_DIR:?}
fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else fails=$((fails + 1)); echo "FAIL: $2" >&2; fi; }
events_of() { "$W" info --json "$1" 2>/dev/null | python3 -c 'import json,sys; t=json.load(sys.stdin)["traces"][0]; print(sorted(t["events"].items()), t["start_ns"], t["end_ns"])'; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$S"
for want in examples/*/*.explain.txt; do
    db=${want%.explain.txt}.sqlite
    # NAME.explain.args holds the flags the recording is explained with (empty: none, the run's own metadata)
    args=$(cat "${db%.sqlite}.explain.args")
    got=$("$W" explain $args "$db" 2>/dev/null)
    check '[ "$got" = "$(cat "$want")" ]' "explain $db differs from $want: $(diff <(echo "$got") "$want" | head -5)"
    check '[ "$(events_of "$db")" = "$(events_of "${db%.sqlite}.json.gz")" ]' "$db and its .json.gz hold the same events"
    "$W" explain --json $args "$db" > "$tmp/explain.json" 2>/dev/null
    check 'python3 "$S/tests/tools/check_causes.py" "$tmp/explain.json" >/dev/null' "$db: a cause claims more than its evidence"
done
check 'grep -q "step 9, the 10th step" examples/switch_demo/switch_demo_shift3.explain.txt' "shift-3 spike on the 10th step"
check 'grep -q "expert_switch" examples/switch_demo/switch_demo_shift3.explain.txt' "shift-3 spike is the expert switch"
check 'grep -q "shifts \[2.96, 3.51) give step 9" examples/switch_demo/switch_demo_shift3.explain.txt' "schedule check names the shift range"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
