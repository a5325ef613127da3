#!/usr/bin/env bash
# Bulk import beside the peers, on the same samples, in the same run:
#   tsdb-scrape --db (OpenMetrics file, and Prometheus text from stdin)
#   promtool tsdb create-blocks-from openmetrics
#   VictoriaMetrics /api/v1/import/prometheus (127.0.0.1), then /internal/force_flush
# Prints a markdown table: wall time, peak RSS of the importing process, and
# bytes per sample on disk.
#   tests/bench/compare_import.sh BUILD_DIR [SERIES SAMPLES_PER_SERIES]
set -euo pipefail
for cmd in promtool victoria-metrics curl bc; do
  command -v "$cmd" >/dev/null || { echo "needs $cmd (apt-get install prometheus victoria-metrics curl bc)" >&2; exit 1; }
done
build=$(cd "$1" && pwd)
series=${2:-1000}
per_series=${3:-1440}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
vm_pid=""
cleanup() {
  [ -z "$vm_pid" ] || { kill "$vm_pid" 2>/dev/null; wait "$vm_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

args=(--series "$series" --samples-per-series "$per_series" --metrics 20 --seed 1 --start-ms 1795111200000)
python3 "$gen" "${args[@]}" -o "$work/in.om" >/dev/null 2>&1
python3 "$gen" "${args[@]}" --format prometheus -o "$work/in.prom" >/dev/null 2>&1
samples=$((series * per_series))

timed() {  # timed OUT CMD... -> "seconds peak_kib" of one run
  local out=$1
  shift
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>&1
  cat "$out"
}
dir_bytes() { du -sb "$1" | cut -f1; }

read -r ours_s ours_kb < <(timed "$work/t1" "$build/tsdb-scrape" -q --db "$work/ours" "$work/in.om")
read -r oursp_s oursp_kb < <(timed "$work/t2" sh -c "'$build/tsdb-scrape' -q --db '$work/oursp' - < '$work/in.prom'")
read -r prom_s prom_kb < <(timed "$work/t3" promtool tsdb create-blocks-from openmetrics "$work/in.om" "$work/promtool")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
victoria-metrics -httpListenAddr="127.0.0.1:$port" -storageDataPath="$work/vm" -retentionPeriod=100y \
  >"$work/vm.log" 2>&1 &
vm_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
t0=$(date +%s.%N)
curl -sf -T "$work/in.prom" -H 'Content-Type: text/plain' "http://127.0.0.1:$port/api/v1/import/prometheus"
curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null
t1=$(date +%s.%N)
vm_s=$(echo "$t1 - $t0" | bc -l)
vm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$vm_pid/status")
span_s=$((per_series * 15 + 60))
vm_count=$(curl -sf "http://127.0.0.1:$port/api/v1/query" --data-urlencode "query=sum(count_over_time({__name__!=\"\"}[${span_s}s]))" \
  --data-urlencode "time=$((1795111200 + span_s))" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')

bps() { printf '%.2f' "$(echo "$1 / $samples" | bc -l)"; }
echo "Input: gen_openmetrics.py ${args[*]} ($samples samples; OpenMetrics $(du -m "$work/in.om" | cut -f1) MB, Prometheus text $(du -m "$work/in.prom" | cut -f1) MB)"
echo
echo "| importer | time | samples/s | peak RSS | bytes/sample on disk |"
echo "|---|---|---|---|---|"
printf '| tsdb-scrape --db, OpenMetrics file | %s s | %.1f M | %d MB | %s |\n' "$ours_s" "$(echo "$samples / $ours_s / 1000000" | bc -l)" $((ours_kb / 1024)) "$(bps "$(dir_bytes "$work/ours")")"
printf '| tsdb-scrape --db, Prometheus text on stdin | %s s | %.1f M | %d MB | %s |\n' "$oursp_s" "$(echo "$samples / $oursp_s / 1000000" | bc -l)" $((oursp_kb / 1024)) "$(bps "$(dir_bytes "$work/oursp")")"
printf '| promtool tsdb create-blocks-from openmetrics | %s s | %.1f M | %d MB | %s |\n' "$prom_s" "$(echo "$samples / $prom_s / 1000000" | bc -l)" $((prom_kb / 1024)) "$(bps "$(dir_bytes "$work/promtool")")"
printf '| VictoriaMetrics /api/v1/import/prometheus + force_flush (%s samples queryable) | %.2f s | %.1f M | %d MB (server) | %s |\n' "$vm_count" "$vm_s" "$(echo "$samples / $vm_s / 1000000" | bc -l)" $((vm_kb / 1024)) "$(bps "$(dir_bytes "$work/vm")")"
echo
printf 'ratios: tsdb vs promtool %.1fx faster, %.1fx less memory; tsdb vs VictoriaMetrics %.1fx faster\n' \
  "$(echo "$prom_s / $ours_s" | bc -l)" "$(echo "$prom_kb / $ours_kb" | bc -l)" "$(echo "$vm_s / $oursp_s" | bc -l)"
