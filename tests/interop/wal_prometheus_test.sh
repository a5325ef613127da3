#!/usr/bin/env bash
# ctest-cost: 12 (seconds on 2 cores, 2026-11-23)
# Interop: our WAL against a real Prometheus (Debian's 2.42), both ways.
#
#   bash wal_prometheus_test.sh BUILD_DIR SOURCE_DIR
#
# 1. Prometheus writes: it scrapes itself every second for a few seconds and
#    is killed with SIGKILL (so nothing is cut into a block); `tsdb-inspect
#    wal` must read its WAL (snappy records) with no problems and count
#    series and samples.
# 2. Prometheus reads: tests/tools/wal_gen writes a WAL (snappy, then none)
#    of series and samples around now, with NaN, +Inf, -Inf, the largest and
#    smallest doubles, a stale marker, a tombstone, and 300 bulk series whose
#    records span pages and segments; Prometheus replays it, and instant
#    queries must return exactly those values (the stale series absent after
#    its marker, the deleted sample gone). Then the WAL, now also holding
#    Prometheus's own segment, must still read clean.
set -u -o pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 BUILD_DIR SOURCE_DIR}
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init wal_prometheus

need_cmd prometheus
need_cmd curl
need_cmd python3
INSPECT=$BUILD_DIR/tsdb-inspect
GEN=$BUILD_DIR/tests/tools/wal_gen
need_exe "$INSPECT"
need_exe "$GEN"

# start_prometheus DATA_DIR PORT LOG [CONFIG]
start_prometheus() {
  local cfg=${4:-$TMP/empty.yml}
  start_server "$3" prometheus --config.file="$cfg" --storage.tsdb.path="$1" \
    --web.listen-address="127.0.0.1:$2" --storage.tsdb.retention.time=10y
  wait_http "http://127.0.0.1:$2/-/ready" 60 "$SERVER_PID"
}

kill_hard() {
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

echo 'global: {scrape_interval: 1h}' >"$TMP/empty.yml"

# ---------------------------------------------------------------- 1. Prometheus writes, we read
PORT=$(free_port)
cat >"$TMP/self.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1h
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
start_prometheus "$TMP/prom" "$PORT" "$TMP/prom.log" "$TMP/self.yml"
PROM=$SERVER_PID
# Until a few scrapes are in (bounded): up{job="self"} answers once the first one is.
for ((i = 0; i < 50; i++)); do
  n=$(http_get "http://127.0.0.1:$PORT/api/v1/query?query=count_over_time(up%5B1m%5D)" 2>/dev/null |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)' 2>/dev/null)
  [ "${n:-0}" -ge 4 ] 2>/dev/null && break
  sleep 0.2
done
[ "${n:-0}" -ge 4 ] || fail "prometheus did not scrape itself 4 times within 10 s"
kill_hard "$PROM"
compgen -G "$TMP/prom/01*" >/dev/null && fail "prometheus cut a block; the test wants the WAL only"

"$INSPECT" -q wal -o json "$TMP/prom" >"$TMP/prom.json" 2>"$TMP/prom.err"
rc=$?
[ "$rc" -eq 0 ] || fail "tsdb-inspect wal on Prometheus's WAL: exit $rc: $(cat "$TMP/prom.err") $(head -c 2000 "$TMP/prom.json")"
python3 - "$TMP/prom.json" <<'EOF' || fail "tsdb-inspect wal summary of Prometheus's WAL"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["problems"] == [], j["problems"]
rec = j["records"]
assert rec["series"]["entries"] > 0, rec
assert rec["samples"]["entries"] > 0, rec
assert j["series_refs"] == rec["series"]["entries"], (j["series_refs"], rec)
assert sum(s["compressed_records"] for s in j["segments"]) > 0, "Prometheus 2.42 compresses WAL records by default"
print("prometheus wal: %d series, %d samples in %d records" % (rec["series"]["entries"], rec["samples"]["entries"],
      sum(s["records"] for s in j["segments"])))
EOF
pass "tsdb-inspect wal reads Prometheus's WAL after SIGKILL with no problems"

# ---------------------------------------------------------------- 2. we write, Prometheus reads
# check_replay DIR PORT: instant queries against what wal_gen wrote at $NOW_MS.
check_replay() {
  local dir=$1 port=$2 t
  for t in 0 15 35; do
    http_get "http://127.0.0.1:$port/api/v1/query?query=wal_gen_value&time=$(python3 -c "print(($NOW_MS - $t * 1000) / 1000)")" \
      >"$dir.q$t.json" || fail "query at now-${t}s failed"
  done
  http_get "http://127.0.0.1:$port/api/v1/query?query=count(wal_gen_bulk)%20and%20sum(wal_gen_bulk)%20%3D%3D%2044850&time=$(python3 -c "print($NOW_MS / 1000)")" \
    >"$dir.bulk.json" || fail "bulk query failed"
  python3 - "$dir" <<'EOF'
import json, math, sys
d = sys.argv[1]
def vals(t):
    r = json.load(open("%s.q%d.json" % (d, t)))["data"]["result"]
    return {s["metric"]["kind"]: s["value"][1] for s in r}
now = vals(0)
want = {"normal": 42.5, "nan": math.nan, "inf": math.inf, "neg_inf": -math.inf,
        "large": 1.7976931348623157e308, "tiny": 5e-324, "negative": -0.000123, "deleted": 2.0}
errors = []
for k, v in want.items():
    if k not in now:
        errors.append("now: %s missing" % k)
        continue
    got = float(now[k])
    if not (got == v or (math.isnan(v) and math.isnan(got))):
        errors.append("now: %s = %r, want %r" % (k, now[k], v))
if "stale" in now:
    errors.append("now: the stale series is still there (%s): the stale marker was not replayed" % now["stale"])
extra = set(now) - set(want)
if extra - {"stale"}:
    errors.append("now: unexpected series %s" % sorted(extra))
before_stale = vals(15)
if before_stale.get("stale") != "7":
    errors.append("now-15s: stale = %r, want 7" % before_stale.get("stale"))
if before_stale.get("normal") != "1":
    errors.append("now-15s: normal = %r, want 1" % before_stale.get("normal"))
deleted = vals(35)
if "deleted" in deleted:
    errors.append("now-35s: deleted = %r: the tombstone was not applied" % deleted["deleted"])
bulk = json.load(open(d + ".bulk.json"))["data"]["result"]
if len(bulk) != 1 or bulk[0]["value"][1] != "300":
    errors.append("bulk: %r, want count 300 with sum 44850" % bulk)
if errors:
    sys.exit("\n".join(errors))
EOF
}

for compression in snappy none; do
  DATA=$TMP/gen-$compression
  NOW_MS=$(python3 -c 'import time; print(int(time.time() * 1000))')
  segs=$("$GEN" "$DATA" "$NOW_MS" "$compression") || fail "wal_gen $compression"
  [ "$segs" -ge 2 ] || fail "wal_gen wrote $segs segment(s), want several"
  "$INSPECT" -q wal "$DATA" >"$DATA.inspect" 2>&1 || fail "tsdb-inspect wal on our own WAL: $(cat "$DATA.inspect")"
  PORT=$(free_port)
  start_prometheus "$DATA" "$PORT" "$DATA.log"
  check_replay "$DATA" "$PORT" || fail "Prometheus did not replay our $compression WAL as written"
  grep -q 'WAL replay completed' "$DATA.log" || fail "no 'WAL replay completed' in Prometheus's log"
  grep -qi 'corrupt\|repair' "$DATA.log" && fail "Prometheus found our $compression WAL corrupt: $(grep -i 'corrupt\|repair' "$DATA.log" | head -3)"
  pass "Prometheus replays our $compression WAL: NaN, +/-Inf, extreme doubles, stale marker, tombstone, 300 bulk series"
  kill_hard "$SERVER_PID"
  # Prometheus appended its own segment(s) after ours: the whole still reads clean.
  "$INSPECT" -q wal "$DATA" >"$DATA.inspect" 2>&1 || fail "tsdb-inspect wal after Prometheus wrote to our WAL: $(cat "$DATA.inspect")"
  pass "our $compression WAL plus Prometheus's own segment reads clean"
done

note "$CHECKS checks passed in $((SECONDS))s"
