#!/usr/bin/env bash
# Installs what wanprof needs from Debian (only what is missing), then configures and builds it into build/.
# The CUDA toolkit in /usr/local/cuda is used when present (collector, GPU tests); without it the analyzer and every
# CPU test still build. Environment: WP_BUILD_DIR (default build), WP_CMAKE_ARGS (extra cmake arguments).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake make gcc pkg-config libsqlite3-dev zlib1g-dev libcjson-dev libpcre2-dev python3 python3-jsonschema sqlite3 gzip)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -x /usr/local/cuda/bin/nvcc ]; then
    export PATH="/usr/local/cuda/bin:$PATH"
fi
build=${WP_BUILD_DIR:-build}
# shellcheck disable=SC2086
mkdir -p "$build"
cmake -S . -B "$build" ${WP_CMAKE_ARGS:-} >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
grep "wanprof:" "$build/configure.log" || true
cmake --build "$build" -j"$(nproc)"
