#!/usr/bin/env bash
# Instructions per decoded sample of the XOR batch-decode benchmark cases,
# counted by callgrind: deterministic where wall-clock figures on a shared
# VM move by ±20%. Counts the decoder only (XORIterator's Reset and
# NextBatch and all they call; each is a toggle of its own, as callgrind
# flips collection on entry to any matching function), not the set-up or
# the consumer.
#   tests/bench/decode_instructions.sh TSDB_BENCH_BINARY
set -euo pipefail
bench=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '| case | instructions/sample |\n|---|---|\n'
for c in $("$bench" --benchmark_list_tests=true | grep -E '^BM_ChunkXORDecodeBatch/'); do
  valgrind --tool=callgrind --callgrind-out-file="$out/cg" --toggle-collect='tsdb::chunkenc::XORIterator::NextBatch*' --toggle-collect='tsdb::chunkenc::XORIterator::Reset*' \
    "$bench" --benchmark_filter="^${c}\$" --benchmark_min_time=0.01 >"$out/stdout" 2>/dev/null
  iterations=$(awk -v c="$c" '$1 == c {print $6}' "$out/stdout")
  ir=$(callgrind_annotate "$out/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  # 1,000 chunks of 120 samples per iteration.
  printf '| %s | %.1f |\n' "$c" "$(echo "$ir / ($iterations * 120000)" | bc -l)"
done
