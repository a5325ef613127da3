#!/usr/bin/env bash
# ctest-cost: 62 (seconds on 2 cores, 2026-11-23)
# Interop: tsdb-compact's output against Debian's promtool and prometheus 2.42.
#
#   bash compact_prometheus_test.sh BUILD_DIR SOURCE_DIR
#
#  1. input: 100 series over 8h (gen_openmetrics.py) imported twice into one
#     directory, by tsdb-scrape --db and by promtool create-blocks-from: two
#     sets of four 2h blocks overlapping sample for sample, so that the pass
#     does vertical compaction (duplicates dropped) and then leveled
#     compaction;
#  2. `promtool tsdb dump` of the inputs and of the output give the same
#     samples (normalised by dump_norm.py, compared sorted);
#  3. `promtool tsdb analyze` accepts every output block;
#  4. a real `prometheus` on a copy of the directory before, and on the
#     compacted one after, answers the same queries with the same results:
#     every raw sample (a range selector over the whole time), a
#     sum(rate()) range query and the series API;
#  5. tombstones: `tsdb-compact delete` writes them; `promtool tsdb dump`
#     leaves out exactly the deleted samples, before and after the
#     compaction that applies them.
# promtool or prometheus missing is a failure, not a skip.
set -u -o pipefail

BUILD_DIR=$(cd "${1:?usage: $0 BUILD_DIR SOURCE_DIR}" && pwd)
SOURCE_DIR=$(cd "${2:?usage: $0 BUILD_DIR SOURCE_DIR}" && pwd)
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init compact_prometheus

need_cmd promtool
need_cmd prometheus
need_cmd python3
need_cmd curl
COMPACT=$BUILD_DIR/tsdb-compact
SCRAPE=$BUILD_DIR/tsdb-scrape
need_exe "$COMPACT"
need_exe "$SCRAPE"
GEN=${TSDB_SHARED_DIR:-$SOURCE_DIR/../shared}/bench/gen_openmetrics.py
[ -f "$GEN" ] || GEN=/work/shared/bench/gen_openmetrics.py
[ -f "$GEN" ] || fail "gen_openmetrics.py not found"
cd "$TMP" || fail "cd $TMP"
cp "$SOURCE_DIR/tests/interop/dump_norm.py" norm.py

S=1795111200000  # a 2h boundary
python3 "$GEN" --series 100 --samples-per-series 1920 --metrics 8 --seed 3 --start-ms $S -o in.om || fail "generating"
"$SCRAPE" -q --db data in.om || fail "tsdb-scrape --db"
promtool tsdb create-blocks-from openmetrics in.om data >promtool_import.log 2>&1 || fail "promtool import: $(tail -3 promtool_import.log)"
n_in=$(ls data | wc -l)
[ "$n_in" -eq 8 ] || fail "expected 8 input blocks, found $n_in"
mkdir -p data/wal  # promtool 2.42's dump opens the head too

dump() {  # dump DIR OUT: promtool's dump, normalised
  promtool tsdb dump "$1" >"$2.raw" 2>"$2.err" || fail "promtool tsdb dump $1: $(tail -3 "$2.err")"
  python3 norm.py <"$2.raw" >"$2" || fail "normalising $2"
}
dump data before.norm
want=$((100 * 1920))
[ "$(wc -l <before.norm)" -eq "$want" ] || fail "promtool dumps $(wc -l <before.norm) samples of the inputs, want $want"
cp -r data serve_before

# ------------------------------------------------------------- 1-3. compaction
"$COMPACT" -o json data >report.json 2>compact.log || fail "tsdb-compact exited $?: $(tail -3 compact.log)"
python3 - report.json <<'PY' || fail "unexpected compaction report: $(cat report.json)"
import json, sys
r = json.load(open(sys.argv[1]))
reasons = [c["reason"] for c in r["compacted"]]
assert reasons.count("overlap") == 4, reasons
assert "leveled" in reasons, reasons
assert sum(c["duplicate_samples"] for c in r["compacted"] if c["reason"] == "overlap") == 0  # whole chunks dropped
assert all(c["conflicts"] == 0 for c in r["compacted"]), r
assert not r["failed"], r
PY
pass "vertical then leveled compaction: $(python3 -c 'import json; print(len(json.load(open("report.json"))["compacted"]))') groups, $(ls data | grep -vc -e wal -e compact.lock) blocks left of $n_in"
dump data after.norm
if ! cmp -s before.norm after.norm; then
  diff before.norm after.norm | head -10 >&2
  fail "promtool tsdb dump differs before and after compaction"
fi
pass "promtool tsdb dump: the same $(wc -l <after.norm) samples before and after compaction"
for b in data/*/; do
  b=${b%/}
  [ -f "$b/meta.json" ] || continue
  promtool tsdb analyze data "$(basename "$b")" >analyze.txt 2>&1 || fail "promtool tsdb analyze $(basename "$b"): $(tail -3 analyze.txt)"
  grep -q "^Block ID: $(basename "$b")" analyze.txt || fail "promtool tsdb analyze did not analyze $(basename "$b")"
done
pass "promtool tsdb analyze accepts every output block"
cp -r data serve_after

# ------------------------------------------------------------- 4. prometheus
echo 'global: {scrape_interval: 1h}' >empty.yml
END_S=$(((S + 1920 * 15000) / 1000))
START_S=$((S / 1000))
queries() {  # queries DIR PREFIX: start prometheus on DIR, save answers
  local port pid
  port=$(free_port)
  start_server "$2.log" prometheus --config.file=empty.yml --storage.tsdb.path="$1" \
    --web.listen-address="127.0.0.1:$port" --storage.tsdb.retention.time=100y
  pid=$SERVER_PID
  wait_http "http://127.0.0.1:$port/-/ready" 60 "$pid"
  local api="http://127.0.0.1:$port/api/v1"
  curl -sf --max-time 60 "$api/query" --data-urlencode "query={job=~\".+\"}[$((END_S - START_S + 60))s]" \
    --data-urlencode "time=$END_S" >"$2.raw.json" || fail "$2: raw query failed: $(tail -3 "$2.log")"
  curl -sf --max-time 60 "$api/query_range" --data-urlencode 'query=sum by (job) (rate({__name__=~".+_total"}[5m]))' \
    --data-urlencode "start=$START_S" --data-urlencode "end=$END_S" --data-urlencode step=60 >"$2.rate.json" ||
    fail "$2: rate query failed"
  curl -sf --max-time 60 "$api/series" --data-urlencode 'match[]={job=~".+"}' --data-urlencode "start=$START_S" \
    --data-urlencode "end=$END_S" >"$2.series.json" || fail "$2: series query failed"
  stop_server "$pid"
}
canon() {  # canon FILE: the result sorted, for comparison
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["data"]
if isinstance(d, dict):
    d = d["result"]
items = []
for x in d:
    if "metric" in x:
        items.append(json.dumps([sorted(x["metric"].items()), x.get("values", x.get("value"))]))
    else:
        items.append(json.dumps(sorted(x.items())))
print("\n".join(sorted(items)))' "$1"
}
queries serve_before q_before
queries serve_after q_after
for q in raw rate series; do
  canon "q_before.$q.json" >"b.$q"
  canon "q_after.$q.json" >"a.$q"
  [ -s "b.$q" ] || fail "prometheus answered nothing to the $q query"
  cmp -s "b.$q" "a.$q" || fail "prometheus answers the $q query differently after compaction"
done
points=$(python3 -c 'import json; print(sum(len(r["values"]) for r in json.load(open("q_after.raw.json"))["data"]["result"]))')
[ "$points" -eq "$want" ] || fail "prometheus serves $points raw samples after compaction, want $want"
pass "prometheus answers the same before and after compaction ($points raw samples, rate and series queries)"

# ------------------------------------------------------------- 5. tombstones
DEL_FROM=$((S + 3600000))
DEL_TO=$((S + 3 * 3600000))
"$COMPACT" delete -q --match '{__name__=~"http_requests_total|node_cpu_seconds_total"}' \
  --min-time $((DEL_FROM / 1000)) --max-time $((DEL_TO / 1000)) data || fail "tsdb-compact delete exited $?"
python3 - before.norm expected.norm "$DEL_FROM" "$DEL_TO" <<'PY'
import sys
src, dst, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(dst, "w") as out:
    for line in open(src):
        labels, bits, ts = line.rsplit(" ", 2)
        name = next((v for k, v in eval(labels) if k == "__name__"), "") if labels.startswith("[") else None
        if name is None:
            name = labels.split("__name__=")[1].split(",")[0].strip('"}') if "__name__=" in labels else ""
        if name in ("http_requests_total", "node_cpu_seconds_total") and lo <= int(ts) <= hi:
            continue
        out.write(line)
PY
deleted=$(($(wc -l <before.norm) - $(wc -l <expected.norm)))
[ "$deleted" -gt 0 ] || fail "the deletion test selects no sample (normalised label format changed?)"
grep -q numTombstones data/*/meta.json || fail "no block got tombstones"
dump data tomb.norm
cmp -s expected.norm tomb.norm || fail "promtool tsdb dump shows other samples than expected after our tombstones"
pass "promtool tsdb dump leaves out the $deleted samples our tombstones delete"
"$COMPACT" -q --max-block-duration 6h data || fail "tsdb-compact after delete exited $?"
! grep -q numTombstones data/*/meta.json || fail "the tombstone rule did not rewrite the deleted-from block"
dump data tomb2.norm
cmp -s expected.norm tomb2.norm || fail "promtool tsdb dump differs after the tombstones were applied"
pass "and after the compaction that applies them"
note "done in $SECONDS s"
