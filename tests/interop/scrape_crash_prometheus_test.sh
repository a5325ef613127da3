#!/usr/bin/env bash
# ctest-cost: 15 (seconds on 2 cores, 2026-11-23)
# Interop: a scraper killed with SIGKILL loses nothing it acknowledged, and
# Prometheus (Debian's 2.42) opens and serves the directory it leaves.
#
#   bash scrape_crash_prometheus_test.sh BUILD_DIR SOURCE_DIR
#
# 1. `tsdb-scrape --db DATA --stdout` scrapes a local target every 250 ms and
#    is killed with SIGKILL at a random moment, five times over, restarting
#    on the same directory (which replays and, if the kill tore the WAL's
#    tail, repairs it). Every sample printed on stdout had been committed to
#    the WAL before it was printed, so every whole printed line must be in
#    `tsdb-inspect dump DATA` afterwards.
# 2. `promtool tsdb dump DATA` (Prometheus's own reader: blocks + head
#    replayed from our WAL) equals our dump sample for sample.
# 3. `prometheus` started on DATA serves our samples: a range query over the
#    whole run returns every sample we dumped for a series of each kind.
set -u -o pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 BUILD_DIR SOURCE_DIR}
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init scrape_crash_prometheus

need_cmd prometheus
need_cmd promtool
need_cmd curl
need_cmd python3
SCRAPE=$BUILD_DIR/tsdb-scrape
INSPECT=$BUILD_DIR/tsdb-inspect
need_exe "$SCRAPE"
need_exe "$INSPECT"
cd "$TMP" || fail "cd $TMP"
cp "$SOURCE_DIR/tests/interop/dump_norm.py" norm.py

# A target with 300 series whose values change at every request.
mkdir target
python3 - >target/metrics.prom <<'PY'
for i in range(100):
    print('# TYPE demo_requests_total counter')
    print('demo_requests_total{path="/p%d",code="200"} %d' % (i, i * 1000))
for i in range(100):
    print('demo_temperature_celsius{sensor="s%d"} %s' % (i, 20 + i / 7))
for i in range(100):
    print('demo_odd{kind="k%d",esc="a\\"b\\\\c"} %s' % (i, ['NaN', '+Inf', '-Inf', '1e300', '-0'][i % 5]))
PY
start_server target.log python3 "$SOURCE_DIR/tests/cli/scrape_test_server.py" target target/port
for ((i = 0; i < 100; i++)); do [ -s target/port ] && break; sleep 0.1; done
[ -s target/port ] || fail "test server did not start"
TPORT=$(cat target/port)
wait_http "http://127.0.0.1:$TPORT/metrics" 20 "$SERVER_PID"

# ---------------------------------------------------------------- 1. kill -9, five times
DATA=$TMP/data
for round in 1 2 3 4 5; do
  "$SCRAPE" --db "$DATA" --stdout --interval 250ms --timeout 200ms --job crash \
    "http://127.0.0.1:$TPORT/metrics" >"round$round.prom" 2>"round$round.err" &
  pid=$!
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.7, 2.5), 2))')"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  grep -q "level=error" "round$round.err" && fail "round $round: the scraper logged an error: $(grep level=error "round$round.err" | head -3)"
  # A line cut by the kill is not acknowledged output: keep whole lines only.
  python3 -c '
import sys
data = open(sys.argv[1], "rb").read()
data = data[: data.rfind(b"\n") + 1]
sys.stdout.buffer.write(data)' "round$round.prom" >>printed.prom
done
grep -q "repair" round*.err && note "a kill tore the WAL tail; the restart repaired it: $(grep -h repair round*.err | head -1)"
printed=$(wc -l <printed.prom)
[ "$printed" -gt 3000 ] || fail "only $printed samples printed in five rounds"

"$INSPECT" -q dump "$DATA" >ours.prom 2>inspect.err || fail "tsdb-inspect dump: $(tail -3 inspect.err)"
python3 norm.py <printed.prom >printed.norm || fail "normalising the printed samples"
python3 norm.py <ours.prom >ours.norm || fail "normalising our dump"
missing=$(comm -23 printed.norm ours.norm | wc -l)
if [ "$missing" -ne 0 ]; then
  comm -23 printed.norm ours.norm | head -5 >&2
  fail "$missing of $printed acknowledged samples are missing after five SIGKILLs"
fi
pass "five SIGKILLs: all $printed acknowledged samples are in the data directory ($(wc -l <ours.norm) stored)"
"$INSPECT" -q wal "$DATA" >wal.txt 2>&1 || fail "tsdb-inspect wal finds problems after the repairs: $(grep -i problem -A3 wal.txt | head -5)"
pass "the WAL left by the kills and restarts checks clean"

# ---------------------------------------------------------------- 2. promtool reads it
promtool tsdb dump "$DATA" >promtool.txt 2>promtool.err || fail "promtool tsdb dump: $(tail -3 promtool.err)"
python3 norm.py <promtool.txt >promtool.norm || fail "normalising promtool's dump"
if ! diff -q promtool.norm ours.norm >/dev/null; then
  diff promtool.norm ours.norm | head -10 >&2
  fail "promtool tsdb dump differs from tsdb-inspect dump"
fi
pass "promtool tsdb dump equals tsdb-inspect dump: $(wc -l <ours.norm) samples (head replayed from our WAL)"

# ---------------------------------------------------------------- 3. prometheus serves it
PPORT=$(free_port)
echo 'global: {scrape_interval: 1h}' >empty.yml
start_server prom.log prometheus --config.file=empty.yml --storage.tsdb.path="$DATA" \
  --web.listen-address="127.0.0.1:$PPORT" --storage.tsdb.retention.time=10y
PROM_PID=$SERVER_PID
wait_http "http://127.0.0.1:$PPORT/-/ready" 60 "$PROM_PID"
for series in 'demo_requests_total{path="/p7"}' 'demo_temperature_celsius{sensor="s3"}' 'up{job="crash"}' \
  'scrape_samples_scraped{job="crash"}'; do
  want=$(grep -F "$(python3 -c 'import sys; n,l=sys.argv[1].split("{"); print(n)' "$series"){" ours.prom |
    grep -F "$(python3 -c 'import sys; print(sys.argv[1].split("{")[1].rstrip("}"))' "$series")" | awk '{print $NF" "$(NF-1)}' | sort)
  [ -n "$want" ] || fail "$series: not in our dump"
  first=$(echo "$want" | head -1 | cut -d' ' -f1)
  last=$(echo "$want" | tail -1 | cut -d' ' -f1)
  # Raw samples: a range selector at the last timestamp covering the whole run.
  range=$(((last - first) / 1000 + 2))
  got=$(curl -sf --max-time 20 "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=${series}[${range}s]" \
    --data-urlencode "time=$(python3 -c "print($last / 1000)")" |
    python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
assert len(r) == 1, r
for t, v in r[0]["values"]:
    print(int(round(float(t) * 1000)), v)' | sort) || fail "$series: query failed: $(tail -3 prom.log)"
  python3 - "$series" <(echo "$want") <(echo "$got") <<'PY' || fail "$series: Prometheus serves other samples than we stored"
import sys
def load(p):
    return [(int(t), float(v)) for t, v in (l.split() for l in open(p) if l.strip())]
want, got = load(sys.argv[2]), load(sys.argv[3])
def same(a, b):
    return a[0] == b[0] and (a[1] == b[1] or (a[1] != a[1] and b[1] != b[1]))
if len(want) != len(got) or not all(same(a, b) for a, b in zip(want, got)):
    print("%s: want %d samples, got %d; first difference: %s" % (sys.argv[1], len(want), len(got),
          next(((a, b) for a, b in zip(want, got) if not same(a, b)), None)), file=sys.stderr)
    sys.exit(1)
PY
  pass "prometheus serves all $(echo "$want" | wc -l) samples of $series"
done
stop_server "$PROM_PID"
note "done in $SECONDS s"
