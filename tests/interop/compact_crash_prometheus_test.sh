#!/usr/bin/env bash
# ctest-cost: 158 (seconds on 2 cores, 2026-11-23)
# Interop: directories left by a tsdb-compact killed mid-pass open in
# Debian's promtool and prometheus 2.42 with no sample lost or duplicated.
#
#   bash compact_crash_prometheus_test.sh BUILD_DIR SOURCE_DIR
#
#  1. SIGKILL at random instants of passes over 200 series x 12h (six 2h
#     blocks, two merges): after each kill, `promtool tsdb dump` gives the
#     samples of the uninterrupted input, each once;
#  2. the state of a kill after a merge's output was renamed into place but
#     before its inputs were deleted (built exactly: the inputs put back), and
#     a half-written <ULID>.tmp-for-creation beside it: prometheus opens the
#     directory, removes the leftover and the inputs (they are the new
#     block's parents), and serves every sample once;
#  3. tsdb-compact finishes the same state: the same samples under promtool.
# promtool or prometheus missing is a failure, not a skip.
set -u -o pipefail

BUILD_DIR=$(cd "${1:?usage: $0 BUILD_DIR SOURCE_DIR}" && pwd)
SOURCE_DIR=$(cd "${2:?usage: $0 BUILD_DIR SOURCE_DIR}" && pwd)
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init compact_crash_prometheus

need_cmd promtool
need_cmd prometheus
need_cmd python3
need_cmd curl
COMPACT=$BUILD_DIR/tsdb-compact
SCRAPE=$BUILD_DIR/tsdb-scrape
need_exe "$COMPACT"
need_exe "$SCRAPE"
cd "$TMP" || fail "cd $TMP"
cp "$SOURCE_DIR/tests/interop/dump_norm.py" norm.py

S=1795111200000
python3 - $S <<'PY'
import sys
start = int(sys.argv[1])
with open("in.prom", "w") as f:
    for t in range(start, start + 12 * 3600000, 15000):
        for i in range(200):
            f.write(f'crash_total{{i="{i}"}} {(t - start) // 1000 * (i + 1)} {t}\n')
PY
"$SCRAPE" -q --db init in.prom || fail "import"
mkdir -p init/wal
dump() {  # dump DIR OUT
  promtool tsdb dump "$1" >"$2.raw" 2>"$2.err" || fail "promtool tsdb dump $1: $(tail -3 "$2.err")"
  python3 norm.py <"$2.raw" >"$2" || fail "normalising $2"
}
dump init want.norm
n=$(wc -l <want.norm)
[ "$n" -eq $((200 * 12 * 240)) ] || fail "promtool dumps $n samples of the input"

# ------------------------------------------------------------- 1. random kills
cp -r init ref
t0=$(date +%s.%N)
"$COMPACT" -q ref || fail "uninterrupted pass"
elapsed=$(python3 -c "print($(date +%s.%N) - $t0)")
for r in 1 2 3 4 5 6; do
  rm -rf run && cp -r init run
  delay=$(python3 -c "import random; print(round(random.uniform(0.005, $elapsed), 3))")
  "$COMPACT" -q run &
  pid=$!
  sleep "$delay"
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null
  dump run killed.norm
  cmp -s want.norm killed.norm || fail "round $r (kill after ${delay}s): promtool dumps other samples ($(wc -l <killed.norm), want $n)"
  "$COMPACT" -q run || fail "round $r: the next pass failed"
  dump run done.norm
  cmp -s want.norm done.norm || fail "round $r: the next pass changed the samples"
done
pass "6 kills at random instants: promtool dumps every sample once after each, and after the next pass"

# ------------------------------------------------------------- 2. prometheus
# Inputs of the last merge put back beside its output: the kill between the
# rename and the deletions. Plus a half-written block.
rm -rf state && cp -r init state
"$COMPACT" -q -o json state >report.json || fail "pass"
mapfile -t parents < <(python3 -c '
import json
r = json.load(open("report.json"))
for c in r["compacted"][-1:]:
    print("\n".join(c["inputs"]))')
[ "${#parents[@]}" -ge 2 ] || fail "no merge to undo: $(cat report.json)"
kept=0
for p in "${parents[@]}"; do
  if [ -d "init/$p" ]; then cp -r "init/$p" "state/$p"; kept=$((kept + 1)); fi
done
# The last merge's inputs include the first merge's output: put back the
# original blocks that still exist (a parent's parent is not a parent).
[ "$kept" -ge 1 ] || fail "none of the last merge's inputs is an original block"
half=01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation
mkdir -p "state/$half/chunks" && head -c 5000 /dev/urandom >"state/$half/chunks/000001"
cp -r state state_ours
blocks_before=$(ls -d state/0* | grep -vc tmp)
echo 'global: {scrape_interval: 1h}' >empty.yml
port=$(free_port)
start_server prom.log prometheus --config.file=empty.yml --storage.tsdb.path=state \
  --web.listen-address="127.0.0.1:$port" --storage.tsdb.retention.time=100y
pid=$SERVER_PID
wait_http "http://127.0.0.1:$port/-/ready" 60 "$pid"
END_S=$(((S + 12 * 3600000) / 1000))
curl -sf --max-time 60 "http://127.0.0.1:$port/api/v1/query" \
  --data-urlencode "query=count_over_time(crash_total[$((12 * 3600 + 60))s])" --data-urlencode "time=$END_S" >count.json ||
  fail "query failed: $(tail -3 prom.log)"
stop_server "$pid"
python3 - count.json <<'PY' || fail "prometheus does not serve every sample once: $(head -c 300 count.json)"
import json, sys
r = json.load(open(sys.argv[1]))["data"]["result"]
assert len(r) == 200, len(r)
assert all(int(x["value"][1]) == 12 * 240 for x in r), [x["value"] for x in r if int(x["value"][1]) != 12 * 240][:3]
PY
[ ! -e "state/$half" ] || fail "prometheus left the half-written block"
for p in "${parents[@]}"; do [ ! -d "state/$p" ] || fail "prometheus kept the parent $p"; done
pass "prometheus opens a killed pass's directory ($blocks_before blocks, $kept of them parents, a half-written block): parents and leftover removed, every sample served once"

# ------------------------------------------------------------- 3. ours
"$COMPACT" -q state_ours || fail "pass on the killed state"
[ ! -e "state_ours/$half" ] || fail "tsdb-compact left the half-written block"
dump state_ours ours.norm
cmp -s want.norm ours.norm || fail "tsdb-compact's next pass changed the samples"
pass "tsdb-compact finishes the same state: leftover and parents removed, the same samples under promtool"
note "done in $SECONDS s"
