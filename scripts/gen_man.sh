#!/usr/bin/env bash
# Writes man pages into OUTDIR from the programs' own --help pages, so the two never disagree: wanprof.1 (the
# command list), wanprof-CMD.1 for each command `wanprof help` lists, and PROGRAM.1 for any other program given
# (wanprof-runner). Section headings (lines in capitals) become .SH; the rest is kept as written (.nf), roff-escaped.
# usage: scripts/gen_man.sh OUTDIR WANPROF [OTHER_PROGRAM...]
set -euo pipefail
out=$1 wanprof=$2
shift 2
mkdir -p "$out"
version=$("$wanprof" --version | sed 's/^wanprof //')

# page NAME TITLE < help text > roff
page() {
    printf '.TH %s 1 "" "wanprof %s" "wanprof manual"\n' "$(echo "$1" | tr '[:lower:]' '[:upper:]')" "$version"
    printf '.SH NAME\n%s \\- %s\n.nf\n' "$1" "$2"
    awk 'NR == 1 && $0 == "NAME" { skip = 2; next }
         skip > 0 { skip--; if (skip == 0 && $0 != "") print; next }
         /^[A-Z][A-Z ]+$/ { print ".SH " $0; print ".nf"; next }
         { gsub(/\\/, "\\e"); sub(/^    /, ""); if ($0 ~ /^[.'"'"']/) $0 = "\\&" $0; print }'
}

commands=$("$wanprof" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
"$wanprof" help | page wanprof "profile multi-GPU diffusion runs and explain their slow steps" >"$out/wanprof.1.tmp"
mv "$out/wanprof.1.tmp" "$out/wanprof.1.new"
for cmd in $commands; do
    summary=$("$wanprof" help | awk -v c="$cmd" '$1 == c { $1 = ""; sub(/^ +/, ""); print; exit }')
    "$wanprof" help "$cmd" | page "wanprof-$cmd" "$summary" >"$out/wanprof-$cmd.1"
done
for prog in "$@"; do
    name=$(basename "$prog")
    "$prog" --help | page "$name" "the Wan2.2-T2V-A14B denoising loop on the GPU, for profiling" >"$out/$name.1"
done
# wanprof.1 last: the build's output stamp appears only once every page is written.
mv "$out/wanprof.1.new" "$out/wanprof.1"
