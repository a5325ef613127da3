// tsdb-test-links: block textparse
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "block/querier.h"
#include "block/reader.h"
#include "importer/importer.h"
#include "importer/sample_spill.h"
#include "importer/series_table.h"
#include "model/timeutil.h"

namespace tsdb::importer {
namespace {

namespace stdfs = std::filesystem;
using block::Sample;

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kBase = 1795111200000;  // a multiple of 2h

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/tsdb-importer-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { stdfs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string WriteInput(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string ReadFile(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

ImportOptions Options(const std::string& db, std::vector<std::string> inputs) {
  ImportOptions o;
  o.db_dir = db;
  o.inputs = std::move(inputs);
  o.quiet = true;
  return o;
}

struct Block {
  block::BlockMeta meta;
  std::map<Labels, std::vector<Sample>> series;
  std::string dir;
};

// Every block of a data directory, by min time.
std::map<int64_t, Block> ReadBlocks(const std::string& db) {
  std::map<int64_t, Block> out;
  auto dirs = block::ListBlockDirs(db);
  EXPECT_TRUE(dirs.ok()) << dirs.status().message();
  for (const std::string& dir : *dirs) {  // full paths
    auto r = block::BlockReader::Open(dir);
    EXPECT_TRUE(r.ok()) << r.status().message();
    Block b;
    b.meta = (*r)->meta();
    b.dir = dir;
    auto set = block::Select({r->get()}, {}, b.meta.min_time, b.meta.max_time);
    EXPECT_TRUE(set.ok());
    while ((*set)->Next()) b.series[(*set)->labels()] = (*set)->samples();
    EXPECT_TRUE((*set)->status().ok()) << (*set)->status().message();
    EXPECT_EQ(out.count(b.meta.min_time), 0u);
    out[b.meta.min_time] = std::move(b);
  }
  return out;
}

Labels L(std::initializer_list<std::string_view> nv) { return Labels::FromStrings(nv); }

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : stdfs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Import, SortsOutOfOrderSamplesOfASeries) {
  TempDir d;
  std::string in = WriteInput(d.path(), "in.prom",
                              "m{a=\"1\"} 3 1795111230000\n"
                              "m{a=\"1\"} 1 1795111210000\n"
                              "other 9 1795111200000\n"
                              "m{a=\"1\"} 2 1795111220000\n"
                              "m{a=\"1\"} 0 1795111200000\n");
  auto st = Import(Options(d.path() + "/db", {in}));
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(st->series, 2u);
  EXPECT_EQ(st->samples, 5u);
  auto blocks = ReadBlocks(d.path() + "/db");
  ASSERT_EQ(blocks.size(), 1u);
  const Block& b = blocks.begin()->second;
  EXPECT_EQ(b.meta.min_time, kBase);
  EXPECT_EQ(b.meta.max_time, kBase + 2 * kHour);
  auto& s = b.series.at(L({"__name__", "m", "a", "1"}));
  ASSERT_EQ(s.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(s[i].t, kBase + i * 10000);
    EXPECT_EQ(s[i].v, i);
  }
}

TEST(Import, IdenticalDuplicatesBecomeOneSampleAndConflictsKeepTheFirstValue) {
  TempDir d;
  std::string in = WriteInput(d.path(), "in.om",
                              "m 1 1795111200\n"
                              "m 1 1795111200\n"   // identical: dropped quietly
                              "m 5 1795111210\n"
                              "m 6 1795111210\n"   // conflict: first (5) kept
                              "m 7 1795111210\n"   // conflict
                              "m NaN 1795111220\n"
                              "m NaN 1795111220\n"  // identical NaN bits: a duplicate
                              "# EOF\n");
  auto st = Import(Options(d.path(), {in}));
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(st->read, 7u);
  EXPECT_EQ(st->samples, 3u);
  EXPECT_EQ(st->duplicates, 2u);
  EXPECT_EQ(st->conflicts, 2u);
  auto blocks = ReadBlocks(d.path());
  auto& s = blocks.begin()->second.series.at(L({"__name__", "m"}));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[1].v, 5);
  EXPECT_TRUE(std::isnan(s[2].v));
}

TEST(Import, ConflictAcrossSpilledRunsKeepsTheFirstValueRead) {
  TempDir d;
  std::string text;
  for (int i = 0; i < 500; ++i) text += "m " + std::to_string(i) + " " + std::to_string(kBase + i * 1000) + "\n";
  text += "m 12345 " + std::to_string(kBase + 7000) + "\n";  // in a later run than the first value
  std::string in = WriteInput(d.path(), "in.prom", text);
  ImportOptions o = Options(d.path() + "/db", {in});
  o.memory_limit = "1KiB";
  auto st = Import(o);
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_GT(st->runs, 2u);
  EXPECT_EQ(st->conflicts, 1u);
  auto blocks = ReadBlocks(d.path() + "/db");
  auto& s = blocks.begin()->second.series.at(L({"__name__", "m"}));
  ASSERT_EQ(s.size(), 500u);
  EXPECT_EQ(s[7].v, 7);
}

TEST(Import, SeriesSpanningManyBlocksIsCutAtAlignedWindows) {
  TempDir d;
  std::string text;
  // 13 hours every minute starting half way into a window, from 45 min before kBase.
  int64_t start = kBase - 45 * 60 * 1000;
  for (int i = 0; i < 13 * 60; ++i) text += "up{job=\"x\"} " + std::to_string(i) + " " + std::to_string(start + i * 60000) + "\n";
  text += "short 1 " + std::to_string(kBase + 5 * kHour) + "\n";  // a one-sample series
  std::string in = WriteInput(d.path(), "in.prom", text);
  auto st = Import(Options(d.path(), {in}));
  ASSERT_TRUE(st.ok()) << st.status().message();
  auto blocks = ReadBlocks(d.path());
  ASSERT_EQ(blocks.size(), 8u);  // [-2h, 0) ... [12h, 14h)
  EXPECT_EQ(st->blocks, 8u);
  int64_t total = 0, want_t = start;
  for (auto& [mint, b] : blocks) {
    EXPECT_EQ(mint % (2 * kHour), 0);
    EXPECT_EQ(b.meta.max_time, mint + 2 * kHour);
    EXPECT_EQ(b.meta.compaction.level, 1);
    auto& s = b.series.at(L({"__name__", "up", "job", "x"}));
    for (const Sample& x : s) {
      EXPECT_EQ(x.t, want_t);
      EXPECT_GE(x.t, mint);
      EXPECT_LT(x.t, mint + 2 * kHour);
      want_t += 60000;
    }
    total += static_cast<int64_t>(s.size());
    bool has_short = b.series.count(L({"__name__", "short"})) > 0;
    EXPECT_EQ(has_short, mint == kBase + 4 * kHour);
    if (has_short) {
      EXPECT_EQ(b.series.at(L({"__name__", "short"})).size(), 1u);
      EXPECT_EQ(b.meta.stats.num_series, 2u);
    }
  }
  EXPECT_EQ(total, 13 * 60);
}

TEST(Import, BlockDurationFlagChangesTheWindows) {
  TempDir d;
  std::string in = WriteInput(d.path(), "in.prom",
                              "m 1 " + std::to_string(kBase) + "\nm 2 " + std::to_string(kBase + 3 * kHour) + "\n");
  ImportOptions o = Options(d.path(), {in});
  o.block_duration = "1d";
  ASSERT_TRUE(Import(o).ok());
  auto blocks = ReadBlocks(d.path());
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks.begin()->first % (24 * kHour), 0);
  EXPECT_EQ(blocks.begin()->second.meta.max_time - blocks.begin()->first, 24 * kHour);
}

TEST(Import, KeepsTheBitsOfNaNAndInfinities) {
  TempDir d;
  std::string in = WriteInput(d.path(), "in.prom",
                              "a NaN 1795111200000\n"
                              "b +Inf 1795111200000\n"
                              "c -Inf 1795111200000\n"
                              "d -0 1795111200000\n"
                              "e 1e308 1795111200000\n");
  ASSERT_TRUE(Import(Options(d.path(), {in})).ok());
  auto blocks = ReadBlocks(d.path());
  auto& series = blocks.begin()->second.series;
  // Prometheus's value.NormalNaN, as promtool stores a parsed "NaN".
  EXPECT_EQ(std::bit_cast<uint64_t>(series.at(L({"__name__", "a"}))[0].v), 0x7ff8000000000001ULL);
  EXPECT_EQ(series.at(L({"__name__", "b"}))[0].v, INFINITY);
  EXPECT_EQ(series.at(L({"__name__", "c"}))[0].v, -INFINITY);
  EXPECT_EQ(std::bit_cast<uint64_t>(series.at(L({"__name__", "d"}))[0].v), 0x8000000000000000ULL);
  EXPECT_EQ(series.at(L({"__name__", "e"}))[0].v, 1e308);
}

// The stale marker cannot be spelled in text; it passes through the spill
// (memory and disk runs) with its bits.
TEST(SampleSpill, KeepsStaleMarkerBitsInMemoryAndOnDisk) {
  TempDir d;
  const double stale = std::bit_cast<double>(0x7ff0000000000002ULL);
  SampleSpill spill(d.path() + "/spill", 1024, 2 * kHour);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(spill.Add(0, kBase + i, i % 2 ? stale : 1.0).ok());
  ASSERT_TRUE(spill.Seal().ok());
  EXPECT_GT(spill.runs(), 1u);
  EXPECT_GT(spill.spilled_bytes(), 0u);
  std::vector<Sample> out;
  for (const Segment& s : spill.segments()) ASSERT_TRUE(spill.Read(s, &out).ok());
  ASSERT_EQ(out.size(), 100u);
  for (const Sample& x : out) {
    uint64_t bits = std::bit_cast<uint64_t>(x.v);
    EXPECT_EQ(bits, (x.t - kBase) % 2 ? 0x7ff0000000000002ULL : std::bit_cast<uint64_t>(1.0));
  }
}

TEST(SampleSpill, RemovesItsFolderAndWindowStartFloors) {
  TempDir d;
  {
    SampleSpill spill(d.path() + "/spill", 1024, 10);
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(spill.Add(static_cast<uint32_t>(i % 3), i, 0).ok());
    EXPECT_TRUE(stdfs::exists(d.path() + "/spill"));
    EXPECT_TRUE(stdfs::is_empty(d.path() + "/spill"));  // the file is unlinked once open
  }
  EXPECT_FALSE(stdfs::exists(d.path() + "/spill"));
  EXPECT_EQ(WindowStart(-1, 10), -10);
  EXPECT_EQ(WindowStart(-10, 10), -10);
  EXPECT_EQ(WindowStart(19, 10), 10);
  EXPECT_EQ(WindowStart(0, 10), 0);
}

TEST(Import, KeepsUtf8AndEscapedLabelValues) {
  TempDir d;
  std::string in = WriteInput(d.path(), "in.prom",
                              "m{path=\"/ü/日本\",q=\"a\\\"b\\\\c\\nd\"} 1 1795111200000\n"
                              "m{path=\"plain\",empty=\"\"} 2 1795111200000\n");
  ASSERT_TRUE(Import(Options(d.path(), {in})).ok());
  auto blocks = ReadBlocks(d.path());
  auto& series = blocks.begin()->second.series;
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series.at(L({"__name__", "m", "path", "/ü/日本", "q", "a\"b\\c\nd"}))[0].v, 1);
  EXPECT_EQ(series.at(L({"__name__", "m", "path", "plain"}))[0].v, 2);  // empty value: no label
}

TEST(Import, SortsSeriesByLabelsWithNamesBeforeAndAfterTheMetricName) {
  TempDir d;
  std::string in = WriteInput(d.path(), "in.prom",
                              "b{Zone=\"1\",a=\"x\"} 1 1795111200000\n"
                              "a{a=\"y\"} 1 1795111200000\n"
                              "a 1 1795111200000\n"
                              "b{a=\"x\"} 1 1795111200000\n");
  ASSERT_TRUE(Import(Options(d.path(), {in})).ok());
  auto blocks = ReadBlocks(d.path());
  auto& series = blocks.begin()->second.series;
  ASSERT_EQ(series.size(), 4u);
  EXPECT_TRUE(series.count(L({"Zone", "1", "__name__", "b", "a", "x"})));
}

TEST(Import, TinyMemoryLimitGivesTheSameBlocksAsABigOne) {
  TempDir d;
  std::string text;
  // Several series interleaved and out of order, some duplicates, three windows.
  for (int round = 0; round < 3; ++round) {
    for (int s = 0; s < 7; ++s) {
      for (int i = round; i < 1500; i += 3) {
        int64_t t = kBase + static_cast<int64_t>((i * 37) % 1500) * 15000 + s;
        text += "metric_" + std::to_string(s % 3) + "{s=\"" + std::to_string(s) + "\"} " +
                std::to_string(i * 0.5 + s) + " " + std::to_string(t) + "\n";
        if (i % 100 == 0) text += "metric_" + std::to_string(s % 3) + "{s=\"" + std::to_string(s) + "\"} 99 " +
                                  std::to_string(t) + "\n";
      }
    }
  }
  std::string in = WriteInput(d.path(), "in.prom", text);
  ImportOptions big = Options(d.path() + "/big", {in});
  ImportOptions tiny = Options(d.path() + "/tiny", {in});
  tiny.memory_limit = "1KiB";
  auto a = Import(big);
  auto b = Import(tiny);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(a->runs, 1u);
  EXPECT_EQ(a->spilled_bytes, 0u);
  EXPECT_GT(b->runs, 100u);
  EXPECT_EQ(a->samples, b->samples);
  EXPECT_EQ(a->conflicts, b->conflicts);
  EXPECT_GT(a->conflicts, 0u);
  auto ba = ReadBlocks(d.path() + "/big");
  auto bb = ReadBlocks(d.path() + "/tiny");
  ASSERT_EQ(ba.size(), 4u);  // 6.25 hours
  ASSERT_EQ(bb.size(), 4u);
  for (auto& [mint, blk] : ba) {
    const Block& other = bb.at(mint);
    EXPECT_TRUE(ReadFile(blk.dir + "/index") == ReadFile(other.dir + "/index")) << mint;
    EXPECT_TRUE(ReadFile(blk.dir + "/chunks/000001") == ReadFile(other.dir + "/chunks/000001")) << mint;
  }
  EXPECT_EQ(Entries(d.path() + "/tiny").size(), 4u);  // blocks only: no spill folder, lock file removed
}

TEST(Import, ParseErrorMidInputWritesNothingAndRemovesTheSpill) {
  TempDir d;
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "m " + std::to_string(i) + " " + std::to_string(kBase + i * 1000) + "\n";
  text += "m{a=\"1\" 5 1795111200000\n";  // a missing '}' at line 1001
  for (int i = 0; i < 10; ++i) text += "m 1 1795111200000\n";
  std::string good = WriteInput(d.path(), "good.prom", "g 1 1795111200000\n");
  std::string bad = WriteInput(d.path(), "bad.prom", text);
  ImportOptions o = Options(d.path() + "/db", {good, bad});
  o.memory_limit = "2KiB";  // spills before the error
  auto st = Import(o);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("bad.prom: line 1001, column"), std::string::npos) << st.status().message();
  EXPECT_NE(st.status().code(), Status::Code::kUsage);
  EXPECT_TRUE(Entries(d.path() + "/db").empty());  // no block, no spill folder, no lock file
}

TEST(Import, DuplicateLabelNameIsAnErrorWithFileAndLine) {
  TempDir d;
  std::string in = WriteInput(d.path(), "in.prom", "m 1 1\nm{a=\"1\",a=\"2\"} 1 1\n");
  auto st = Import(Options(d.path() + "/db", {in}));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("in.prom: line 2"), std::string::npos) << st.status().message();
  // The metric name given again as a label: caught by the series table.
  in = WriteInput(d.path(), "in2.prom", "m 1 1\nm 1 1\nm{__name__=\"x\"} 1 1\n");
  st = Import(Options(d.path() + "/db", {in}));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("in2.prom: line 3"), std::string::npos) << st.status().message();
  EXPECT_TRUE(Entries(d.path() + "/db").empty());
}

TEST(Import, LinesWithoutTimestampsTakeTheStartTime) {
  TempDir d;
  std::string in = WriteInput(d.path(), "in.prom",
                              "# TYPE m gauge\n"
                              "m 1\n"
                              "m 2 1795111205000\n");
  ImportOptions o = Options(d.path(), {in});
  o.now_ms = kBase + 7;
  auto st = Import(o);
  ASSERT_TRUE(st.ok());
  auto blocks = ReadBlocks(d.path());
  auto& s = blocks.begin()->second.series.at(L({"__name__", "m"}));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].t, kBase + 7);
  EXPECT_EQ(s[0].v, 1);

  // Without now_ms: the wall clock at the start of the import.
  TempDir d2;
  std::string in2 = WriteInput(d2.path(), "in.prom", "m 1\n");
  int64_t before = NowMillis();
  ASSERT_TRUE(Import(Options(d2.path(), {in2})).ok());
  auto b2 = ReadBlocks(d2.path());
  int64_t t = b2.begin()->second.series.begin()->second[0].t;
  EXPECT_GE(t, before);
  EXPECT_LE(t, before + 60000);
}

TEST(Import, RefusesADirectoryWhoseLockIsHeld) {
  TempDir d;
  std::string in = WriteInput(d.path(), "in.prom", "m 1 1795111200000\n");
  std::string db = d.path() + "/db";
  stdfs::create_directories(db);
  int fd = ::open((db + "/lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  auto st = Import(Options(db, {in}));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("locked"), std::string::npos) << st.status().message();
  EXPECT_EQ(Entries(db), std::vector<std::string>{"lock"});
  ::close(fd);
  // Released: the import goes ahead and leaves the lock file it found.
  ASSERT_TRUE(Import(Options(db, {in})).ok());
  EXPECT_EQ(Entries(db).size(), 2u);
  EXPECT_TRUE(stdfs::exists(db + "/lock"));
}

TEST(Import, RemovesSpillFoldersOfInterruptedImports) {
  TempDir d;
  stdfs::create_directories(d.path() + "/.import-999999");
  std::ofstream(d.path() + "/.import-999999/samples") << "x";
  std::string in = WriteInput(d.path(), "in.prom", "m 1 1795111200000\n");
  ASSERT_TRUE(Import(Options(d.path(), {in})).ok());
  EXPECT_FALSE(stdfs::exists(d.path() + "/.import-999999"));
}

TEST(Import, ReadsBothFormatsInOneRunAndForcedFormats) {
  TempDir d;
  std::string om = WriteInput(d.path(), "a.om", "# TYPE c counter\nc_total 1 1795111200.5\n# EOF\n");
  std::string prom = WriteInput(d.path(), "b.txt", "g 2 1795111200500\n");
  auto st = Import(Options(d.path() + "/db", {om, prom}));
  ASSERT_TRUE(st.ok()) << st.status().message();
  auto blocks = ReadBlocks(d.path() + "/db");
  auto& series = blocks.begin()->second.series;
  EXPECT_EQ(series.at(L({"__name__", "c_total"}))[0].t, kBase + 500);
  EXPECT_EQ(series.at(L({"__name__", "g"}))[0].t, kBase + 500);
  // Forcing OpenMetrics on Prometheus text (ms timestamps, no # EOF) fails.
  ImportOptions o = Options(d.path() + "/db2", {prom});
  o.input_format = "openmetrics";
  EXPECT_FALSE(Import(o).ok());
}

TEST(Import, BadOptionsAreUsageErrors) {
  TempDir d;
  for (auto edit : std::vector<std::function<void(ImportOptions*)>>{
           [](ImportOptions* o) { o->block_duration = "2x"; },
           [](ImportOptions* o) { o->block_duration = "0s"; },
           [](ImportOptions* o) { o->input_format = "json"; },
           [](ImportOptions* o) { o->memory_limit = "12 parsecs"; },
           [](ImportOptions* o) { o->memory_limit = "100"; },
           [](ImportOptions* o) { o->db_dir = ""; },
       }) {
    ImportOptions o = Options(d.path() + "/db", {"-"});
    edit(&o);
    auto st = Import(o);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.status().code(), Status::Code::kUsage) << st.status().message();
  }
  EXPECT_FALSE(stdfs::exists(d.path() + "/db"));
}

TEST(ParseByteSize, ReadsPowersOf1024) {
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_EQ(*ParseByteSize("10B"), 10u);
  EXPECT_EQ(*ParseByteSize("256MiB"), 256u << 20);
  EXPECT_EQ(*ParseByteSize("256mb"), 256u << 20);
  EXPECT_EQ(*ParseByteSize("1G"), 1u << 30);
  EXPECT_EQ(*ParseByteSize("2TiB"), uint64_t{2} << 40);
  EXPECT_EQ(*ParseByteSize("3k"), 3072u);
  EXPECT_FALSE(ParseByteSize("").ok());
  EXPECT_FALSE(ParseByteSize("MiB").ok());
  EXPECT_FALSE(ParseByteSize("1PiB").ok());
  EXPECT_FALSE(ParseByteSize("99999999999999999999").ok());
  EXPECT_FALSE(ParseByteSize("20000000TiB").ok());
}

TEST(SeriesTable, InternsLabelSetsWhateverTheirOrder) {
  SeriesTable t;
  std::vector<textparse::LabelView> ab = {{"a", "1"}, {"b", "2"}};
  std::vector<textparse::LabelView> ba = {{"b", "2"}, {"a", "1"}};
  std::vector<textparse::LabelView> ab_empty = {{"a", "1"}, {"c", ""}, {"b", "2"}};
  EXPECT_EQ(*t.Intern("m", ab), 0u);
  EXPECT_EQ(*t.Intern("n", ab), 1u);
  EXPECT_EQ(*t.Intern("m", ba), 0u);
  EXPECT_EQ(*t.Intern("m", ab_empty), 0u);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(SeriesTable::ToLabels(t.key(0)), L({"__name__", "m", "a", "1", "b", "2"}));
  std::vector<textparse::LabelView> nul = {{"a", std::string_view("x\0y", 3)}};
  EXPECT_FALSE(t.Intern("m", nul).ok());
  // A NUL cannot make other labels look like the previous series.
  std::vector<textparse::LabelView> xy = {{"a", "x"}, {"b", "y"}};
  std::vector<textparse::LabelView> x_nul_y = {{"a", std::string_view("x\0b\0y", 5)}};
  EXPECT_EQ(*t.Intern("m", xy), 2u);
  EXPECT_FALSE(t.Intern("m", x_nul_y).ok());
  EXPECT_EQ(*t.Intern("m", ab), 0u);
  std::vector<textparse::LabelView> twice = {{"a", "1"}, {"b", "1"}, {"a", "2"}};
  auto dup = t.Intern("m", twice);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "label name \"a\" is given twice");
}

// The raw-bytes shortcut of Intern(Entry) must give the ids the parsed labels give.
TEST(SeriesTable, RawLineShortcutAgreesWithParsedLabels) {
  const std::string text =
      "m{a=\"1\",b=\"2\"} 1 1\n"
      "m{a=\"1\"} 1 1\n"
      "m{a=\"1\"} 2 2\n"
      "m{a=\"1\",} 2 3\n"
      "m 1 1\n"
      "m 1 2\n"
      "m{} 1 3\n"
      "m{a=\"1\", b=\"2\"} 1 4\n"
      "m{b=\"2\",a=\"1\"} 1 5\n"
      "m{a=\"x\\\"y\"} 1 1\n"
      "m{a=\"x\\\"y\"} 1 2\n"
      "m{a=\"x\\\"y\",b=\"2\"} 1 2\n"
      "m{a=\"1\"} 1 6\n"
      "n{a=\"1\"} 1 6\n"
      "m{a=\"1\",b=\"\"} 1 7\n"
      "mm 1 1\n"
      "m 1 1\n";
  textparse::LineReader reader(text, "t");
  textparse::Parser parser(&reader, textparse::Format::kPrometheus);
  textparse::Entry e;
  SeriesTable by_entry, by_labels;
  int n = 0;
  while (parser.Next(&e)) {
    ASSERT_EQ(e.kind, textparse::EntryKind::kSample);
    auto a = by_entry.Intern(e);
    auto b = by_labels.Intern(e.metric_name, e.labels);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*a, *b) << "line " << e.line << ": " << e.raw_line;
    ++n;
  }
  ASSERT_TRUE(parser.status().ok()) << parser.status().message();
  EXPECT_EQ(n, 17);
  EXPECT_EQ(by_entry.size(), 7u);
}

}  // namespace
}  // namespace tsdb::importer
