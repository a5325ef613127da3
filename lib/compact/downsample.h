// Downsampling as Thanos's compactor does it (pkg/compact/downsample;
// reference: compaction-and-downsampling.md §5): a raw block becomes a 5m
// block, a 5m block a 1h block, each series' samples replaced by aggregate
// chunks (aggr_chunk.h) holding, per epoch-aligned window of the resolution,
// the count, sum, min and max of the samples and a counter that keeps rising
// across counter resets.
//
// Raw to 5m, per series (DownsampleRaw): stale markers and samples going back
// in time are dropped (a repeated timestamp is kept, negative times are
// dropped, as Thanos's expandXorChunkIterator does); the samples are cut into
// batches of about n / targetChunkCount + 1, each extended to the end of the
// window holding its last sample; NaNs are dropped from each batch; a batch
// becomes one aggregate chunk whose windows are stamped with their last
// millisecond, except the last, stamped with the batch's last sample. The
// counter aggregate also holds the batch's first raw sample and, after the
// last window, the last raw value at the same timestamp.
// 5m to 1h (DownsampleAggr): the series' aggregate chunks are batched along
// chunk boundaries; count becomes the sum of counts, sum the sum of sums,
// min the min of mins, max the max of maxes, each over the coarser windows;
// the counter is rebuilt with resets applied (CounterIterator) and
// aggregated again, keeping first and last raw values.
//
// Where this differs from Thanos, deliberately: the input block's tombstones
// are applied (Thanos reads around them), so the output's numTombstones is 0
// and its numFloatSamples and numHistogramSamples (which no longer describe
// aggregate chunks) are 0 too; native histogram chunks are skipped and
// counted rather than downsampled; when a series has fewer aggregate chunks
// than the target chunk count, batches of one chunk are used where Thanos
// would fail; and the block is written through a .tmp-for-creation folder
// and renamed, not written in place.
//
// The output block has a new ULID, the input's time range, compaction
// section (level, sources, parents) and labels unchanged, and
// thanos.downsample.resolution set (source "compactor"); stats.numSamples
// counts aggregate windows, as Thanos counts them.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "block/meta.h"
#include "block/reader.h"
#include "model/status.h"

namespace tsdb::compact {

// Thanos's thresholds: the shortest block each step downsamples.
inline constexpr int64_t kDownsampleRange5m = 40 * 60 * 60 * 1000LL;       // raw -> 5m: 40h
inline constexpr int64_t kDownsampleRange1h = 10 * 24 * 60 * 60 * 1000LL;  // 5m -> 1h: 10d

struct RawSample {
  int64_t t;
  double v;
};

struct AggrChunkData {
  int64_t min_time = 0;  // the first and last window stamps
  int64_t max_time = 0;
  std::string data;      // the AggrChunk's data (after the 0xFF encoding byte)
};

// The end of the window of width r holding t: t - t%r + r - 1, or the
// largest timestamp for a window that would end past it (where Go's int64
// arithmetic wraps around).
inline int64_t CurrentWindow(int64_t t, int64_t r) {
  const int64_t start = t - (t % r);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  return start > kMax - (r - 1) ? kMax : start + r - 1;
}
// Thanos's targetChunkCount: chunks for a series so that each holds at most
// about 140 windows.
int TargetChunkCount(int64_t mint, int64_t maxt, int64_t in_res, int64_t out_res, int64_t count);

// Aggregates raw samples (time order, already filtered as described above).
std::vector<AggrChunkData> DownsampleRaw(std::span<const RawSample> data, int64_t resolution);
// Aggregates a series' float aggregate chunks (their data, in time order)
// from `in_res` to `out_res`; [mint, maxt] are the first chunk's minTime and
// the last one's maxTime.
Result<std::vector<AggrChunkData>> DownsampleAggr(const std::vector<std::span<const uint8_t>>& chunks, int64_t mint,
                                                  int64_t maxt, int64_t in_res, int64_t out_res);

struct DownsampleOptions {
  std::string dest_dir;
  int64_t resolution = 0;  // kRes5m or kRes1h
  std::function<void(uint64_t)> progress;  // series read so far
  std::function<Status(const std::string&)> on_create;  // as CompactOptions::on_create
};

struct DownsampleResult {
  bool written = false;  // false when no series had a float sample
  block::BlockMeta meta;
  std::string dir;
  uint64_t series = 0;
  uint64_t skipped_histogram_chunks = 0;
};

// Downsamples one block (raw to 5m, or 5m to 1h) into a new block in
// options.dest_dir. The input is only read.
Result<DownsampleResult> DownsampleBlock(const block::BlockReader& in, const DownsampleOptions& options);

}  // namespace tsdb::compact
