// Downsampling: the aggregates of every window against values computed here,
// independently, from the raw samples (counter resets included); the
// reference's worked example; Thanos's chunk layout; whole blocks.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <limits>
#include <map>
#include <random>

#include "block/reader.h"
#include "block/tombstones.h"
#include "block_test_util.h"
#include "chunkenc/xor.h"
#include "compact/aggr_chunk.h"
#include "compact/aggr_select.h"
#include "compact/downsample.h"

namespace tsdb::compact {
namespace {

using testing::MakeBlock;
using testing::TempDir;
constexpr int64_t H = 3600 * 1000;
constexpr int64_t M5 = 5 * 60 * 1000;

struct Window {
  double count = 0, sum = 0, min = 0, max = 0, counter = 0;
};

// The truth, from raw samples: per window (t / r), count/sum/min/max, and
// the counter with resets removed (every drop counts the whole new value)
// as of the window's last sample.
std::map<int64_t, Window> Expected(const std::vector<RawSample>& raw, int64_t r) {
  std::map<int64_t, Window> w;
  double cum = 0, last = 0;
  bool first = true;
  for (const RawSample& s : raw) {
    if (first) {
      cum = s.v;
      first = false;
    } else {
      cum += s.v >= last ? s.v - last : s.v;
    }
    last = s.v;
    Window& x = w[s.t / r];
    if (x.count == 0) x.min = x.max = s.v;
    x.count++;
    x.sum += s.v;
    x.min = std::min(x.min, s.v);
    x.max = std::max(x.max, s.v);
    x.counter = cum;
  }
  return w;
}

std::vector<std::pair<int64_t, double>> Samples(const AggrEntry& e) {
  std::vector<std::pair<int64_t, double>> out;
  chunkenc::XORIterator it(e.data);
  while (it.Next()) out.push_back({it.t(), it.v()});
  EXPECT_TRUE(it.status().ok());
  return out;
}

// What the chunks say, per window: count/sum/min/max from their
// sub-chunks, the counter through CounterIterator (as Thanos's querier).
// A window that a chunk boundary splits (possible from 1h on: Thanos batches
// 5m chunks along chunk boundaries) has a part in each chunk: the parts are
// combined.
std::map<int64_t, Window> Decoded(const std::vector<std::string>& chunks, int64_t r) {
  std::map<int64_t, Window> w;
  std::map<int64_t, std::array<bool, 4>> seen;
  CounterIterator counter;
  for (const std::string& c : chunks) {
    auto e = DecodeAggrChunk(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(c.data()), c.size()));
    EXPECT_TRUE(e.ok()) << e.status().message();
    for (int i = 0; i < 4; ++i) {
      EXPECT_TRUE((*e)[i].present);
      EXPECT_EQ((*e)[i].encoding, 1);
      for (auto [t, v] : Samples((*e)[i])) {
        Window& x = w[t / r];
        bool& again = seen[t / r][i];
        if (i == 0) x.count += v;
        if (i == 1) x.sum += v;
        if (i == 2) x.min = again ? std::min(x.min, v) : v;
        if (i == 3) x.max = again ? std::max(x.max, v) : v;
        again = true;
      }
    }
    for (auto [t, v] : Samples((*e)[4])) {
      if (counter.Add(t, v)) w[counter.t() / r].counter = counter.v();
    }
  }
  return w;
}

void ExpectSame(const std::map<int64_t, Window>& want, const std::map<int64_t, Window>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (auto a = want.begin(), b = got.begin(); a != want.end(); ++a, ++b) {
    ASSERT_EQ(a->first, b->first);
    EXPECT_EQ(a->second.count, b->second.count) << "window " << a->first;
    EXPECT_EQ(a->second.sum, b->second.sum) << "window " << a->first;
    EXPECT_EQ(a->second.min, b->second.min) << "window " << a->first;
    EXPECT_EQ(a->second.max, b->second.max) << "window " << a->first;
    EXPECT_EQ(a->second.counter, b->second.counter) << "window " << a->first;
  }
}

// A counter with irregular increments, gaps and resets; integer values so
// sums are exact whatever the order of addition.
std::vector<RawSample> CounterSeries(int64_t start, int64_t end, int64_t step, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<RawSample> out;
  double v = 100;
  for (int64_t t = start; t < end; t += step) {
    if (rng() % 50 == 0) t += step * (1 + rng() % 40);  // a gap
    if (t >= end) break;
    if (rng() % 200 == 0) {
      v = rng() % 10;  // a counter reset
    } else {
      v += rng() % 7;
    }
    out.push_back({t, v});
  }
  return out;
}

std::vector<std::string> Datas(const std::vector<AggrChunkData>& chunks) {
  std::vector<std::string> out;
  for (const auto& c : chunks) out.push_back(c.data);
  return out;
}

TEST(Downsample, WorkedExampleOfTheReference) {
  std::vector<RawSample> raw = {{0, 10}, {60000, 20}, {120000, 5}, {180000, 15}, {300000, 25}, {360000, 30}};
  auto chunks = DownsampleRaw(raw, M5);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].min_time, 299999);
  EXPECT_EQ(chunks[0].max_time, 360000);
  auto span = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(chunks[0].data.data()), chunks[0].data.size());
  auto e = DecodeAggrChunk(span);
  ASSERT_TRUE(e.ok());
  using P = std::vector<std::pair<int64_t, double>>;
  EXPECT_EQ(Samples((*e)[0]), (P{{299999, 4}, {360000, 2}}));
  EXPECT_EQ(Samples((*e)[1]), (P{{299999, 50}, {360000, 55}}));
  EXPECT_EQ(Samples((*e)[2]), (P{{299999, 5}, {360000, 25}}));
  EXPECT_EQ(Samples((*e)[3]), (P{{299999, 20}, {360000, 30}}));
  EXPECT_EQ(Samples((*e)[4]), (P{{0, 10}, {299999, 35}, {360000, 50}, {360000, 30}}));
  EXPECT_EQ(AggrNumSamples(span), 2);
}

TEST(Downsample, AggrChunkLayoutIsThanos) {
  chunkenc::XORChunk a;
  a.Append(1, 1);
  std::string data = EncodeAggrChunk({a.bytes(), {}, a.bytes(), {}, {}});
  // count: uvarint(len) 0x01 data; sum: 0x00; min: len 0x01 data; max: 0x00; counter: 0x00.
  std::string want;
  want.push_back(static_cast<char>(a.bytes().size()));
  want.push_back(1);
  want.append(reinterpret_cast<const char*>(a.bytes().data()), a.bytes().size());
  want.push_back(0);
  want.push_back(static_cast<char>(a.bytes().size()));
  want.push_back(1);
  want.append(reinterpret_cast<const char*>(a.bytes().data()), a.bytes().size());
  want += std::string("\0\0", 2);
  EXPECT_EQ(data, want);
  auto e = DecodeAggrChunk(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_TRUE((*e)[0].present);
  EXPECT_FALSE((*e)[1].present);
  EXPECT_TRUE((*e)[2].present);
  // Truncated or overlong entries are Corruption, never a read past the end.
  for (size_t n = 0; n < 4; ++n) {
    auto bad = DecodeAggrChunk(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), n));
    EXPECT_FALSE(bad.ok()) << n;
  }
  std::string overlong = "\x7f\x01";
  EXPECT_FALSE(DecodeAggrChunk(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(overlong.data()), 2)).ok());
}

TEST(Downsample, WindowEndsStopAtTheLargestTimestamp) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(CurrentWindow(0, 300000), 299999);
  EXPECT_EQ(CurrentWindow(300000, 300000), 599999);
  EXPECT_EQ(CurrentWindow(-1, 300000), 299999);  // Go's truncating %, as Thanos
  // Where t - t%r + r - 1 would overflow (Go wraps around), the window ends at the largest timestamp.
  EXPECT_EQ(CurrentWindow(9223372036854000000, 3600000), kMax);
  EXPECT_EQ(CurrentWindow(kMax, 300000), kMax);
}

TEST(Downsample, TargetChunkCountAsThanos) {
  EXPECT_EQ(TargetChunkCount(0, 48 * H, 60000, M5, 11520), 5);  // 577 windows, <= 140 each
  EXPECT_EQ(TargetChunkCount(0, 48 * H, 60000, M5, 576), 1);     // 20% full: 115 + 1 windows
  EXPECT_EQ(TargetChunkCount(5, 5, 60000, M5, 1), 1);            // a single sample
  EXPECT_EQ(TargetChunkCount(0, 10 * 24 * H, M5, H, 2880), 2);   // 240 hours
}

TEST(Downsample, RawAggregatesMatchValuesComputedFromTheSamples) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    std::vector<RawSample> raw = CounterSeries(1234, 50 * H, 15000, seed);
    auto chunks = DownsampleRaw(raw, M5);
    EXPECT_GT(chunks.size(), 3u);
    for (size_t i = 1; i < chunks.size(); ++i) EXPECT_LT(chunks[i - 1].max_time, chunks[i].min_time);
    ExpectSame(Expected(raw, M5), Decoded(Datas(chunks), M5));
  }
}

TEST(Downsample, StaleMarkersAndNaNsAreLeftOut) {
  std::vector<RawSample> raw = {{0, 1}, {1000, std::nan("")}, {2000, 3}};
  auto chunks = DownsampleRaw(raw, M5);
  ASSERT_EQ(chunks.size(), 1u);
  auto w = Decoded(Datas(chunks), M5);
  EXPECT_EQ(w[0].count, 2);
  EXPECT_EQ(w[0].sum, 4);
}

TEST(Downsample, FiveMinuteToHourMatchesTheRawSamples) {
  for (uint32_t seed : {4u, 5u}) {
    std::vector<RawSample> raw = CounterSeries(0, 11 * 24 * H, 30000, seed);
    auto five = DownsampleRaw(raw, M5);
    std::vector<std::span<const uint8_t>> spans;
    for (const auto& c : five) {
      spans.push_back(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(c.data.data()), c.data.size()));
    }
    auto hour = DownsampleAggr(spans, five.front().min_time, five.back().max_time, M5, H);
    ASSERT_TRUE(hour.ok()) << hour.status().message();
    EXPECT_GT(hour->size(), 1u);
    ExpectSame(Expected(raw, H), Decoded(Datas(*hour), H));
  }
}

TEST(Downsample, BlocksKeepLineageAndGainTheResolution) {
  TempDir dir;
  testing::SeriesSamples series;
  std::map<Labels, std::vector<RawSample>> raw;
  for (int i = 0; i < 4; ++i) {
    Labels l = Labels::FromStrings({"__name__", "requests_total", "i", std::to_string(i)});
    std::vector<RawSample> s = CounterSeries(0, 48 * H, 15000, 10 + i);
    raw[l] = s;
    for (const auto& x : s) series[l].push_back({x.t, x.v});
  }
  std::string d = MakeBlock(dir.path(), 0, 48 * H, series);
  // Delete the first day of series 0: the aggregates must leave it out.
  auto r0 = block::BlockReader::Open(d);
  auto p = (*r0)->index().AllPostings();
  ASSERT_TRUE((*p)->Next());
  block::Tombstones t;
  t.Add((*p)->At(), {0, 24 * H - 1});
  ASSERT_TRUE(block::WriteTombstones(d, t).ok());
  auto in = block::BlockReader::Open(d);
  ASSERT_TRUE(in.ok());
  std::vector<RawSample>& first = raw.begin()->second;
  first.erase(first.begin(), std::find_if(first.begin(), first.end(), [](const RawSample& s) { return s.t >= 24 * H; }));

  std::string out_dir = dir.path() + "/ds";
  std::filesystem::create_directories(out_dir);
  DownsampleOptions o;
  o.dest_dir = out_dir;
  o.resolution = kRes5m;
  auto res = DownsampleBlock(**in, o);
  ASSERT_TRUE(res.ok()) << res.status().message();
  ASSERT_TRUE(res->written);
  auto out = block::BlockReader::Open(res->dir);
  ASSERT_TRUE(out.ok()) << out.status().message();
  const block::BlockMeta& m = (*out)->meta();
  EXPECT_NE(m.ulid, (*in)->meta().ulid);
  EXPECT_EQ(m.DownsampleResolution(), kRes5m);
  EXPECT_EQ(m.thanos["source"], "compactor");
  EXPECT_EQ(m.min_time, 0);
  EXPECT_EQ(m.max_time, 48 * H);
  EXPECT_EQ(m.compaction.sources, (*in)->meta().compaction.sources);
  EXPECT_EQ(m.compaction.level, (*in)->meta().compaction.level);
  EXPECT_EQ(m.stats.num_series, 4u);
  EXPECT_EQ(m.stats.num_tombstones, 0u);

  // Every series' aggregates against its raw samples; numSamples counts windows.
  uint64_t windows = 0;
  auto op = (*out)->index().AllPostings();
  Labels labels;
  std::vector<index::ChunkMeta> metas;
  while ((*op)->Next()) {
    ASSERT_TRUE((*out)->index().Series((*op)->At(), &labels, &metas).ok());
    std::vector<std::string> datas;
    for (const auto& cm : metas) {
      auto c = (*out)->chunks().Chunk(cm.ref, true);
      ASSERT_TRUE(c.ok());
      EXPECT_EQ(c->encoding, kEncAggr);
      datas.emplace_back(reinterpret_cast<const char*>(c->data.data()), c->data.size());
      windows += AggrNumSamples(c->data);
    }
    ExpectSame(Expected(raw[labels], M5), Decoded(datas, M5));
  }
  EXPECT_EQ(m.stats.num_samples, windows);

  // SelectAggregate (what tsdb-inspect dump --aggregate reads) gives each
  // aggregate per window, and the counter with resets removed.
  for (Aggr which : {Aggr::kCount, Aggr::kSum, Aggr::kMin, Aggr::kMax, Aggr::kCounter}) {
    auto set = SelectAggregate({out->get()}, {}, INT64_MIN, INT64_MAX, which);
    ASSERT_TRUE(set.ok());
    size_t n = 0;
    while ((*set)->Next()) {
      ++n;
      auto want = Expected(raw[(*set)->labels()], M5);
      std::map<int64_t, double> got;  // the last value per window
      for (const block::Sample& x : (*set)->samples()) got[x.t / M5] = x.v;
      ASSERT_EQ(got.size(), want.size()) << AggrName(which);
      for (const auto& [w, v] : got) {
        const Window& e = want[w];
        double expect = which == Aggr::kCount ? e.count : which == Aggr::kSum ? e.sum : which == Aggr::kMin ? e.min
                        : which == Aggr::kMax ? e.max : e.counter;
        EXPECT_EQ(v, expect) << AggrName(which) << " window " << w;
      }
    }
    EXPECT_TRUE((*set)->status().ok()) << (*set)->status().message();
    EXPECT_EQ(n, 4u);
  }

  // 5m -> 1h from the block just written; 1h -> anything finer is refused.
  o.resolution = kRes1h;
  auto hour = DownsampleBlock(**out, o);
  ASSERT_TRUE(hour.ok()) << hour.status().message();
  auto hb = block::BlockReader::Open(hour->dir);
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ((*hb)->meta().DownsampleResolution(), kRes1h);
  op = (*hb)->index().AllPostings();
  while ((*op)->Next()) {
    ASSERT_TRUE((*hb)->index().Series((*op)->At(), &labels, &metas).ok());
    std::vector<std::string> datas;
    for (const auto& cm : metas) {
      auto c = (*hb)->chunks().Chunk(cm.ref, true);
      datas.emplace_back(reinterpret_cast<const char*>(c->data.data()), c->data.size());
    }
    ExpectSame(Expected(raw[labels], H), Decoded(datas, H));
  }
  o.resolution = kRes5m;
  EXPECT_FALSE(DownsampleBlock(**hb, o).ok());
}

}  // namespace
}  // namespace tsdb::compact
