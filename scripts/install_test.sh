#!/usr/bin/env bash
# Installs a build and checks the installed programs with the build tree moved away (tests/install/check_installed.sh):
# `cmake --install` into a temporary prefix, then, with --deb, the Debian packages CPack makes from the same build,
# installed with apt-get (which must find every dependency in Debian) and removed again. Needs root for --deb.
# usage: scripts/install_test.sh BUILD_DIR [--deb]
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD build=$(cd "$1" && pwd) deb=${2:-}
work=$(mktemp -d)
away="$build.moved-away-$$"
restore() { [ -d "$away" ] && mv "$away" "$build"; rm -rf "$work"; }
trap restore EXIT

# What the build tree prints, to compare the installed programs with; a copy of the examples to run them on.
mkdir -p "$work/ref"
"$build/bin/wanprof" --version >"$work/ref/version"
"$build/bin/wanprof" schedule --sampler wan --shift 3 --steps 27 >"$work/ref/schedule"
mkdir -p "$work/copy" && cp -r examples "$work/copy/"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
if [ -n "$deb" ]; then
    (cd "$build" && cpack -G DEB -B "$work/packages" >"$work/cpack.log") || { cat "$work/cpack.log"; exit 1; }
fi

mv "$build" "$away"
status=0
echo "== cmake --install into $work/prefix"
(cd / && bash "$src/tests/install/check_installed.sh" "$work/prefix" "$work/ref" "$work/copy") || status=1
if [ -n "$deb" ]; then
    packages=("$work"/packages/wanprof_*.deb "$work"/packages/wanprof-gpu_*.deb)
    [ -f "${packages[1]}" ] || packages=("${packages[0]}")
    echo "== apt-get install ${packages[*]##*/}"
    for p in "${packages[@]}"; do dpkg-deb -f "$p" Package Depends; done
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >"$work/apt.log" 2>&1 ||
        { cat "$work/apt.log"; exit 1; }
    (cd / && PATH=/usr/bin:/bin bash "$src/tests/install/check_installed.sh" /usr "$work/ref" "$work/copy") || status=1
    $sudo apt-get remove -y -qq wanprof-gpu wanprof >/dev/null 2>&1 || $sudo apt-get remove -y -qq wanprof >/dev/null
    ! dpkg-query -W wanprof >/dev/null 2>&1 || { echo "install_test: wanprof still installed"; status=1; }
fi
exit "$status"
