#!/usr/bin/env bash
# check_viewer.sh: a trace written by wanprof's Chrome writer loads in a real viewer. Converts the Kineto fixture with
# `wanprof export` (so the file is entirely our writer's output), serves speedscope's release files (npm package,
# installed here) and the trace on localhost, opens it in headless Chromium, and checks (1) the rendered DOM names
# the trace and holds no import error, (2) the screenshot is not blank: many distinct colours, most pixels not
# background. Leaves the PNG and the DOM in $OUT_DIR (default /tmp/wanprof_viewer).
#
#   bash bench/screenshot/check_viewer.sh        (env: BUILD=build-bench OUT_DIR=/tmp/wanprof_viewer)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build-bench}
out=${OUT_DIR:-/tmp/wanprof_viewer}
mkdir -p "$out"

need() { command -v "$1" >/dev/null || { echo "check_viewer.sh: needs $1 ($2)" >&2; exit 2; }; }
need chromium "apt-get install -y chromium"
need npm "apt-get install -y npm"
need python3 "apt-get install -y python3"

[ -f "$here/node_modules/speedscope/dist/release/index.html" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DWP_WITH_CUDA=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target wanprof >/dev/null

site=$(mktemp -d)
cp -r "$here/node_modules/speedscope/dist/release/." "$site/"
"$build/bin/wanprof" export --force "$root/tests/fixtures/kineto_sample.json.gz" "$site/wanprof_trace.json" 2>/dev/null
python3 -c "import json, sys; json.load(open(sys.argv[1]))" "$site/wanprof_trace.json"

port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site" >/dev/null 2>&1 &
server=$!
profile=$(mktemp -d)
cleanup() { kill "$server" 2>/dev/null || true; rm -rf "$site" "$profile"; }
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/index.html" >/dev/null 2>&1 && break; sleep 0.1; done

url="http://127.0.0.1:$port/index.html#profileURL=http://127.0.0.1:$port/wanprof_trace.json&title=wanprof_trace.json"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1600,1000
       --virtual-time-budget=15000 --run-all-compositor-stages-before-draw)
timeout 120 chromium "${flags[@]}" --screenshot="$out/speedscope.png" "$url" >/dev/null 2>&1
timeout 120 chromium "${flags[@]}" --dump-dom "$url" >"$out/speedscope.dom.html" 2>/dev/null

python3 - "$out/speedscope.png" "$out/speedscope.dom.html" <<'EOF'
import collections, struct, sys, zlib

def png_pixels(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, w = 8, b'', 0
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            assert depth == 8 and ctype in (2, 6), 'unexpected PNG type'
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw, rows, prev = zlib.decompress(idat), [], bytearray(w * bpp)
    stride = w * bpp + 1
    for y in range(h):
        f, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pred = [0, a, b, (a + b) // 2, a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c)
                    else b if abs(p - b) <= abs(p - c) else c][f]
            line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows

w, h, bpp, rows = png_pixels(sys.argv[1])
colours = collections.Counter()
for row in rows[::4]:
    for x in range(0, w * bpp, 4 * bpp):
        colours[row[x:x + 3]] += 1
total = sum(colours.values())
background = colours.most_common(1)[0][1] / total
dom = open(sys.argv[2], encoding='utf-8', errors='replace').read()
print(f'screenshot {w}x{h}: {len(colours)} distinct colours, most common colour covers {background:.0%}')
errors = [s for s in ('Something went wrong', 'Failed to load', 'Unrecognized format', 'No profile') if s in dom]
assert 'wanprof_trace.json' in dom, 'the DOM does not name the trace: speedscope did not load it'
assert not errors, f'speedscope reports: {errors}'
assert len(colours) >= 20 and background < 0.9, 'the screenshot looks blank'
print('viewer check passed: speedscope loaded and drew the trace')
EOF
echo "screenshot: $out/speedscope.png"
