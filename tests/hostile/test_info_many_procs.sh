#!/usr/bin/env bash
# Finding (issue 13, output a user cannot trust): `info` kept at most 1024 processes and 1024 devices and dropped the
# rest without a word (a merged trace of a large job, or a crafted one, showed "processes: 1024"). Now it lists every
# process and device the trace declares, in text and --json.
set -u
W=${WANPROF:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }

# A one-kernel trace exported to wanprof SQLite, then 1499 more processes (pid 1000+i, rank i, host hI) and 1099 more
# GPUs (id i of process 0, named gI) added to its tables: 1500 processes and 1100 devices in all.
python3 - "$tmp/one.json" <<'PY'
import json, sys
ev = [{"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 7, "tid": 7, "ts": 10, "dur": 5,
       "args": {"correlation": 1}},
      {"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 20, "dur": 5,
       "args": {"device": 0, "stream": 7, "correlation": 1}}]
json.dump({"deviceProperties": [{"id": 0, "name": "g0"}], "traceEvents": ev}, open(sys.argv[1], "w"))
PY
"$W" export "$tmp/one.json" "$tmp/t.sqlite" 2>/dev/null || bad "export exits $?"
gpu_cols=$(sqlite3 "$tmp/t.sqlite" "SELECT group_concat(name, ',') FROM pragma_table_info('TARGET_INFO_GPU')")
sqlite3 "$tmp/t.sqlite" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1499)
INSERT INTO WANPROF_PROCESSES (procIndex, pid, rank, host, label, globalPid)
    SELECT i, 1000 + i, i, 'h' || i, NULL, 1000000 + i FROM n;
CREATE TEMP TABLE g AS SELECT * FROM TARGET_INFO_GPU;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1099)
INSERT INTO TARGET_INFO_GPU ($gpu_cols) SELECT $(echo "$gpu_cols" | sed 's/\bid\b/n.i/; s/\bname\b/'"'g'"' || n.i/') FROM temp.g, n;
" || bad "could not add processes and devices to the SQLite"
[ "$(sqlite3 "$tmp/t.sqlite" "SELECT COUNT(*) FROM WANPROF_PROCESSES") $(sqlite3 "$tmp/t.sqlite" "SELECT COUNT(*) FROM TARGET_INFO_GPU")" = "1500 1100" ] ||
    bad "the test trace does not hold 1500 processes and 1100 devices"

"$W" info "$tmp/t.sqlite" >"$tmp/info.txt" 2>&1 || bad "info exits $?"
grep -q '^  processes: 1500$' "$tmp/info.txt" || bad "info: $(grep processes: "$tmp/info.txt")"
grep -q '^  devices:   1100$' "$tmp/info.txt" || bad "info: $(grep devices: "$tmp/info.txt")"
[ "$(grep -c '^    \[[0-9]*\] pid ' "$tmp/info.txt")" = 1500 ] || bad "info lists $(grep -c '^    \[' "$tmp/info.txt") processes"
grep -q '^    \[1499\] pid 2499, rank 1499, host h1499$' "$tmp/info.txt" || bad "the last process is not listed"
grep -q '^    process 0, GPU 1099: g1099, ' "$tmp/info.txt" || bad "the last device is not listed"

"$W" info --json "$tmp/t.sqlite" >"$tmp/info.json" 2>/dev/null || bad "info --json exits $?"
python3 - "$tmp/info.json" <<'PY' || fails=$((fails + 1))
import json, sys
t = json.load(open(sys.argv[1]))["traces"][0]
procs, devs = t["processes"], t["devices"]
ok = (len(procs) == 1500 and sorted(p["pid"] for p in procs[1:]) == list(range(1001, 2500))
      and len(devs) == 1100 and sorted(d["id"] for d in devs) == list(range(1100)))
if not ok:
    print(f"FAIL: info --json: {len(procs)} processes, {len(devs)} devices", file=sys.stderr)
    sys.exit(1)
PY

[ "$fails" -eq 0 ] && echo "info_many_procs: ok" || echo "info_many_procs: $fails failure(s)"
[ "$fails" -eq 0 ]
