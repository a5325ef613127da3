#!/usr/bin/env bash
# Chunk decoding on a standard dataset: ds1 of ../shared/bench/README.md
# (1,000 series x 7,200 samples at 15 s, 20 metrics of the generator's eight
# kinds) imported by promtool into 2 h blocks, then every XOR chunk decoded by
# BM_ChunkXORDecodeDataDir on one core. Needs a build with -DTSDB_BENCH=ON.
#   tests/bench/decode_dataset.sh BUILD_DIR [SERIES SAMPLES_PER_SERIES]
set -euo pipefail
build=$(cd "$1" && pwd)
series=${2:-1000}
per_series=${3:-7200}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

args=(--series "$series" --samples-per-series "$per_series" --metrics 20 --seed 1 --start-ms 1795111200000)
python3 "$gen" "${args[@]}" -o "$work/in.om" >/dev/null 2>&1
promtool tsdb create-blocks-from openmetrics "$work/in.om" "$work/data" >/dev/null
rm -f "$work/in.om"
echo "Input: gen_openmetrics.py ${args[*]}, imported by promtool tsdb create-blocks-from openmetrics"
TSDB_BENCH_DATA_DIR="$work/data" taskset -c 0 "$build/tests/tsdb_bench" \
  --benchmark_filter='BM_ChunkXORDecodeDataDir' --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
