#!/usr/bin/env python3
"""The pinned predictions of `wanprof whatif` on the six runner fixtures, as tests/fixtures/whatif/expected.tsv.

    python3 tests/tools/whatif_expected.py build/bin/wanprof > tests/fixtures/whatif/expected.tsv

One row per (source fixture, mode): the predicted median ordinary step, switch step and total (seconds) and the
predicted loop peak (bytes; "-" when unknown), as `wanprof whatif --json --machine machine_with_curve.json --copies run
tests/fixtures/whatif/SOURCE.json.gz` prints them: the fixtures' own calibration with the compute curve, and each
run's own copy rates. tests/cli/test_whatif.sh compares the current output against this file
at a relative 1e-6, so any change in the model shows up there.

This file pins numbers; it does not justify them: the same test checks the predictions against what each run measured
itself (its runner.txt). Regenerate only after a deliberate change to the model, and say in the commit which
predictions moved, by how much, and why (and that the check against the runners still passes).
"""
import json
import os
import subprocess
import sys

SOURCES = ("none", "model_pageable", "model_pinned", "layer_pinned_p1", "layer_pageable_p1", "layer_pinned_p1_sync")
COLUMNS = ("source", "mode", "step_s", "switch_step_s", "total_s", "peak_bytes")


def rows(wanprof, fixtures):
    for src in SOURCES:
        out = subprocess.run([wanprof, "whatif", "--json", "--machine", os.path.join(fixtures, "machine_with_curve.json"),
                              "--copies", "run", os.path.join(fixtures, src + ".json.gz")], check=True,
                             capture_output=True, text=True).stdout
        for m in json.loads(out)["modes"]:
            peak = "-" if m["peak_bytes"] is None else repr(m["peak_bytes"])
            yield (src, m["name"], repr(m["step_s"]["median"]), repr(m["switch_step_s"]["median"]),
                   repr(m["total_s"]["median"]), peak)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "whatif")
    print("\t".join(COLUMNS))
    for r in rows(sys.argv[1], fixtures):
        print("\t".join(r))


if __name__ == "__main__":
    main()
