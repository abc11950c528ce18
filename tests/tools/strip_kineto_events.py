#!/usr/bin/env python3
"""Drop the events of some categories from a Kineto trace, keeping every other byte as it was.

    python3 tests/tools/strip_kineto_events.py IN.json.gz OUT.json.gz [--drop-cat python_function ...]
        [--drop-name cudaGetDevice_v3020 ...]

Used to bring a public trace under the fixture size limit (see tests/fixtures/public/README.md): the kept events are
copied as their original text (numbers are not re-printed), in their original order; the text before and after the
event array is kept as is. The output is gzip level 9 with mtime 0 and no file name, so the same input gives the same
bytes. Standard library only.
"""

import argparse
import gzip
import json
import re
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--drop-cat", action="append", default=None, help="category to drop (default python_function)")
    ap.add_argument("--drop-name", action="append", default=[], help="event name to drop (e.g. a runtime call that "
                    "does no work, such as cudaGetDevice_v3020)")
    a = ap.parse_args(argv)
    drop = set(a.drop_cat or ["python_function"])
    drop_names = set(a.drop_name)
    with open(a.input, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8")
    m = re.search(r'"traceEvents"\s*:\s*\[', text)
    if not m:
        sys.exit("no traceEvents array")
    dec = json.JSONDecoder()
    pos, n = m.end(), len(text)
    kept, dropped = [], 0
    while True:
        while pos < n and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= n:
            sys.exit("unterminated traceEvents array")
        if text[pos] == "]":
            break
        start = pos
        obj, pos = dec.raw_decode(text, pos)
        if isinstance(obj, dict) and (obj.get("cat") in drop or obj.get("name") in drop_names):
            dropped += 1
        else:
            kept.append(text[start:pos])
    out = text[: m.end()] + "\n  " + ",\n  ".join(kept) + "\n" + text[pos:]
    json.loads(out)  # still one valid document
    data = out.encode("utf-8")
    with open(a.output, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as g:
            g.write(data)
    sys.stderr.write("kept %d events, dropped %d (%s)\n" % (len(kept), dropped, ", ".join(sorted(drop | drop_names))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
