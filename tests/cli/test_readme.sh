#!/usr/bin/env bash
# README.md runs as written: every command shown in a ```console block is run and its output compared with the one
# shown. The convention (README.md says it too, in a comment at its top):
#   * ```console blocks are checked. A line "$ CMD" is a command; lines after it that start with "> " continue it
#     (a quoted SQL statement over several lines); the lines that follow, up to the next "$ " line or the end of the
#     block, are its expected output (stdout and stderr together). A line holding only "…" stands for any number of
#     lines (none included). Trailing blanks are ignored. Every command must exit 0.
#   * Commands run with bash, in one scratch directory for the whole README (files written by one block are there
#     for the next) holding links to the checkout's examples/, tests/, schemas/ and scripts/, with the build's bin/
#     (wanprof, wanprof-runner) first on PATH.
#   * The line just before a block's opening fence may say how to treat it:
#       <!-- readme-test: skip REASON -->   not run (needs a GPU, a cluster, or is an illustration): listed as skipped
#       <!-- readme-test: needs wanprof-runner -->   skipped (and listed) when the build has no wanprof-runner (no CUDA)
#       <!-- readme-test: demo -->   scripts/demo.sh with its package check and build stubbed out (the test's own build
#                                    is used) and no GPU visible: its analysis of the recorded run is what is checked
#   * Every other fenced block (```sh, ```sql, bare ```) must carry a skip line: no command goes unchecked unsaid.
# Fails when an output drifts, a command fails, or a block is unmarked. Environment: WANPROF, WP_SOURCE_DIR.
set -u
W=${WANPROF:?} S=${WP_SOURCE_DIR:?}
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for d in examples tests schemas scripts; do ln -s "$S/$d" "$scratch/$d"; done
# Stubs for the demo block: the packages are "installed", cmake does nothing, there is no GPU.
mkdir -p "$scratch/.stubs" "$scratch/.demo-build"
ln -s "$(dirname "$W")" "$scratch/.demo-build/bin"
printf '#!/bin/sh\necho "install ok installed"\n' >"$scratch/.stubs/dpkg-query"
printf '#!/bin/sh\nexit 0\n' >"$scratch/.stubs/cmake"
printf '#!/bin/sh\nexit 1\n' >"$scratch/.stubs/nvidia-smi"
chmod +x "$scratch/.stubs/"*

python3 - "$S/README.md" "$scratch" "$(dirname "$W")" <<'EOF'
import difflib, os, re, subprocess, sys

readme, scratch, bindir = sys.argv[1:4]
ELLIPSIS = "…"
env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""), LC_ALL="C.UTF-8", COLUMNS="120")
demo_env = dict(env, PATH=os.path.join(scratch, ".stubs") + os.pathsep + env["PATH"],
                WP_BUILD_DIR=os.path.join(scratch, ".demo-build"))
has_runner = os.access(os.path.join(bindir, "wanprof-runner"), os.X_OK)


def blocks(lines):
    """(line number of the fence, info string, directive or None, body lines) for each fenced block."""
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        directive = None
        if i > 0:
            d = re.match(r"^<!-- readme-test: (.*?) -->\s*$", lines[i - 1])
            directive = d.group(1) if d else None
        start, info, body = i + 1, m.group(1), []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        yield start, info, directive, body
        i += 1


def commands(body):
    """(command, expected output lines) pairs of a console block."""
    out = []
    for line in body:
        if line.startswith("$ "):
            out.append([line[2:], []])
        elif line.startswith("> ") and out and not out[-1][1]:
            out[-1][0] += "\n" + line[2:]
        elif out:
            out[-1][1].append(line.rstrip())
        else:
            raise ValueError("output before the first `$ ` command: " + line)
    return out


def matches(want, got):
    """want may hold ELLIPSIS lines, each matching any number of got's lines."""
    memo = {}

    def m(i, j):
        if (i, j) in memo:
            return memo[i, j]
        if i == len(want):
            r = j == len(got)
        elif want[i] == ELLIPSIS:
            r = any(m(i + 1, k) for k in range(j, len(got) + 1))
        else:
            r = j < len(got) and want[i] == got[j] and m(i + 1, j + 1)
        memo[i, j] = r
        return r

    return m(0, 0)


def run(cmd, demo):
    p = subprocess.run(["bash", "-c", cmd], cwd=scratch, env=demo_env if demo else env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=600)
    text = p.stdout.decode("utf-8", "replace")
    got = [l.rstrip() for l in text.split("\n")]
    if got and got[-1] == "":
        got.pop()
    return p.returncode, got


lines = open(readme, encoding="utf-8").read().split("\n")
passed = failed = 0
skipped, first_checked = [], None
for start, info, directive, body in blocks(lines):
    where = f"README.md:{start}"
    has_cmd = any(l.startswith("$ ") for l in body)
    if directive and directive.startswith("skip"):
        reason = directive[4:].strip() or "(no reason given)"
        first = next((l[2:] for l in body if l.startswith("$ ")), body[0] if body else "")
        skipped.append(f"{where}: {first.strip()[:70]}  [{reason}]")
        continue
    if info != "console":
        print(f"FAIL {where}: a ```{info} block without `<!-- readme-test: skip REASON -->` before it")
        failed += 1
        continue
    if not has_cmd:
        print(f"FAIL {where}: a ```console block with no `$ ` command")
        failed += 1
        continue
    if directive == "needs wanprof-runner" and not has_runner:
        skipped.append(f"{where}: [needs wanprof-runner, not built here (no CUDA toolkit)]")
        continue
    if directive not in (None, "needs wanprof-runner", "demo"):
        print(f"FAIL {where}: unknown directive `{directive}`")
        failed += 1
        continue
    for cmd, want in commands(body):
        rc, got = run(cmd, directive == "demo")
        if rc == 0 and matches(want, got):
            passed += 1
            print(f"ok   {where}: $ {cmd.splitlines()[0][:90]}")
            if first_checked is None and want and want[0] != ELLIPSIS:
                first_checked = (want, got)
            continue
        failed += 1
        print(f"FAIL {where}: $ {cmd.splitlines()[0]}" + (f"  (exit status {rc})" if rc else ""))
        for d in list(difflib.unified_diff(want, got, "README", "now", lineterm="", n=1))[:40]:
            print("     " + d)

# The comparison must be able to fail: a one-character drift in a shown output is caught.
if first_checked:
    want, got = first_checked
    drifted = [want[0] + "x"] + want[1:]
    if matches(drifted, got):
        print("FAIL self-check: a drifted output line still matched")
        failed += 1
    else:
        passed += 1
        print("ok   self-check: a drifted output line is caught")
for s in skipped:
    print(f"SKIP {s}")
print(f"{passed} passed, {failed} failed, {len(skipped)} blocks skipped")
sys.exit(1 if failed else 0)
EOF
