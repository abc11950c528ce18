#!/usr/bin/env bash
# Sets up, builds and runs every test. GPU tests report "skipped" where no GPU is present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir "${WP_BUILD_DIR:-build}" --output-on-failure -j"$(nproc)"
