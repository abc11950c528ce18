#!/usr/bin/env bash
# wanprof info / export on the real Kineto fixture: counts agree with an independent scan of the JSON, the
# SQLite -> JSON -> SQLite chain keeps every event, merging gives one process per input, nsys-style SQL runs on the
# output, and bad input / existing outputs / bad usage give the documented exit codes and messages.
set -u
W=${WANPROF:?} F=${WP_FIXTURES:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }

# Real torch.profiler traces made on an H200 (torch.compile, recompiles, .to() swaps, pageable copies): every kernel,
# memcpy and runtime call is accounted for, against an independent count of the Kineto categories.
for k in "$F/kineto_sample.json.gz" "$F/planted_annotated.json.gz" "$F/planted_unannotated.json.gz"; do
    read -r kernels memcpys runtime <<<"$(python3 - "$k" <<'PY'
import gzip, json, sys
ev = json.load(gzip.open(sys.argv[1]))["traceEvents"]
c = lambda cats: sum(1 for e in ev if e.get("ph") == "X" and e.get("cat") in cats)
print(c({"kernel"}), c({"gpu_memcpy"}), c({"cuda_runtime", "cuda_driver"}))
PY
)"
    "$W" info --json "$k" >"$tmp/info.json" 2>"$tmp/info.err"
    check '[ $? -eq 0 ]' "info exits 0 on $k"
    read -r got_k got_m got_a <<<"$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["traces"][0]["events"]; print(e["kernel"], e["memcpy"], e["api"])' "$tmp/info.json")"
    check '[ "$got_k" = "$kernels" ] && [ "$kernels" -gt 0 ]' "$k kernels: info says $got_k, the JSON has $kernels"
    check '[ "$got_m" = "$memcpys" ] && [ "$memcpys" -gt 0 ]' "$k memcpys: info says $got_m, the JSON has $memcpys"
    check '[ "$got_a" = "$runtime" ] && [ "$runtime" -gt 0 ]' "$k runtime calls: info says $got_a, the JSON has $runtime"
done

"$W" info "$k" >"$tmp/info.txt" 2>/dev/null
check 'grep -q "kernel  *$kernels\$" "$tmp/info.txt"' "text output lists the kernel count"
check 'grep -q "NVIDIA H200" "$tmp/info.txt"' "text output names the devices"

# Chain: Kineto -> SQLite -> .json.gz -> SQLite keeps every event of every kind.
"$W" export "$k" "$tmp/a.sqlite" 2>/dev/null && "$W" export "$tmp/a.sqlite" "$tmp/b.json.gz" 2>/dev/null &&
    "$W" export "$tmp/b.json.gz" "$tmp/c.sqlite" 2>/dev/null
check '[ $? -eq 0 ]' "export chain succeeds"
events_of() { "$W" info --json "$1" 2>/dev/null | python3 -c 'import json,sys; t=json.load(sys.stdin)["traces"][0]; print(sorted(t["events"].items()), t["start_ns"], t["end_ns"])'; }
want=$(events_of "$k")
for f in a.sqlite b.json.gz c.sqlite; do
    got=$(events_of "$tmp/$f")
    check '[ "$got" = "$want" ]' "$f holds the same events and span as the fixture ($got vs $want)"
done

# Queries written for nsys exports run on ours.
n=$(sqlite3 "$tmp/a.sqlite" "SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.demangledName")
check '[ "$n" = "$kernels" ]' "nsys-style kernel query: $n rows, want $kernels"
n=$(sqlite3 "$tmp/a.sqlite" "SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_MEMCPY m JOIN ENUM_CUDA_MEMCPY_OPER o ON o.id = m.copyKind")
check '[ "$n" = "$memcpys" ]' "nsys-style memcpy query: $n rows, want $memcpys"

# Merging two inputs gives two processes.
"$W" export "$k" "$tmp/a.sqlite" "$tmp/merged.json.gz" 2>/dev/null
nprocs=$("$W" info --json "$tmp/merged.json.gz" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["traces"][0]["processes"]))')
check '[ "$nprocs" = 2 ]' "merged output has 2 processes, got $nprocs"

# An existing output is never overwritten without --force, and stays as it was.
before=$(md5sum <"$tmp/a.sqlite")
"$W" export "$k" "$tmp/a.sqlite" 2>"$tmp/err"
check '[ $? -eq 1 ]' "existing output without --force exits 1"
check 'grep -q "already exists" "$tmp/err"' "the message says the output exists"
check '[ "$(md5sum <"$tmp/a.sqlite")" = "$before" ]' "the existing output is untouched"
"$W" export --force "$k" "$tmp/a.sqlite" 2>/dev/null
check '[ $? -eq 0 ]' "--force replaces the output"
check '[ -z "$(ls "$tmp" | grep partial)" ]' "no temporary files left behind"

# Bad input names the file; nothing is written.
head -c 5000 /dev/urandom >"$tmp/junk.json.gz"
"$W" info "$tmp/junk.json.gz" >/dev/null 2>"$tmp/err"
check '[ $? -eq 1 ]' "info on junk exits 1"
check 'grep -q "junk.json.gz" "$tmp/err"' "the message names the bad file"
"$W" export "$tmp/junk.json.gz" "$tmp/out.sqlite" 2>/dev/null
check '[ $? -eq 1 ] && [ ! -e "$tmp/out.sqlite" ]' "export of junk exits 1 and writes no output"
"$W" info "$tmp/does-not-exist.sqlite" 2>"$tmp/err"
check '[ $? -eq 1 ] && grep -q "does-not-exist.sqlite" "$tmp/err"' "missing file: exit 1 naming it"

# Usage errors exit 2.
"$W" info 2>/dev/null; check '[ $? -eq 2 ]' "info without TRACE exits 2"
"$W" export "$k" 2>/dev/null; check '[ $? -eq 2 ]' "export with one path exits 2"
"$W" export --bogus "$k" "$tmp/x.json" 2>/dev/null; check '[ $? -eq 2 ]' "unknown option exits 2"
"$W" export "$k" "$tmp/x.txt" 2>/dev/null; check '[ $? -ne 0 ] && [ ! -e "$tmp/x.txt" ]' "unknown output format refused"
"$W" info --help | grep -q "^SYNOPSIS"; check '[ $? -eq 0 ]' "info --help prints the manual page"
check '[ "$("$W" help export)" = "$("$W" export --help)" ]' "help export and export --help agree"
# the records a reader skipped are counted alike after any chain of exports (PyTorch 1.8's trace has 3 it skips)
old=$F/public/kineto_resnet50_pt18/worker0.pt.trace.json.gz
skipped() { "$W" info --json "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["traces"][0]["skipped_records"])'; }
"$W" export "$old" "$tmp/old.sqlite" 2>/dev/null && "$W" export "$tmp/old.sqlite" "$tmp/old2.json.gz" 2>/dev/null
check '[ "$(skipped "$old")" -gt 0 ] && [ "$(skipped "$tmp/old.sqlite")" = "$(skipped "$old")" ] &&
       [ "$(skipped "$tmp/old2.json.gz")" = "$(skipped "$old")" ]' "export keeps the skipped-record count"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
