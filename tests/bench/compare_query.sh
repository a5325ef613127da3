#!/usr/bin/env bash
# PromQL query latency beside the peers, on the same data, in one run:
#   ours, in process: promql::Engine over an open DbStore (tsdb_bench's
#     BM_PromQL cases, tests/bench/promql_bench.cpp), median real time;
#   ours, whole process: `tsdb-query --db DIR -o json ...` (open, evaluate,
#     print the API's JSON to /dev/null), best and median wall time, and its
#     peak RSS;
#   Prometheus 2.42 serving a copy of the same data directory, and
#   VictoriaMetrics (Debian's victoria-metrics) holding the same samples
#   imported from the Prometheus-text twin: HTTP round trip medians with
#   ../shared/bench/qbench.py (VictoriaMetrics with nocache=1), both warmed
#   first; Prometheus's peak RSS (VmHWM) at the end.
# Everything listens on 127.0.0.1; the servers are stopped by PID and the
# work folder is removed on exit.
#
#   tests/bench/compare_query.sh BUILD_DIR [--ds2]
#
# BUILD_DIR holds tsdb-query, tsdb-scrape and tests/tsdb_bench (a Release
# build with TSDB_BENCH=ON). Without the environment below, the standard
# dataset ds1 (and ds2 with --ds2) is generated with the README's arguments
# and imported with `tsdb-scrape --db`. To save that time, point at existing
# files:
#   DS1_DB    a data directory of ds1 (tsdb-scrape --db DIR ds1.om)
#   DS1_OM    ds1 as OpenMetrics (only read when DS1_DB is unset)
#   DS1_PROM  ds1 as Prometheus text (--format prometheus), for VictoriaMetrics
#   DS2_DB, DS2_OM, DS2_PROM  the same for ds2
#   REPEATS     HTTP calls and tsdb-query runs per query (default 7)
#   BENCH_REPS  Google Benchmark repetitions per case (default 5)
# Example:
#   DS1_DB=/work/bench-data/ds1 DS1_PROM=/work/bench-data/ds1.prom tests/bench/compare_query.sh build-bench
set -euo pipefail
for cmd in prometheus victoria-metrics curl python3 bc; do
  command -v "$cmd" >/dev/null || { echo "needs $cmd (scripts/deps)" >&2; exit 1; }
done
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [--ds2]" >&2; exit 2; }
build=$(cd "$1" && pwd)
with_ds2=${DS2:-}
[ "${2:-}" != "--ds2" ] || with_ds2=1
for f in tsdb-query tsdb-scrape tests/tsdb_bench; do
  [ -x "$build/$f" ] || { echo "$build/$f missing: ninja -C $1 tsdb-query tsdb-scrape tsdb_bench" >&2; exit 1; }
done
repeats=${REPEATS:-7}
bench_reps=${BENCH_REPS:-5}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
qbench="$here/../../../shared/bench/qbench.py"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

S=1795111200000
ds1_args=(--series 1000 --samples-per-series 7200 --metrics 20 --seed 1 --start-ms $S)
ds2_args=(--series 100000 --samples-per-series 120 --metrics 200 --seed 2 --start-ms $S)
ds1_end=1795219185  # the last sample of ds1 (the README's end time)
ds2_end=1795112985  # the last sample of ds2 (120 x 15 s)

# Queries: bench case|dataset|end|range hours (0: instant)|expression.
queries=(
  "ds1_instant_count_http|ds1|$ds1_end|0|count(http_requests_total)"
  "ds1_instant_count_all|ds1|$ds1_end|0|count({__name__=~\".+\"})"
  "ds1_6h_sum_rate_http|ds1|$ds1_end|6|sum by (job) (rate(http_requests_total[5m]))"
  "ds1_6h_rate_cpu|ds1|$ds1_end|6|rate(node_cpu_seconds_total[5m])"
  "ds1_6h_sum_by_name_job|ds1|$ds1_end|6|sum by (__name__, job) ({__name__=~\".+\"})"
  "ds1_30h_avg_temp|ds1|$ds1_end|30|avg_over_time(node_temperature_celsius[1h])"
  "ds1_30h_sum_rate_http|ds1|$ds1_end|30|sum by (job) (rate(http_requests_total[5m]))"
  "ds2_instant_count_all|ds2|$ds2_end|0|count({__name__=~\".+\"})"
)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
log() { echo "== $*" >&2; }

# wait_http URL SECONDS: until URL answers 200, or fail.
wait_http() {
  local i
  for i in $(seq $(($2 * 10))); do
    curl -sf --max-time 2 "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "no answer from $1 after $2 s" >&2
  return 1
}

# Makes $work/<ds>.om / .prom / db as needed; sets db_<ds> and prom_<ds>.
prepare() {
  local ds=$1 upper args
  upper=$(echo "$ds" | tr a-z A-Z)
  if [ "$ds" = ds1 ]; then args=("${ds1_args[@]}"); else args=("${ds2_args[@]}"); fi
  local db_var="${upper}_DB" om_var="${upper}_OM" prom_var="${upper}_PROM"
  local db=${!db_var:-} om=${!om_var:-} prom=${!prom_var:-}
  if [ -z "$db" ]; then
    if [ -z "$om" ]; then
      log "generating $ds.om: gen_openmetrics.py ${args[*]}"
      om="$work/$ds.om"
      python3 "$gen" "${args[@]}" -o "$om" >/dev/null
    fi
    log "importing $om: tsdb-scrape --db"
    db="$work/$ds"
    "$build/tsdb-scrape" -q --db "$db" "$om"
  fi
  if [ -z "$prom" ]; then
    log "generating $ds.prom: gen_openmetrics.py ${args[*]} --format prometheus"
    prom="$work/$ds.prom"
    python3 "$gen" "${args[@]}" --format prometheus -o "$prom" >/dev/null
  fi
  [ -d "$db" ] || { echo "$db: not a directory" >&2; exit 1; }
  [ -f "$prom" ] || { echo "$prom: not a file" >&2; exit 1; }
  printf -v "db_$ds" '%s' "$db"
  printf -v "prom_$ds" '%s' "$prom"
}

# start_peers DS: Prometheus on a copy of the data directory, VictoriaMetrics
# with the Prometheus text imported; sets prom_url, vm_url, prom_pid, vm_pid.
start_peers() {
  local ds=$1 db prom port
  db=$(eval echo "\$db_$ds")
  prom=$(eval echo "\$prom_$ds")
  # Prometheus: a copy (it writes a WAL and a lock, and would compact); the
  # block duration flags keep the blocks as they are, so both read the same
  # 2h blocks, and no scrape jobs.
  cp -r "$db" "$work/prom-$ds"
  rm -f "$work/prom-$ds/lock"
  printf 'global:\n  scrape_interval: 15s\n' >"$work/prom-$ds.yml"
  port=$(free_port)
  prometheus --config.file="$work/prom-$ds.yml" --storage.tsdb.path="$work/prom-$ds" \
    --storage.tsdb.retention.time=10y --storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=2h \
    --web.listen-address="127.0.0.1:$port" >"$work/prom-$ds.log" 2>&1 &
  prom_pid=$!
  pids+=("$prom_pid")
  prom_url="http://127.0.0.1:$port"
  wait_http "$prom_url/-/ready" 120
  # VictoriaMetrics: its own storage, the Prometheus-text twin imported.
  port=$(free_port)
  victoria-metrics -httpListenAddr="127.0.0.1:$port" -storageDataPath="$work/vm-$ds" -retentionPeriod=100y \
    >"$work/vm-$ds.log" 2>&1 &
  vm_pid=$!
  pids+=("$vm_pid")
  wait_http "http://127.0.0.1:$port/health" 60
  log "importing $prom into VictoriaMetrics"
  curl -sf --max-time 1800 -T "$prom" -H 'Content-Type: text/plain' "http://127.0.0.1:$port/api/v1/import/prometheus"
  curl -sf --max-time 600 "http://127.0.0.1:$port/internal/force_flush" >/dev/null
  vm_url="http://127.0.0.1:$port?nocache=1"
}

stop_peers() {
  local p
  for p in "$prom_pid" "$vm_pid"; do
    kill "$p" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  pids=()
  rm -rf "$work/prom-$1" "$work/vm-$1"
}

# spec CASE-LINE: qbench.py's spec for it.
spec() {
  local end=$3 hours=$4 expr=$5
  if [ "$hours" = 0 ]; then
    echo "instant|$end|$expr"
  else
    echo "range|$((end - hours * 3600))|$end|60|$expr"
  fi
}

# http_median URL SPEC: median seconds of REPEATS calls; "series=N points=M"
# of the answer on the second line.
http_median() {
  local line
  line=$(timeout 600 python3 "$qbench" "$1" "$repeats" "$2")
  case "$line" in *median=*) ;; *) echo "qbench: $line" >&2; echo "nan"; echo "error"; return ;; esac
  echo "$line" | sed -E 's/.*median=([0-9.]+)s.*/\1/'
  echo "$line" | sed -E 's/.*\| *//' | cut -c1-60
}

# whole_process DB END HOURS EXPR: "best median peak_kib cpu_median" of
# REPEATS runs of tsdb-query (wall seconds; CPU seconds, user + system).
whole_process() {
  local db=$1 end=$2 hours=$3 expr=$4 cmd
  if [ "$hours" = 0 ]; then
    cmd=("$build/tsdb-query" --db "$db" -o json --time "$end" "$expr")
  else
    cmd=("$build/tsdb-query" --db "$db" -o json range --start "$((end - hours * 3600))" --end "$end" --step 60 "$expr")
  fi
  timeout 600 python3 - "$repeats" "${cmd[@]}" <<'EOF'
import os, statistics, subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
walls, cpus, peak = [], [], 0
for _ in range(n):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    walls.append(time.perf_counter() - t0)
    if status != 0:
        sys.exit("tsdb-query failed: %s" % p.stderr.read().decode()[:300])
    peak = max(peak, ru.ru_maxrss)
    cpus.append(ru.ru_utime + ru.ru_stime)
print("%.6f %.6f %d %.6f" % (min(walls), statistics.median(walls), peak, statistics.median(cpus)))
EOF
}

# in_process DS: runs the BM_PromQL cases of DS; writes "case median_ms series
# cpu_median_ms" lines (real time; CPU time too, as the machine may be shared).
in_process() {
  local ds=$1 db upper
  db=$(eval echo "\$db_$ds")
  upper=$(echo "$ds" | tr a-z A-Z)
  env "TSDB_BENCH_$upper=$db" "$build/tests/tsdb_bench" --benchmark_filter="BM_PromQL/${ds}_" \
    --benchmark_repetitions="$bench_reps" --benchmark_report_aggregates_only=true \
    --benchmark_format=json >"$work/bench-$ds.json" 2>"$work/bench-$ds.err" ||
    { cat "$work/bench-$ds.err" >&2; exit 1; }
  python3 - "$work/bench-$ds.json" <<'EOF'
import json, sys
scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("error_occurred"):
        sys.exit("%s: %s" % (b["name"], b.get("error_message")))
    # the median of the repetitions, or the one run when there is one
    if b.get("aggregate_name") == "median" or (b.get("run_type") == "iteration" and b.get("repetitions", 1) <= 1):
        case = b["run_name"].split("/")[1]
        u = scale[b["time_unit"]]
        print(case, b["real_time"] * u, int(b.get("series", 0)), b["cpu_time"] * u)
EOF
}

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.1fx' % (a/b) if a==a and b>0 else '-')" "$1" "$2"; }
ms() { python3 -c "import sys; print('%.1f ms' % (float(sys.argv[1])*1000) if float(sys.argv[1])<10 else '%.2f s' % float(sys.argv[1]))" "$1"; }

datasets=(ds1)
[ -z "$with_ds2" ] || datasets+=(ds2)
rows=()
mem_lines=()
for ds in "${datasets[@]}"; do
  prepare "$ds"
  start_peers "$ds"
  db=$(eval echo "\$db_$ds")
  # Warm both servers (and the page cache) with every query of the dataset.
  log "warming the peers"
  for q in "${queries[@]}"; do
    IFS='|' read -r case qds end hours expr <<<"$q"
    [ "$qds" = "$ds" ] || continue
    s=$(spec "$case" "$qds" "$end" "$hours" "$expr")
    timeout 600 python3 "$qbench" "$prom_url" 2 "$s" >/dev/null
    timeout 600 python3 "$qbench" "$vm_url" 2 "$s" >/dev/null
  done
  log "ours, in process (tsdb_bench, $bench_reps repetitions)"
  in_process "$ds" >"$work/inproc-$ds.txt"
  for q in "${queries[@]}"; do
    IFS='|' read -r case qds end hours expr <<<"$q"
    [ "$qds" = "$ds" ] || continue
    log "$case: $expr"
    s=$(spec "$case" "$qds" "$end" "$hours" "$expr")
    read -r _ ours_ms ours_series ours_cpu_ms < <(grep "^$case " "$work/inproc-$ds.txt")
    read -r wp_best wp_median wp_kib wp_cpu < <(whole_process "$db" "$end" "$hours" "$expr")
    { read -r prom_s; read -r prom_summary; } < <(http_median "$prom_url" "$s")
    { read -r vm_s; read -r vm_summary; } < <(http_median "$vm_url" "$s")
    ours_s=$(echo "$ours_ms / 1000" | bc -l)
    if [ "$hours" = 0 ]; then what="instant"; else what="${hours}h"; fi
    rows+=("| $ds | $what \`$expr\` | $(ms "$ours_s") (CPU $(ms "$(echo "$ours_cpu_ms / 1000" | bc -l)")) | $(ms "$wp_best") / $(ms "$wp_median") (CPU $(ms "$wp_cpu")) | $(ms "$prom_s") | $(ms "$vm_s") | **$(ratio "$vm_s" "$ours_s")** | $(ratio "$prom_s" "$ours_s") | $(ratio "$prom_s" "$wp_median") | $((wp_kib / 1024)) MB |")
    echo "   ours: $ours_series series; Prometheus: $prom_summary; VictoriaMetrics: $vm_summary" >&2
  done
  prom_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$prom_pid/status")
  prom_rss=$(awk '/VmRSS/ {print $2}' "/proc/$prom_pid/status")
  vm_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$vm_pid/status")
  mem_lines+=("$ds: Prometheus peak RSS (VmHWM, start to last query) $((prom_hwm / 1024)) MB (VmRSS now $((prom_rss / 1024)) MB); VictoriaMetrics $((vm_hwm / 1024)) MB")
  stop_peers "$ds"
done

echo
echo "Datasets: ds1 = gen_openmetrics.py ${ds1_args[*]}${with_ds2:+; ds2 = gen_openmetrics.py ${ds2_args[*]}}"
echo "Medians: in process of $bench_reps Google Benchmark repetitions (real time, CPU time in brackets); HTTP and tsdb-query of $repeats runs (tsdb-query: wall, median CPU in brackets) (VictoriaMetrics with nocache=1); range queries at 60 s steps up to the end time."
echo
echo "| data | query | ours, in process | ours, tsdb-query --db (best / median) | Prometheus HTTP | VictoriaMetrics HTTP | VM / ours in process | Prometheus / ours in process | Prometheus / tsdb-query | tsdb-query peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
printf '%s\n' "${mem_lines[@]}"
