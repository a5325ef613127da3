#!/usr/bin/env bash
# tsdb-inspect dump / analyze beside promtool tsdb dump / analyze, on the same
# blocks (written by promtool), in the same run. Prints a markdown table.
#   tests/bench/compare_inspect.sh BUILD_DIR [SERIES SAMPLES_PER_SERIES]
set -euo pipefail
build=$(cd "$1" && pwd)
series=${2:-1000}
per_series=${3:-1440}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

args=(--series "$series" --samples-per-series "$per_series" --metrics 20 --seed 1 --start-ms 1795111200000)
python3 "$gen" "${args[@]}" -o "$work/in.om" >/dev/null 2>&1
promtool tsdb create-blocks-from openmetrics "$work/in.om" "$work/data" >/dev/null
mkdir -p "$work/data/wal"  # promtool 2.42's dump opens the head too
samples=$((series * per_series))
newest=$(ls "$work/data" | grep -E '^[0-9A-Z]{26}$' | tail -1)

ours_dump=$(best_of 3 "$build/tsdb-inspect" dump "$work/data")
theirs_dump=$(best_of 3 promtool tsdb dump "$work/data")
ours_an=$(best_of 3 "$build/tsdb-inspect" analyze "$work/data" "$newest")
theirs_an=$(best_of 3 promtool tsdb analyze "$work/data" "$newest")

echo "Input: gen_openmetrics.py ${args[*]} ($samples samples), imported by promtool tsdb create-blocks-from openmetrics"
echo
echo "| what | tsdb-inspect | promtool | ratio |"
echo "|---|---|---|---|"
printf '| dump every sample of every block | %s s (%.1f M samples/s) | %s s | %.1fx faster |\n' \
  "$ours_dump" "$(echo "$samples / $ours_dump / 1000000" | bc -l)" "$theirs_dump" "$(echo "$theirs_dump / $ours_dump" | bc -l)"
printf '| analyze the newest block | %s s | %s s | %.1fx faster |\n' \
  "$ours_an" "$theirs_an" "$(echo "$theirs_an / $ours_an" | bc -l)"
