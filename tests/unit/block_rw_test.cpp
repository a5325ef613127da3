// tsdb-test-links: textparse
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "block/querier.h"
#include "block/reader.h"
#include "block/writer.h"
#include "block_test_util.h"
#include "model/selector.h"
#include "textparse/parser.h"

namespace tsdb::block {
namespace {

namespace stdfs = std::filesystem;
using SeriesMap = testing::SeriesSamples;
using testing::ReadFile;
using testing::TempDir;

// One block of `series` in `parent`, chunks cut on `chunk_range` boundaries.
std::string WriteBlock(const std::string& parent, const SeriesMap& series, int64_t mint, int64_t maxt,
                       int64_t chunk_range = 2 * 3600 * 1000) {
  return testing::MakeBlock(parent, mint, maxt, series, chunk_range);
}

SeriesMap ReadAll(const std::vector<const BlockReader*>& blocks, const std::string& selector, int64_t mint,
                  int64_t maxt) {
  std::vector<Matcher> matchers;
  if (!selector.empty()) matchers = *ParseSelector(selector);
  auto set = Select(blocks, matchers, mint, maxt);
  EXPECT_TRUE(set.ok());
  SeriesMap out;
  while ((*set)->Next()) out[(*set)->labels()] = (*set)->samples();
  EXPECT_TRUE((*set)->status().ok()) << (*set)->status().message();
  return out;
}

bool SameSamples(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || std::bit_cast<uint64_t>(a[i].v) != std::bit_cast<uint64_t>(b[i].v)) return false;
  }
  return true;
}

TEST(BlockWriter, WritesWhatTheReaderReadsBack) {
  TempDir d;
  SeriesMap in;
  const int64_t start = 1700006400000;  // 2h aligned
  for (int s = 0; s < 20; ++s) {
    Labels l = Labels::FromStrings({"__name__", s % 2 ? "up" : "http_requests_total", "instance", "host-" + std::to_string(s),
                                    "job", s % 3 ? "node" : "api"});
    std::vector<Sample> samples;
    for (int i = 0; i < 480; ++i) samples.push_back({start + i * 15000, s * 1000.0 + i * 0.5});
    if (s == 3) samples.back().v = std::nan("");
    if (s == 4) samples.back().v = -INFINITY;
    in[l] = samples;
  }
  in[Labels::FromStrings({"__name__", "one_sample", "path", "ünï \"q\"\n"})] = {{start + 5, 42}};
  std::string dir = WriteBlock(d.path(), in, start, start + 7200000);
  EXPECT_FALSE(stdfs::exists(dir + ".tmp-for-creation"));
  auto b = BlockReader::Open(dir);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ((*b)->meta().stats.num_series, 21u);
  EXPECT_EQ((*b)->meta().stats.num_samples, 20u * 480 + 1);
  EXPECT_EQ((*b)->meta().stats.num_chunks, 20u * 4 + 1);  // 480 samples over 2h: 4 chunks of 120
  auto out = ReadAll({b->get()}, "", INT64_MIN, INT64_MAX);
  ASSERT_EQ(out.size(), in.size());
  for (const auto& [labels, samples] : in) EXPECT_TRUE(SameSamples(out[labels], samples)) << labels.ToString();

  auto api = ReadAll({b->get()}, "{job=\"api\", __name__=~\"http.*\"}", start + 15000, start + 30000);
  ASSERT_EQ(api.size(), 4u);  // s = 0, 6, 12, 18
  for (const auto& [labels, samples] : api) {
    ASSERT_EQ(samples.size(), 2u) << "closed range [mint, maxt]";
    EXPECT_EQ(samples[0].t, start + 15000);
  }
}

TEST(BlockWriter, RejectsMisuseAndLeavesNoBlock) {
  TempDir d;
  BlockWriterOptions o;
  o.parent_dir = d.path();
  o.min_time = 0;
  o.max_time = 1000;
  {
    auto w = BlockWriter::Create(o);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->AddSymbol("__name__").ok());
    ASSERT_TRUE((*w)->AddSymbol("x").ok());
    std::vector<Sample> outside = {{1000, 1}};
    EXPECT_EQ((*w)->AddSeries(Labels::FromStrings({"__name__", "x"}), outside).code(), Status::Code::kInvalidArgument);
    std::vector<Sample> unordered = {{5, 1}, {5, 2}};
    EXPECT_FALSE((*w)->AddSeries(Labels::FromStrings({"__name__", "x"}), unordered).ok());
    EXPECT_TRUE(stdfs::exists((*w)->tmp_dir()));
  }
  // Destroyed without Finish: nothing left behind.
  EXPECT_TRUE(stdfs::is_empty(d.path()));
  o.max_time = 0;
  EXPECT_FALSE(BlockWriter::Create(o).ok());
}

TEST(Querier, MergesOverlappingBlocksAndAppliesTombstones) {
  TempDir d;
  Labels l = Labels::FromStrings({"__name__", "m"});
  SeriesMap a{{l, {{10, 1}, {20, 2}, {30, 3}}}};
  SeriesMap b{{l, {{20, 200}, {25, 2.5}, {40, 4}}}, {Labels::FromStrings({"__name__", "n"}), {{5, 5}}}};
  std::string da = WriteBlock(d.path(), a, 0, 100);
  std::string db = WriteBlock(d.path(), b, 0, 100);
  auto ra = BlockReader::Open(da);
  auto rb = BlockReader::Open(db);
  ASSERT_TRUE(ra.ok() && rb.ok());
  auto out = ReadAll({ra->get(), rb->get()}, "", 0, 99);
  ASSERT_EQ(out.size(), 2u);
  std::vector<Sample> want = {{10, 1}, {20, 2}, {25, 2.5}, {30, 3}, {40, 4}};  // t=20: the first block's sample
  EXPECT_TRUE(SameSamples(out[l], want));

  auto refs = (*ra)->index().Postings("__name__", "m");
  ASSERT_TRUE(refs.ok());
  ASSERT_TRUE((*refs)->Next());
  Tombstones t;
  t.Add((*refs)->At(), {15, 30});
  ASSERT_TRUE(WriteTombstones(da, t).ok());
  auto ra2 = BlockReader::Open(da);
  ASSERT_TRUE(ra2.ok());
  auto after = ReadAll({ra2->get()}, "m", 0, 99);
  std::vector<Sample> kept = {{10, 1}};
  EXPECT_TRUE(SameSamples(after[l], kept));
}

TEST(ListBlockDirs, FindsBlocksAndLeftovers) {
  TempDir d;
  std::string blk = WriteBlock(d.path(), {{Labels::FromStrings({"__name__", "m"}), {{1, 1}}}}, 0, 10);
  stdfs::create_directory(d.path() + "/01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation");
  stdfs::create_directory(d.path() + "/wal");
  std::vector<std::string> leftovers;
  auto dirs = ListBlockDirs(d.path(), &leftovers);
  ASSERT_TRUE(dirs.ok());
  EXPECT_EQ(*dirs, std::vector<std::string>{blk});
  ASSERT_EQ(leftovers.size(), 1u);
  EXPECT_EQ(ListBlockDirs(d.path() + "/nope").status().code(), Status::Code::kNotFound);
}

// The fixture in tests/data/promtool_block was written by promtool 2.42
// (tests/data/make_promtool_chunks.sh). Rebuilding it from the same input with
// our writer must give the same bytes: same chunk cutting, same XOR encoding,
// same segment layout, same index.
TEST(BlockWriter, RebuildsPromtoolsBlockByteForByte) {
  const std::string fixture = std::string(TSDB_SOURCE_DIR) + "/tests/data/promtool_block";
  auto meta = ReadMeta(fixture);
  ASSERT_TRUE(meta.ok()) << meta.status().message();
  auto reader = textparse::LineReader::Open(fixture + "/input.om.txt");
  ASSERT_TRUE(reader.ok());
  textparse::Parser parser(reader->get(), textparse::Format::kOpenMetrics);
  textparse::Entry e;
  SeriesMap in;
  while (parser.Next(&e)) {
    if (e.kind != textparse::EntryKind::kSample) continue;
    LabelsBuilder b;
    b.Set("__name__", e.metric_name);
    for (const auto& l : e.labels) b.Set(l.name, l.value);
    in[b.Build()].push_back({*e.timestamp_ms, e.value});
  }
  ASSERT_TRUE(parser.status().ok()) << parser.status().message();
  TempDir d;
  // promtool's importer cuts chunks on twice its 2h block duration.
  std::string dir = WriteBlock(d.path(), in, meta->min_time, meta->max_time, 4 * 3600 * 1000);
  auto ours = ReadMeta(dir);
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(ours->stats.num_samples, meta->stats.num_samples);
  EXPECT_EQ(ours->stats.num_series, meta->stats.num_series);
  EXPECT_EQ(ours->stats.num_chunks, meta->stats.num_chunks);
  EXPECT_TRUE(ReadFile(dir + "/chunks/000001") == ReadFile(fixture + "/chunks/000001")) << "chunk segment differs";
  EXPECT_TRUE(ReadFile(dir + "/index") == ReadFile(fixture + "/index")) << "index differs";
}

}  // namespace
}  // namespace tsdb::block
