#!/usr/bin/env bash
# Rewrites every examples/*/*.explain.txt with what `wanprof explain` says now, with the flags in NAME.explain.args
# (every example has one), for when the analysis changes on purpose; tests/cli/test_examples.sh then checks them.
# Read the diff before committing it. usage: scripts/regen_examples.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-build}/bin/wanprof
for want in examples/*/*.explain.txt; do
    db=${want%.explain.txt}.sqlite
    args=$(cat "${db%.sqlite}.explain.args")
    # shellcheck disable=SC2086
    "$W" explain $args "$db" > "$want"
done
