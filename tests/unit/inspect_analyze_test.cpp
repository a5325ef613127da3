#include <gtest/gtest.h>

#include "inspect/analyze.h"
#include "inspect_test_util.h"

namespace tsdb::inspect {
namespace {

using testing::Capture;
using testing::MakeBlock;
using testing::Ramp;
using testing::TempDir;

// One full-coverage series and three short-lived ones, over a 2h block:
// each short series leaves 7,140,000 of 7,200,000 ms uncovered, so the three
// together count 2 (2.975, truncated as promtool truncates) on the pairs they
// share, and 0 each on their own run=N pair.
TEST(Analyze, ComputesPromtoolsFiguresOnAKnownBlock) {
  TempDir d;
  testing::SeriesSamples s;
  s[Labels::FromStrings({"__name__", "up", "job", "node"})] = Ramp(0, 120, 60000);
  for (int run = 1; run <= 3; ++run) {
    s[Labels::FromStrings({"__name__", "batch_runs", "job", "batch", "run", std::to_string(run)})] =
        Ramp(3600000, 2, 60000);
  }
  MakeBlock(d.path(), 0, 7200000, s);
  AnalyzeOptions o;
  o.dir = d.path();
  o.limit = 2;
  std::string text = Capture([&](cli::Output* out) { ASSERT_TRUE(RunAnalyze(o, out).ok()); });
  EXPECT_NE(text.find("Duration: 2h0m0s\nSeries: 4\nLabel names: 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Postings (unique label pairs): 7\nPostings entries (total label pairs): 11\n"), std::string::npos);
  EXPECT_NE(text.find("Label pairs most involved in churning:\n2 __name__=batch_runs\n2 job=batch\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Label names most involved in churning:\n2 __name__\n2 job\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Most common label pairs:\n3 __name__=batch_runs\n3 job=batch\n"), std::string::npos);
  EXPECT_NE(text.find("Highest cardinality labels:\n3 run\n2 __name__\n"), std::string::npos);
  EXPECT_NE(text.find("Highest cardinality metric names:\n3 batch_runs\n1 up\n"), std::string::npos);

  o.format = "json";
  std::string json = Capture([&](cli::Output* out) { ASSERT_TRUE(RunAnalyze(o, out).ok()); });
  auto j = nlohmann::json::parse(json);
  EXPECT_EQ(j["series"], 4);
  EXPECT_EQ(j["metric_name_cardinality"][0]["name"], "batch_runs");
  EXPECT_EQ(j["churn_label_pairs"].size(), 2u);
}

TEST(Analyze, BadArgumentsAreUsageOrNotFound) {
  TempDir d;
  AnalyzeOptions o;
  o.dir = d.path();
  Status empty = Capture([&](cli::Output* out) { EXPECT_EQ(RunAnalyze(o, out).code(), Status::Code::kNotFound); }).empty()
                     ? Status::OK()
                     : Status::IOError("printed something");
  EXPECT_TRUE(empty.ok());
  o.format = "yaml";
  Capture([&](cli::Output* out) { EXPECT_EQ(RunAnalyze(o, out).code(), Status::Code::kUsage); });
  o.format = "text";
  o.limit = -1;
  Capture([&](cli::Output* out) { EXPECT_EQ(RunAnalyze(o, out).code(), Status::Code::kUsage); });
}

}  // namespace
}  // namespace tsdb::inspect
