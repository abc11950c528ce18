#!/usr/bin/env bash
# Inputs compressed with something wanprof does not read itself are named, with what to do: "FILE: xz-compressed;
# decompress it first" (xz, bzip2, zstd, zip, 7-Zip, lz4, lzma), exit 1, for info, explain and export (no output
# written). The files are made by the test from their magic numbers followed by bytes, so no compressor is needed.
set -uo pipefail
: "${WANPROF:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
pass=0 fail=0
bad() { echo "FAIL: $*"; sed 's/^/    /' err; fail=$((fail + 1)); }
while read -r name magic; do
    printf "$magic" >"t.$name"
    head -c 600 /dev/zero >>"t.$name"
    for cmd in info explain export; do
        args=("t.$name")
        [ $cmd = export ] && args+=(out.json)
        "$WANPROF" $cmd "${args[@]}" >/dev/null 2>err
        rc=$?
        [ $rc -eq 1 ] || { bad "$name, $cmd: exit $rc, expected 1"; continue; }
        grep -qF "t.$name: $name-compressed; decompress it first" err || { bad "$name, $cmd: message"; continue; }
        [ ! -e out.json ] && [ -z "$(ls -A | grep wanprof-)" ] || { bad "$name, $cmd: an output was written"; continue; }
        pass=$((pass + 1))
    done
done <<'MAGIC'
xz \3757zXZ\0
bzip2 BZh91AY&SY
zstd \050\265\057\375
zip PK\03\04
7-Zip 7z\274\257\047\034
lz4 \04\042\115\030
lzma \135\0\0\200\0
MAGIC
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
