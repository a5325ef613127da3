// ChunkCutter against hand-computed cases of Prometheus's head rule
// (head_append.go appendPreprocessor / computeChunkEndTime).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "chunkenc/chunk_cutter.h"

namespace tsdb::chunkenc {
namespace {

constexpr int64_t kH = 3600 * 1000;

// Sizes of the chunks the cutter makes of n samples t0, t0+step, ...
std::vector<int> ChunkSizes(ChunkCutter cutter, int64_t t0, int64_t step, int n) {
  std::vector<int> sizes;
  for (int i = 0; i < n; ++i) {
    if (cutter.Append(t0 + i * step)) sizes.push_back(0);
    ++sizes.back();
  }
  return sizes;
}

TEST(ChunkCutter, RangeEndIsGoRangeForTimestamp) {
  EXPECT_EQ(ChunkCutter::RangeEnd(0, 2 * kH), 2 * kH);
  EXPECT_EQ(ChunkCutter::RangeEnd(2 * kH - 1, 2 * kH), 2 * kH);
  EXPECT_EQ(ChunkCutter::RangeEnd(2 * kH, 2 * kH), 4 * kH);
  // Go truncates toward zero: a chunk starting just before 0 may run to +2h.
  EXPECT_EQ(ChunkCutter::RangeEnd(-1, 2 * kH), 2 * kH);
  EXPECT_EQ(ChunkCutter::RangeEnd(-2 * kH - 5, 2 * kH), 0);
}

TEST(ChunkCutter, ComputeChunkEndTimeHandComputed) {
  // 15 s scrapes from 0: 30 samples span 435 s. n = 7200000 / (435001 * 4)
  // = 4.14 -> 4 chunks: the first ends at 30 min.
  EXPECT_EQ(ChunkCutter::ComputeChunkEndTime(0, 435000, 2 * kH, 4), 1800000);
  // 60 s: n = 7200000 / (1740001 * 4) = 1.03 -> 1: to the range end.
  EXPECT_EQ(ChunkCutter::ComputeChunkEndTime(0, 1740000, 2 * kH, 4), 2 * kH);
  // n <= 1: the range end.
  EXPECT_EQ(ChunkCutter::ComputeChunkEndTime(0, 2 * kH, 2 * kH, 4), 2 * kH);
  // 1 s: n = 7200000 / (29001 * 4) = 62.07 -> 62: 7200000 / 62 = 116129.03.
  EXPECT_EQ(ChunkCutter::ComputeChunkEndTime(0, 29000, 2 * kH, 4), 116129);
  // From 117000: n = 7083000 / 116004 = 61.06 -> 61: 117000 + 116114.75.
  EXPECT_EQ(ChunkCutter::ComputeChunkEndTime(117000, 146000, 2 * kH, 4), 233114);
}

TEST(ChunkCutter, FifteenSecondScrapesMakeFourChunksOf120) {
  EXPECT_EQ(ChunkSizes(ChunkCutter(), 0, 15000, 480), (std::vector<int>{120, 120, 120, 120}));
  // And the next range starts a new chunk exactly at 2h.
  EXPECT_EQ(ChunkSizes(ChunkCutter(), 0, 15000, 481), (std::vector<int>{120, 120, 120, 120, 1}));
}

TEST(ChunkCutter, SixtySecondScrapesFillOneChunkPerRange) {
  EXPECT_EQ(ChunkSizes(ChunkCutter(), 0, 60000, 250), (std::vector<int>{120, 120, 10}));
}

TEST(ChunkCutter, StartInTheMiddleOfARange) {
  // From 1h: n = 3600000 / (435001 * 4) = 2.07 -> 2 chunks of 30 min.
  EXPECT_EQ(ChunkSizes(ChunkCutter(), kH, 15000, 240), (std::vector<int>{120, 120}));
  // From 1h59m: the chunk ends at the 2h boundary after 4 samples.
  EXPECT_EQ(ChunkSizes(ChunkCutter(), 2 * kH - 60000, 15000, 10), (std::vector<int>{4, 6}));
}

TEST(ChunkCutter, OneSecondScrapesHandComputed) {
  // End at 116129 -> samples 0..116 (117); then 117000..233000 (117).
  auto sizes = ChunkSizes(ChunkCutter(), 0, 1000, 240);
  ASSERT_GE(sizes.size(), 3u);
  EXPECT_EQ(sizes[0], 117);
  EXPECT_EQ(sizes[1], 117);
}

TEST(ChunkCutter, TwiceTheTargetCutsWhenTheRateJumps) {
  ChunkCutter c;
  int cuts = 0;
  int64_t t = 0;
  for (int i = 0; i < 31; ++i, t += 60000) cuts += c.Append(t);  // slow: end at 2h
  EXPECT_EQ(c.next_at(), 2 * kH);
  EXPECT_EQ(cuts, 1);
  for (int i = 31; i < 240; ++i, ++t) EXPECT_FALSE(c.Append(t)) << i;  // fast
  EXPECT_EQ(c.num_samples(), 240);
  EXPECT_TRUE(c.Append(t));  // the 241st sample
  EXPECT_EQ(c.num_samples(), 1);
  EXPECT_EQ(c.chunk_min_time(), t);
}

TEST(ChunkCutter, SamplesPerChunkOption) {
  ChunkCutter::Options o;
  o.samples_per_chunk = 240;
  // 15 s: at 60 samples: n = 7200000 / (885001 * 4) = 2.03 -> 2 chunks of 1h.
  EXPECT_EQ(ChunkSizes(ChunkCutter(o), 0, 15000, 480), (std::vector<int>{240, 240}));
}

TEST(ChunkCutter, ByteLimitCutsABigChunkBeforeTheNextSample) {
  ChunkCutter::Options o;
  o.max_chunk_bytes = ChunkCutter::kPrometheus3MaxXORChunkBytes;
  ChunkCutter c(o);
  EXPECT_TRUE(c.Append(0, 0));
  EXPECT_FALSE(c.Append(1000, 1005));
  EXPECT_TRUE(c.Append(2000, 1006));
  EXPECT_EQ(c.num_samples(), 1);
  // Off by default (Prometheus 2.x).
  ChunkCutter d;
  d.Append(0);
  EXPECT_FALSE(d.Append(1000, 1 << 20));
}

TEST(ChunkCutter, ResetStartsANewSeries) {
  ChunkCutter c;
  EXPECT_TRUE(c.Append(5));
  EXPECT_FALSE(c.Append(6));
  c.Reset();
  EXPECT_TRUE(c.Append(7));
}

}  // namespace
}  // namespace tsdb::chunkenc
