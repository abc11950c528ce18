#!/usr/bin/env bash
# One version: `wanprof --version` (and `wanprof-runner --version` where built) print the release and the git
# revision of the commit built, read at build time (so it is the checkout's HEAD, "-dirty" with uncommitted
# changes); every --json output names its schema and carries the same version text, and validates against its
# schemas/*.schema.json.
set -u
W=${WANPROF:?} S=${WP_SOURCE_DIR:?} F=${WP_FIXTURES:?}
fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else fails=$((fails + 1)); echo "FAIL: $2" >&2; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

version=$("$W" --version)
check '[[ $version =~ ^wanprof\ [0-9]+\.[0-9]+\.[0-9]+\ \(git\ ([0-9a-f]{12}(-dirty)?|unknown)\)$ ]]' "--version: '$version'"
if head=$(git -C "$S" rev-parse --short=12 HEAD 2>/dev/null); then
    check '[[ $version == *"(git $head"* ]]' "--version names $version, the checkout is at $head"
fi
runner=$(dirname "$W")/wanprof-runner
if [ -x "$runner" ]; then
    check '[ "$("$runner" --version)" = "wanprof-runner ${version#wanprof }" ]' "wanprof-runner --version: $("$runner" --version)"
fi

trace=$S/examples/switch_demo/switch_demo_shift3.sqlite
"$W" info --json "$trace" >"$tmp/info.json"
"$W" schedule --json --steps 8 --shift 3 >"$tmp/schedule.json"
"$W" explain --json "$trace" >"$tmp/explain.json" 2>/dev/null
"$W" hist --json "$trace" >"$tmp/hist.json" 2>/dev/null
"$W" diff --json "$trace" "$S/examples/switch_demo/switch_demo_shift12.sqlite" >"$tmp/diff.json" 2>/dev/null
"$W" run --json -- true >"$tmp/run_summary.json" 2>/dev/null
# whatif needs a trace carrying the machine's figures: one that moved whole experts, one that streamed blocks.
"$W" whatif --json "$F/whatif/model_pageable.json.gz" >"$tmp/whatif.json" 2>/dev/null
"$W" whatif --json "$F/whatif/layer_pinned_p1.json.gz" >"$tmp/whatif_layerwise.json" 2>/dev/null
# The file formats record it too: the Chrome header and the SQLite table WANPROF_WRITER.
"$W" export "$trace" "$tmp/copy.sqlite" 2>/dev/null
"$W" export "$trace" "$tmp/copy.json.gz" 2>/dev/null
check '[ "$(sqlite3 "$tmp/copy.sqlite" "SELECT version FROM WANPROF_WRITER")" = "${version#wanprof }" ]' "SQLite export: WANPROF_WRITER"
check 'zcat "$tmp/copy.json.gz" | head -c 300 | grep -qF "\"revision\":\"$(sed "s/.*(git \(.*\))/\1/" <<<"$version")\""' "Chrome export: header revision"
for out in info schedule explain hist diff run_summary whatif whatif_layerwise; do
    kind=${out%_layerwise}
    check 'python3 - "$tmp/$out.json" "$S/schemas/$kind.schema.json" "wanprof.$kind/1" "${version#wanprof }" <<"PY"
import json, sys, jsonschema
doc, schema = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
jsonschema.validate(doc, schema)
assert doc["schema"] == sys.argv[3] and doc["wanprof"] == sys.argv[4], (doc["schema"], doc["wanprof"])
PY' "$out --json: schema id, version or schema validation"
done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
