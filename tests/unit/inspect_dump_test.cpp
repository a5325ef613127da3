// tsdb-inspect list and dump over blocks written with BlockWriter.
#include <cmath>
#include <limits>

#include "inspect/data_dir.h"
#include "inspect/inspect.h"
#include "inspect_test_util.h"
#include "nlohmann/json.hpp"

namespace tsdb::inspect {
namespace {

using namespace testing;  // NOLINT

constexpr int64_t kStart = 1700006400000;  // 2023-11-15T00:00:00Z, a 2h boundary
constexpr int64_t kEnd = kStart + 7200000;

std::string Dump(DumpOptions opt, Status* st = nullptr) {
  opt.quiet = true;
  return Capture([&](cli::Output* out) {
    Status s = RunDump(opt, out);
    if (st != nullptr) {
      *st = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.message();
    }
  });
}

class InspectDump : public ::testing::Test {
 protected:
  void SetUp() override {
    SeriesSamples a;
    a[Labels::FromStrings({"__name__", "up", "job", "node"})] = {{kStart, 1}, {kStart + 15000, 0}};
    a[Labels::FromStrings({"__name__", "up", "job", "api"})] = {{kStart + 500, 1}};
    a[Labels::FromStrings({"__name__", "edge", "path", "C:\\dir \"x\"\nnext", "utf8", "\xc3\xa9t\xc3\xa9"})] = {
        {kStart, std::numeric_limits<double>::quiet_NaN()},
        {kStart + 1, std::numeric_limits<double>::infinity()},
        {kStart + 2, -std::numeric_limits<double>::infinity()},
        {kStart + 3, 0.1},
        {kStart + 4, 1e-300}};
    first_ = MakeBlock(dir_.path(), kStart, kEnd, a);
    SeriesSamples b;
    b[Labels::FromStrings({"__name__", "up", "job", "node"})] = {{kEnd, 1}};
    b[Labels::FromStrings({"__name__", "zzz"})] = {{kEnd + 1000, 42}};
    second_ = MakeBlock(dir_.path(), kEnd, kEnd + 7200000, b);
  }
  DumpOptions Opt() const {
    DumpOptions o;
    o.dir = dir_.path();
    return o;
  }
  TempDir dir_;
  std::string first_, second_;
};

TEST_F(InspectDump, PrintsPrometheusTextWithMillisecondTimestampsInLabelOrder) {
  EXPECT_EQ(Dump(Opt()),
            "edge{path=\"C:\\\\dir \\\"x\\\"\\nnext\",utf8=\"\xc3\xa9t\xc3\xa9\"} NaN 1700006400000\n"
            "edge{path=\"C:\\\\dir \\\"x\\\"\\nnext\",utf8=\"\xc3\xa9t\xc3\xa9\"} +Inf 1700006400001\n"
            "edge{path=\"C:\\\\dir \\\"x\\\"\\nnext\",utf8=\"\xc3\xa9t\xc3\xa9\"} -Inf 1700006400002\n"
            "edge{path=\"C:\\\\dir \\\"x\\\"\\nnext\",utf8=\"\xc3\xa9t\xc3\xa9\"} 0.1 1700006400003\n"
            "edge{path=\"C:\\\\dir \\\"x\\\"\\nnext\",utf8=\"\xc3\xa9t\xc3\xa9\"} 1e-300 1700006400004\n"
            "up{job=\"api\"} 1 1700006400500\n"
            "up{job=\"node\"} 1 1700006400000\n"
            "up{job=\"node\"} 0 1700006415000\n"
            "up{job=\"node\"} 1 1700013600000\n"  // the same series from the second block
            "zzz 42 1700013601000\n");
}

TEST_F(InspectDump, OpenMetricsHasSecondsAndEof) {
  DumpOptions o = Opt();
  o.format = "openmetrics";
  o.match = {"up"};
  EXPECT_EQ(Dump(o),
            "up{job=\"api\"} 1 1700006400.5\n"
            "up{job=\"node\"} 1 1700006400\n"
            "up{job=\"node\"} 0 1700006415\n"
            "up{job=\"node\"} 1 1700013600\n"
            "# EOF\n");
}

TEST_F(InspectDump, SeveralMatchersAreAUnionEachSeriesOnce) {
  DumpOptions o = Opt();
  o.match = {"zzz", "{job=\"node\"}", "up{job=~\"n.*\"}"};
  EXPECT_EQ(Dump(o),
            "up{job=\"node\"} 1 1700006400000\n"
            "up{job=\"node\"} 0 1700006415000\n"
            "up{job=\"node\"} 1 1700013600000\n"
            "zzz 42 1700013601000\n");
  o.match = {"nothing_here"};
  EXPECT_EQ(Dump(o), "");
}

TEST_F(InspectDump, TimeRangeIsClosed) {
  DumpOptions o = Opt();
  o.match = {"up"};
  o.min_time = "1700006400.5";                 // Unix seconds
  o.max_time = "2023-11-15T02:00:00Z";         // RFC 3339 = kEnd, inclusive
  EXPECT_EQ(Dump(o),
            "up{job=\"api\"} 1 1700006400500\n"
            "up{job=\"node\"} 0 1700006415000\n"
            "up{job=\"node\"} 1 1700013600000\n");
  o.min_time = "now-1h";
  o.max_time = "now";
  o.now_ms = kStart + 3600000 + 15000;
  EXPECT_EQ(Dump(o), "up{job=\"node\"} 0 1700006415000\n");
}

TEST_F(InspectDump, JsonlAndCsvKeepValuesAsText) {
  DumpOptions o = Opt();
  o.match = {"edge"};
  o.format = "jsonl";
  std::string out = Dump(o);
  std::vector<nlohmann::json> rows;
  size_t start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1) {
    rows.push_back(nlohmann::json::parse(out.substr(start, nl - start)));
  }
  ASSERT_EQ(rows.size(), 5u) << out;
  EXPECT_EQ(rows[0]["labels"]["__name__"], "edge");
  EXPECT_EQ(rows[0]["labels"]["path"], "C:\\dir \"x\"\nnext");
  EXPECT_EQ(rows[0]["value"], "NaN");
  EXPECT_EQ(rows[1]["value"], "+Inf");
  EXPECT_EQ(rows[3]["timestamp"], kStart + 3);
  EXPECT_EQ(rows[3]["value"], "0.1");

  o.format = "csv";
  o.match = {"zzz"};
  EXPECT_EQ(Dump(o), "series,timestamp,value\n\"{__name__=\"\"zzz\"\"}\",1700013601000,42\n");  // RFC 4180 quoting
}

TEST_F(InspectDump, BadSelectorTimeOrFormatIsAUsageError) {
  for (auto edit : std::vector<std::function<void(DumpOptions*)>>{
           [](DumpOptions* o) { o->match = {"up{"}; },
           [](DumpOptions* o) { o->match = {"{job=~\"\"}"}; },  // matches everything: refused as Prometheus does
           [](DumpOptions* o) { o->min_time = "yesterday"; },
           [](DumpOptions* o) { o->min_time = "20"; o->max_time = "10"; },
           [](DumpOptions* o) { o->format = "yaml"; }}) {
    DumpOptions o = Opt();
    edit(&o);
    Status st;
    EXPECT_EQ(Dump(o, &st), "");
    EXPECT_EQ(st.code(), Status::Code::kUsage) << st.message();
  }
}

TEST_F(InspectDump, MissingDirectoryFails) {
  DumpOptions o = Opt();
  o.dir = dir_.path() + "/nope";
  Status st;
  Dump(o, &st);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
}

TEST_F(InspectDump, OneBlockFolderDumpsJustThatBlock) {
  DumpOptions o = Opt();
  o.dir = second_;
  EXPECT_EQ(Dump(o), "up{job=\"node\"} 1 1700013600000\nzzz 42 1700013601000\n");
}

TEST_F(InspectDump, ListShowsEveryBlockFromItsMeta) {
  ListOptions o;
  o.dir = dir_.path();
  o.format = "json";
  std::string out = Capture([&](cli::Output* w) { EXPECT_TRUE(RunList(o, w).ok()); });
  auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j.size(), 2u) << out;
  EXPECT_EQ(j[0]["ulid"], BaseName(first_));
  EXPECT_EQ(j[0]["min_time"], "2023-11-15T00:00:00Z");
  EXPECT_EQ(j[0]["max_time"], "2023-11-15T02:00:00Z");
  EXPECT_EQ(j[0]["min_time_ms"], kStart);
  EXPECT_EQ(j[0]["max_time_ms"], kEnd);
  EXPECT_EQ(j[0]["duration"], "2h");
  EXPECT_EQ(j[0]["series"], 3);
  EXPECT_EQ(j[0]["samples"], 8);
  EXPECT_EQ(j[0]["chunks"], 3);
  EXPECT_EQ(j[0]["level"], 1);
  EXPECT_EQ(j[0]["resolution"], "0s");
  uint64_t size = stdfs::file_size(first_ + "/index") + stdfs::file_size(first_ + "/chunks/000001") +
                  stdfs::file_size(first_ + "/meta.json") + stdfs::file_size(first_ + "/tombstones");
  EXPECT_EQ(j[0]["size"], size);
  EXPECT_EQ(j[1]["ulid"], BaseName(second_));
  EXPECT_EQ(j[1]["samples"], 2);

  o.format = "csv";
  out = Capture([&](cli::Output* w) { EXPECT_TRUE(RunList(o, w).ok()); });
  EXPECT_EQ(out.substr(0, out.find('\n')),
            "ulid,min_time,max_time,duration,series,samples,chunks,size,level,resolution,min_time_ms,max_time_ms");
  o.format = "table";
  out = Capture([&](cli::Output* w) { EXPECT_TRUE(RunList(o, w).ok()); });
  EXPECT_EQ(out.rfind("ULID ", 0), 0u) << out;
  EXPECT_NE(out.find(" raw "), std::string::npos) << out;
  EXPECT_NE(out.find(std::to_string(size) + " B "), std::string::npos) << out;  // sizes for people
}

TEST_F(InspectDump, ListShowsThanosResolutionAndNamesUnreadableBlocks) {
  auto m = block::ReadMeta(second_);
  ASSERT_TRUE(m.ok());
  m->thanos = nlohmann::ordered_json::parse(R"({"labels":{"a":"b"},"downsample":{"resolution":3600000}})");
  m->compaction.level = 3;
  ASSERT_TRUE(block::WriteMeta(second_, *m).ok());
  ListOptions o;
  o.dir = dir_.path();
  o.format = "tsv";
  std::string out = Capture([&](cli::Output* w) { EXPECT_TRUE(RunList(o, w).ok()); });
  std::string second_row = out.substr(out.find('\n') + 1);
  EXPECT_NE(second_row.find("\t3\t1h\t"), std::string::npos) << out;

  WriteFile(first_ + "/meta.json", "{not json");
  Status st;
  out = Capture([&](cli::Output* w) { st = RunList(o, w); });
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("1 of 2 blocks"), std::string::npos) << st.message();
  EXPECT_EQ(out.rfind(BaseName(second_), 0), 0u) << out;  // the readable block is still listed
}

}  // namespace
}  // namespace tsdb::inspect
