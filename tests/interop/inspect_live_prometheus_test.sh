#!/usr/bin/env bash
# ctest-cost: 18 (seconds on 2 cores, 2026-11-23)
# Interop: tsdb-inspect on the data directory of a running Prometheus
# (Debian's 2.42) shows what Prometheus itself serves.
#
#   bash inspect_live_prometheus_test.sh BUILD_DIR SOURCE_DIR
#
# Prometheus scrapes itself every second. While it runs (holding its lock,
# writing its WAL), `tsdb-inspect dump` of its directory up to a time T must
# hold, for every series, exactly the raw samples Prometheus returns for a
# range selector ending at T; `tsdb-inspect list` shows a head row with the
# right series count; nothing in the directory changes because we looked.
set -u -o pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 BUILD_DIR SOURCE_DIR}
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init inspect_live_prometheus

need_cmd prometheus
need_cmd curl
need_cmd python3
INSPECT=$BUILD_DIR/tsdb-inspect
need_exe "$INSPECT"
cd "$TMP" || fail "cd $TMP"
cp "$SOURCE_DIR/tests/interop/dump_norm.py" norm.py

PORT=$(free_port)
cat >self.yml <<EOF2
global:
  scrape_interval: 1s
  evaluation_interval: 1h
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF2
start_server prom.log prometheus --config.file=self.yml --storage.tsdb.path="$TMP/data" \
  --web.listen-address="127.0.0.1:$PORT" --storage.tsdb.retention.time=10y
PID=$SERVER_PID
wait_http "http://127.0.0.1:$PORT/-/ready" 60 "$PID"
# Prometheus's discovery hands over targets after 5 s: give it 8 s of scrapes after that.
sleep 13
# T: a second ago, so every scrape up to T is committed on both sides.
T=$(($(date +%s%3N) - 1000))
find data -type f -printf '%p %s\n' | sort >files.before

"$INSPECT" -q dump --max-time "$(python3 -c "print($T / 1000)")" data >ours.prom 2>dump.err ||
  fail "tsdb-inspect dump on a running Prometheus: $(tail -3 dump.err)"
python3 norm.py <ours.prom >ours.norm || fail "normalising our dump"
[ -s ours.norm ] || fail "our dump of the running Prometheus is empty"

# Prometheus's raw samples: every series, a range selector ending at T that
# covers the whole run (range selectors are closed intervals in 2.x).
curl -sf --max-time 30 "http://127.0.0.1:$PORT/api/v1/query" \
  --data-urlencode 'query={__name__=~".+"}[10m]' --data-urlencode "time=$(python3 -c "print($T / 1000)")" >api.json ||
  fail "range query failed"
python3 - api.json >api.prom <<'PY' || fail "reading the API answer"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["status"] == "success", r
def q(v):
    return '"' + v.replace('\\', '\\\\').replace('\n', '\\n').replace('"', '\\"') + '"'
for s in r["data"]["result"]:
    m = dict(s["metric"])
    name = m.pop("__name__")
    lbl = "{" + ",".join("%s=%s" % (k, q(v)) for k, v in sorted(m.items())) + "}"
    for t, v in s["values"]:
        print("%s%s %s %d" % (name, lbl, v, round(float(t) * 1000)))
PY
python3 norm.py <api.prom >api.norm || fail "normalising the API's samples"
if ! diff -q api.norm ours.norm >/dev/null; then
  diff api.norm ours.norm | head -10 >&2
  fail "tsdb-inspect dump of the running Prometheus differs from what it serves: $(diff api.norm ours.norm | grep -c '^[<>]') lines"
fi
nseries=$(python3 -c 'import sys; print(len({l.rsplit(" ", 2)[0] for l in open(sys.argv[1])}))' ours.norm)
[ "$(wc -l <ours.norm)" -gt $((nseries * 5)) ] || fail "fewer than 5 scrapes in the dump: $(wc -l <ours.norm) samples of $nseries series"
pass "dump of a running Prometheus equals its API's raw samples: $(wc -l <ours.norm) samples of $nseries series"

"$INSPECT" -q list -o json data >list.json 2>list.err || fail "tsdb-inspect list: $(tail -3 list.err)"
sleep 2.5  # a scrape of Prometheus's own gauge that happened after our list
series_after=$(curl -sf --max-time 20 "http://127.0.0.1:$PORT/api/v1/query" --data-urlencode 'query=prometheus_tsdb_head_series' |
  python3 -c 'import json,sys; print(int(float(json.load(sys.stdin)["data"]["result"][0]["value"][1])))')
python3 - list.json "$nseries" "$series_after" <<'PY' || fail "list's head row disagrees with the dump and prometheus_tsdb_head_series"
import json, sys
rows = json.load(open(sys.argv[1]))
head = [r for r in rows if r["ulid"] == "head"]
assert len(head) == 1, rows
# Series can only be added while Prometheus runs: at least those dumped at
# T, at most what its own gauge says a little later.
n, low, high = head[0]["series"], int(sys.argv[2]), int(sys.argv[3])
assert low <= n <= high, (low, n, high)
PY
pass "list shows a head row with between $nseries (dumped at T) and $series_after (prometheus_tsdb_head_series after) series"

find data -type f -printf '%p %s\n' | sort >files.after
# Prometheus itself keeps writing: only its own WAL and query log may change.
changed=$(diff files.before files.after | grep '^[<>]' | grep -v -E 'data/(wal/|queries.active|chunks_head/)' || true)
[ -z "$changed" ] || fail "files changed outside Prometheus's own WAL: $changed"
find data -name 'tsdb-inspect*' -o -name '*.tmp' | grep -q . && fail "we left files in the data directory"
pass "nothing in the directory changed because we looked"
stop_server "$PID"
note "done in $SECONDS s"
