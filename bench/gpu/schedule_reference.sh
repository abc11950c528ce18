#!/usr/bin/env bash
# Cross-checks `wanprof schedule` against the reference schedulers (diffusers UniPC and FlowMatchEuler, Wan2.2's
# FlowUniPC, SGLang's FlowUniPC) with PyTorch on the GPU machine. Needs the carried build (bench/gpu/prepare.sh,
# then `source bench/gpu/env.sh BUILD_DIR`) and the reference sources in .ref/pkgs (see
# tests/reference/schedule_reference.py for which files, from where). Prints every timestep list and a verdict;
# exit status 0 when all match.
# usage: bash bench/gpu/schedule_reference.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
wanprof=$(command -v wanprof) || { echo "schedule_reference: wanprof is not on PATH (source bench/gpu/env.sh BUILD_DIR)" >&2; exit 2; }
[ -d .ref/pkgs ] || { echo "schedule_reference: .ref/pkgs is missing: carry it with the device call" >&2; exit 2; }
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(hostname) $(nvidia-smi -L 2>/dev/null | head -1 || echo 'no GPU')"
echo "# wanprof: $wanprof ($("$wanprof" --version))"
python3 tests/reference/schedule_reference.py --wanprof "$wanprof" --ref .ref/pkgs
