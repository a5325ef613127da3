#!/usr/bin/env bash
# Whole-command comparisons against Prometheus's own tools, on the same input
# in the same run. Prints a markdown table for BENCHMARKS.md.
#   tests/bench/compare.sh BUILD_DIR [SERIES SAMPLES_PER_SERIES]
# Input: ../shared/bench/gen_openmetrics.py --format prometheus (defaults:
# 2,000 series x 500 samples, 20 metrics, seed 1, the standard --start-ms).
set -euo pipefail
build=$(cd "$1" && pwd)
series=${2:-2000}
per_series=${3:-500}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

args=(--series "$series" --samples-per-series "$per_series" --metrics 20 --seed 1 --start-ms 1795111200000)
python3 "$gen" "${args[@]}" --format prometheus -o "$work/in.prom"
bytes=$(stat -c %s "$work/in.prom")
mb=$(echo "$bytes / 1000000" | bc -l)

ours=$(best_of 3 "$build/tsdb-hashmod-shard" --series -m 1 -k 0 --input-format prom "$work/in.prom")
theirs=$(best_of 3 sh -c "promtool check metrics < '$work/in.prom'")

python3 -c "
import random
random.seed(3)
with open('$work/targets.txt', 'w') as f:
    for i in range(1000000):
        f.write(f'10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}:{9100 + random.randrange(50)}\n')
"
hashmod=$(best_of 3 "$build/tsdb-hashmod-shard" -m 16 "$work/targets.txt")

echo "Input: gen_openmetrics.py ${args[*]} --format prometheus ($(printf '%.1f' "$mb") MB)"
echo
echo "| what | tsdb | peer | ratio |"
echo "|---|---|---|---|"
printf '| read and check Prometheus text: `tsdb-hashmod-shard --series -m 1 -k 0` vs `promtool check metrics` | %s s (%.0f MB/s) | %s s (%.1f MB/s) | %.1fx faster |\n' \
  "$ours" "$(echo "$mb / $ours" | bc -l)" "$theirs" "$(echo "$mb / $theirs" | bc -l)" "$(echo "$theirs / $ours" | bc -l)"
printf '| `tsdb-hashmod-shard -m 16` over 1,000,000 targets | %s s | | target < 1 s |\n' "$hashmod"
