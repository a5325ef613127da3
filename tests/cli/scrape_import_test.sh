#!/usr/bin/env bash
# ctest-cost: 7 (seconds on 2 cores, 2026-11-23)
# Whole-command behaviour of tsdb-scrape --db (bulk import): exit statuses,
# stdin and files, summary and --quiet, nothing on stdout, nothing written on
# a parse error, locking, the spill folder. Args: BUILD_DIR SOURCE_DIR
set -uo pipefail
bin="$(cd "$1" && pwd)/tsdb-scrape"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
blocks() { find "$1" -mindepth 1 -maxdepth 1 -type d -name '0*' | wc -l; }

base=1795111200000
python3 - "$base" >in.prom <<'PY'
import sys
base = int(sys.argv[1])
for s in range(20):
    for i in range(600):  # 10 h every minute: 5 blocks
        print(f'm_{s % 4}{{s="{s}"}} {i * 1.5} {base + i * 60000}')
PY
python3 - "$base" >in.om <<'PY'
import sys
base = int(sys.argv[1])
print("# TYPE c counter")
for i in range(100):
    print(f'c_total{{x="1"}} {i} {(base + i * 15000) / 1000:.3f}')
print("# EOF")
PY

# a file, and the same from stdin: the same index and chunks
"$bin" --db a in.prom 2>err.txt >out.txt
check "file import exit" 0 $?
check "nothing on stdout" "" "$(cat out.txt)"
contains "summary" 'msg="import done"' "$(cat err.txt)"
contains "summary series" "series=20 samples=12000 blocks=5" "$(cat err.txt)"
contains "summary bytes per sample" "bytes_per_sample=" "$(cat err.txt)"
"$bin" --db b --quiet - <in.prom 2>err.txt
check "stdin import exit" 0 $?
check "--quiet says nothing" "" "$(cat err.txt)"
check "five blocks" 5 "$(blocks b)"
same=0
for d in a/0*; do
  mint=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["minTime"])' "$d/meta.json")
  for e in b/0*; do
    m2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["minTime"])' "$e/meta.json")
    if [ "$mint" == "$m2" ] && cmp -s "$d/index" "$e/index" && cmp -s "$d/chunks/000001" "$e/chunks/000001"; then
      same=$((same + 1))
    fi
  done
done
check "stdin and file give the same blocks" 5 "$same"
check "no spill folder or lock file left" "" "$(ls -A a | grep -v '^0')"
"$bin" --db a in.prom 2>err.txt
check "import over existing blocks" 0 $?
contains "overlap warning" 'overlapped_blocks=5' "$(cat err.txt)"
check "overlapping blocks written" 10 "$(blocks a)"

# a tiny memory limit spills many runs and gives the same blocks
"$bin" --db c --memory-limit 4KiB in.prom 2>err.txt
check "tiny memory limit exit" 0 $?
runs=$(sed -n 's/.* runs=\([0-9]*\).*/\1/p' err.txt)
[ "${runs:-0}" -gt 10 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL tiny limit: runs=$runs"; }
check "no spill folder after spilling" "" "$(ls -A c | grep -v '^0')"
sums() { md5sum "$1"/0*/index "$1"/0*/chunks/000001 | cut -c1-32 | sort; }
check "same blocks with a tiny limit" "$(sums b)" "$(sums c)"

# OpenMetrics by name, forced formats, several inputs, other block durations
"$bin" --db d --quiet in.om in.prom
check "two formats in one run" 0 $?
"$bin" --db e --quiet --input-format openmetrics - <in.om
check "forced openmetrics from stdin" 0 $?
"$bin" --db f --quiet --input-format openmetrics in.prom 2>err.txt
check "prom text read as openmetrics fails" 1 $?
check "nothing written on failure" 0 "$(blocks f)"
"$bin" --db g --quiet --block-duration 1d in.prom
check "one-day blocks (18:00 to 04:00 UTC)" 2 "$(blocks g)"

# lines without timestamps take the start time
before=$(($(date +%s) * 1000))
printf 'now_metric 7\n' | "$bin" --db h --quiet -
mint=$(python3 -c 'import json,glob; print(json.load(open(glob.glob("h/0*/meta.json")[0]))["minTime"])')
[ "$mint" -le "$before" ] && [ $((mint + 7200000)) -gt "$before" ] && pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL untimestamped sample block $mint vs $before"; }

# a parse error: exit 1 with file, line and column; nothing written
{ head -5000 in.prom; echo 'm_0{s="0" 1 1795111200000'; tail -100 in.prom; } >bad.prom
"$bin" --db i --memory-limit 4KiB bad.prom 2>err.txt
check "parse error exit" 1 $?
contains "parse error message" "bad.prom: line 5001, column" "$(cat err.txt)"
check "parse error writes nothing" "" "$(ls -A i)"

# usage errors exit 2
"$bin" in.prom 2>/dev/null; check "missing --db" 2 $?
"$bin" --db x --block-duration 2 in.prom 2>err.txt; check "bad duration" 2 $?
contains "bad duration message" "--block-duration" "$(cat err.txt)"
"$bin" --db x --input-format json in.prom 2>/dev/null; check "bad input format" 2 $?
"$bin" --db x --memory-limit lots in.prom 2>/dev/null; check "bad memory limit" 2 $?
"$bin" --db x --bogus in.prom 2>/dev/null; check "unknown flag" 2 $?
"$bin" --db x nope.prom 2>err.txt; check "missing file" 1 $?
contains "missing file message" "nope.prom: No such file" "$(cat err.txt)"

# a held lock (a running Prometheus) is refused
mkdir -p locked
flock locked/lock "$bin" --db locked in.prom 2>err.txt
check "locked directory exit" 1 $?
contains "locked directory message" "is locked by another process" "$(cat err.txt)"
check "locked directory untouched" "lock" "$(ls -A locked)"

# --help, --version
"$bin" --help >out.txt; check "--help exit" 0 $?
contains "--help lists --memory-limit" "--memory-limit" "$(cat out.txt)"
contains "--version" "tsdb-scrape" "$("$bin" --version)"

finish scrape_import
