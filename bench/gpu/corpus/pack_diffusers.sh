#!/usr/bin/env bash
# Packs diffusers' source for the GPU machine, which has no diffusers and no network: the tarball goes to .carry/
# (git-ignored, carried with the device call) and record.sh unpacks it and puts its src/ on PYTHONPATH.
# Only what WanPipeline needs travels: the pipeline folders other than wan/ and the modular pipelines' subfolders
# are left out (diffusers imports them lazily, so `from diffusers import WanPipeline` never touches them). That takes
# the tarball from 4.6 to 1.7 MB, which is what lets it travel beside the working tree under the 64 MiB limit.
# usage: bench/gpu/corpus/pack_diffusers.sh GIT_DIR   (a bare clone of huggingface/diffusers, e.g. from `fetch`)
set -euo pipefail
git_dir=${1:?usage: pack_diffusers.sh GIT_DIR}
cd "$(dirname "$0")/../../.."
mkdir -p .carry
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git --git-dir="$git_dir" archive HEAD src/diffusers | tar -x -C "$work"
for d in "$work"/src/diffusers/pipelines/*/ "$work"/src/diffusers/modular_pipelines/*/; do
    [ "$(basename "$d")" = wan ] && [[ $d == */pipelines/wan/ ]] && continue
    rm -rf "$d"
done
tar -C "$work" -cf - src | gzip -9 > .carry/diffusers_src.tar.gz
git --git-dir="$git_dir" rev-parse HEAD > .carry/diffusers_commit.txt
echo "diffusers $(cat .carry/diffusers_commit.txt): .carry/diffusers_src.tar.gz $(stat -c %s .carry/diffusers_src.tar.gz) bytes"
