#!/usr/bin/env bash
# Packs diffusers' source for the GPU machine, which has no diffusers and no network: the tarball goes to .carry/
# (git-ignored, carried with the device call) and record.sh unpacks it and puts its src/ on PYTHONPATH.
# usage: bench/gpu/corpus/pack_diffusers.sh GIT_DIR   (a bare clone of huggingface/diffusers, e.g. from `fetch`)
set -euo pipefail
git_dir=${1:?usage: pack_diffusers.sh GIT_DIR}
cd "$(dirname "$0")/../../.."
mkdir -p .carry
git --git-dir="$git_dir" archive HEAD src/diffusers | gzip -9 > .carry/diffusers_src.tar.gz
git --git-dir="$git_dir" rev-parse HEAD > .carry/diffusers_commit.txt
echo "diffusers $(cat .carry/diffusers_commit.txt): .carry/diffusers_src.tar.gz $(stat -c %s .carry/diffusers_src.tar.gz) bytes"
