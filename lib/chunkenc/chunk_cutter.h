// ChunkCutter: where Prometheus's head ends one float chunk and starts the
// next (tsdb/head_append.go appendPreprocessor and computeChunkEndTime, the
// same in 2.42 and 3.x), so that writers here cut chunks where Prometheus
// would.
//
// The rule, per series:
//  - A chunk starting at t may last until the end of the chunk range holding
//    t: RangeEnd(t) = (t / range) * range + range, so a chunk never crosses a
//    range boundary. The head's range is its smallest block range (2h);
//    `promtool tsdb create-blocks-from` uses twice its block duration (4h).
//  - When the chunk holds samples_per_chunk/4 samples (30 of 120), the end is
//    re-estimated from the rate so far so that the rest of the range splits
//    into equal chunks of about samples_per_chunk samples
//    (ComputeChunkEndTime).
//  - A sample at or past the end starts a new chunk, and so does one arriving
//    when the chunk already holds 2 * samples_per_chunk samples.
//  - Optionally (Prometheus 3.x only), a chunk already larger than
//    max_chunk_bytes is cut before the next sample.
//
// Samples must be given in increasing timestamp order: rejecting
// out-of-order samples is the caller's job, as it is Prometheus's appender's.
// Not thread-safe; one ChunkCutter per series being written.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tsdb::chunkenc {

class ChunkCutter {
 public:
  static constexpr int64_t kDefaultChunkRangeMs = 2 * 60 * 60 * 1000;
  static constexpr int kDefaultSamplesPerChunk = 120;
  // Prometheus 3.x cuts an XOR chunk that has grown past 1024 - 19 bytes.
  static constexpr size_t kPrometheus3MaxXORChunkBytes = 1005;

  struct Options {
    int64_t chunk_range_ms = kDefaultChunkRangeMs;
    int samples_per_chunk = kDefaultSamplesPerChunk;  // --storage.tsdb.samples-per-chunk
    size_t max_chunk_bytes = 0;                       // 0: no size rule (Prometheus 2.x)
  };

  ChunkCutter() : ChunkCutter(Options{}) {}
  explicit ChunkCutter(Options opt);

  // Accounts for a sample at t (later than every sample before) and says
  // whether it starts a new chunk: true for the series' first sample and
  // whenever the chunk so far must be closed before t. `chunk_bytes` is the
  // current chunk's size before t is appended (only read with
  // max_chunk_bytes set).
  bool Append(int64_t t, size_t chunk_bytes = 0);

  // Forgets the series: the next Append starts a chunk.
  void Reset();

  int64_t next_at() const { return next_at_; }       // the current chunk ends before this time
  int num_samples() const { return num_samples_; }    // in the current chunk
  int64_t chunk_min_time() const { return min_time_; }

  // The end (exclusive) of the chunk range holding t; Go's rangeForTimestamp.
  static int64_t RangeEnd(int64_t t, int64_t range_ms);
  // Go's computeChunkEndTime(start, cur, maxT, ratioToFull), float64 for float64.
  static int64_t ComputeChunkEndTime(int64_t start, int64_t cur, int64_t max_t, double ratio_to_full);

 private:
  void Start(int64_t t);

  Options opt_;
  bool has_chunk_ = false;
  int num_samples_ = 0;
  int64_t min_time_ = 0;
  int64_t max_time_ = 0;
  int64_t next_at_ = 0;
};

}  // namespace tsdb::chunkenc
