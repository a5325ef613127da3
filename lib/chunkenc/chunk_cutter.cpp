#include "chunkenc/chunk_cutter.h"

#include <cmath>
#include <limits>

namespace tsdb::chunkenc {

namespace {
// int64 arithmetic that wraps as Go's does instead of being undefined.
int64_t WrapSub(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b)); }
int64_t WrapAdd(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }

// Go's int64(f) for f that may be out of range (amd64 gives MinInt64 then).
int64_t ToInt64(double f) {
  if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(f);
}
}  // namespace

ChunkCutter::ChunkCutter(Options opt) : opt_(opt) {
  if (opt_.chunk_range_ms <= 0) opt_.chunk_range_ms = kDefaultChunkRangeMs;
  if (opt_.samples_per_chunk <= 0) opt_.samples_per_chunk = kDefaultSamplesPerChunk;
}

void ChunkCutter::Reset() {
  has_chunk_ = false;
  num_samples_ = 0;
}

int64_t ChunkCutter::RangeEnd(int64_t t, int64_t range_ms) {
  // Go's integer division truncates toward zero, as C++'s does.
  return WrapAdd((t / range_ms) * range_ms, range_ms);
}

int64_t ChunkCutter::ComputeChunkEndTime(int64_t start, int64_t cur, int64_t max_t, double ratio_to_full) {
  const double n = static_cast<double>(WrapSub(max_t, start)) /
                   (static_cast<double>(WrapAdd(WrapSub(cur, start), 1)) * ratio_to_full);
  if (n <= 1) return max_t;
  return ToInt64(static_cast<double>(start) + static_cast<double>(WrapSub(max_t, start)) / std::floor(n));
}

void ChunkCutter::Start(int64_t t) {
  has_chunk_ = true;
  num_samples_ = 0;
  min_time_ = t;
  max_time_ = std::numeric_limits<int64_t>::min();  // as a new memChunk's maxTime
  next_at_ = RangeEnd(t, opt_.chunk_range_ms);
}

bool ChunkCutter::Append(int64_t t, size_t chunk_bytes) {
  bool cut = false;
  if (!has_chunk_) {
    Start(t);
    cut = true;
  } else if (opt_.max_chunk_bytes != 0 && chunk_bytes > opt_.max_chunk_bytes) {
    Start(t);
    cut = true;
  }
  if (num_samples_ == opt_.samples_per_chunk / 4) {
    next_at_ = ComputeChunkEndTime(min_time_, max_time_, next_at_, 4);
  }
  if (t >= next_at_ || num_samples_ >= 2 * opt_.samples_per_chunk) {
    Start(t);
    cut = true;
  }
  ++num_samples_;
  max_time_ = t;
  return cut;
}

}  // namespace tsdb::chunkenc
