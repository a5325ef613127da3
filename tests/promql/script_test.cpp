#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/value.h"
#include "script.h"

namespace tsdb::promqltest {
namespace {

std::vector<double> Values(std::string_view text) {
  auto seq = ParseSequence(text);
  EXPECT_TRUE(seq.ok()) << text << ": " << seq.status().message();
  std::vector<double> out;
  if (!seq.ok()) return out;
  for (const SequenceValue& v : *seq) out.push_back(v.omitted ? -999 : v.value);
  return out;
}

TEST(Sequence, IncrementsGiveNPlusOneValues) {
  EXPECT_EQ(Values("1+2x3"), (std::vector<double>{1, 3, 5, 7}));
  EXPECT_EQ(Values("10-1x2"), (std::vector<double>{10, 9, 8}));
  EXPECT_EQ(Values("-1-1x2"), (std::vector<double>{-1, -2, -3}));
  EXPECT_EQ(Values("1x3"), (std::vector<double>{1, 1, 1, 1}));
  EXPECT_EQ(Values("0x2"), (std::vector<double>{0, 0, 0}));  // not hex in a series description
  EXPECT_EQ(Values("52+0x2"), (std::vector<double>{52, 52, 52}));
}

TEST(Sequence, BlanksAreMissingSamples) {
  EXPECT_EQ(Values("_ 1 _x2 2"), (std::vector<double>{-999, 1, -999, -999, 2}));
}

TEST(Sequence, SpecialValues) {
  auto seq = ParseSequence("stale Inf -Inf NaN 1e3 -.5 +2 1.5e-3");
  ASSERT_TRUE(seq.ok()) << seq.status().message();
  ASSERT_EQ(seq->size(), 8u);
  EXPECT_TRUE(IsStaleNaN((*seq)[0].value));
  EXPECT_EQ((*seq)[1].value, INFINITY);
  EXPECT_EQ((*seq)[2].value, -INFINITY);
  EXPECT_TRUE(std::isnan((*seq)[3].value) && !IsStaleNaN((*seq)[3].value));
  EXPECT_EQ((*seq)[4].value, 1000);
  EXPECT_EQ((*seq)[5].value, -0.5);
  EXPECT_EQ((*seq)[6].value, 2);
  EXPECT_EQ((*seq)[7].value, 0.0015);
}

TEST(Sequence, HistogramsAreCountedNotDecoded) {
  auto seq = ParseSequence("{{schema:0 sum:5 count:4 buckets:[1 2 1]}} {{count:1}}x2 "
                           "{{schema:0 sum:1}}+{{sum:1}}x3 1");
  ASSERT_TRUE(seq.ok()) << seq.status().message();
  ASSERT_EQ(seq->size(), 1u + 3u + 4u + 1u);
  EXPECT_TRUE((*seq)[0].histogram);
  EXPECT_TRUE((*seq)[7].histogram);
  EXPECT_FALSE((*seq)[8].histogram);
}

TEST(Sequence, RejectsWhatPrometheusRejects) {
  EXPECT_FALSE(ParseSequence("1+2").ok());    // an increment needs a count
  EXPECT_FALSE(ParseSequence("foo").ok());
  EXPECT_FALSE(ParseSequence("1x").ok());
  EXPECT_FALSE(ParseSequence("{{sum:1").ok());
  EXPECT_FALSE(ParseSequence("1a").ok());
}

TEST(SeriesDesc, NameLabelsAndValues) {
  auto d = ParseSeriesDesc("http_requests{job=\"api\", instance=\"0\"} 0+10x2");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->labels, Labels::FromStrings({"__name__", "http_requests", "instance", "0", "job", "api"}));
  EXPECT_EQ(d->values.size(), 3u);

  auto empty = ParseSeriesDesc("{} 1");
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_TRUE(empty->labels.empty());

  auto quoted = ParseSeriesDesc("{\"my.metric\", \"a b\"=\"}\"}\t5");
  ASSERT_TRUE(quoted.ok()) << quoted.status().message();
  EXPECT_EQ(quoted->labels.MetricName(), "my.metric");
  EXPECT_EQ(quoted->labels.Get("a b"), "}");
  ASSERT_EQ(quoted->values.size(), 1u);

  auto bare = ParseSeriesDesc("metric");
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->values.empty());

  auto only_empty = ParseSeriesDesc("{a=\"\"} 1");  // a label set, not a selector
  ASSERT_TRUE(only_empty.ok()) << only_empty.status().message();
  EXPECT_TRUE(only_empty->labels.empty());

  EXPECT_FALSE(ParseSeriesDesc("metric{a=~\"x\"} 1").ok());
  EXPECT_FALSE(ParseSeriesDesc("metric{a=\"x\"}1").ok());
}

TEST(Number, ReadAsGoDoes) {
  EXPECT_EQ(*ParseNumber("0x1f"), 31);
  EXPECT_EQ(*ParseNumber("-2.5e3"), -2500);
  EXPECT_EQ(*ParseNumber("010"), 8);  // ParseInt base 0: octal
  EXPECT_EQ(*ParseNumber("+Inf"), INFINITY);
  EXPECT_TRUE(std::isnan(*ParseNumber("NaN")));
  EXPECT_FALSE(ParseNumber("{} 1").ok());
  EXPECT_FALSE(ParseNumber("1x2").ok());
}

TEST(Script, CommandsAndExpectations) {
  auto cmds = ParseScript(R"(# a comment
load 5m
  up{job="a"} 1+1x2
  up{job="b"} _ stale 3

eval instant at 10m up
  expect no_warn
  up{job="a"} 3
  up{job="b"} 3

eval range from 0 to 10m step 5m sum(up)
  expect warn msg: PromQL warning: something (1:1)
  expect info regex: ^PromQL
  {} 1 2 _

eval_fail instant at 0 foo(
  expected_fail_message 1:5: parse error: unclosed left parenthesis

eval instant at 1m 1 + 1
  2

eval_ordered instant at 1m sort(up)
  up{job="b"} 1
  expect ordered
  up{job="a"} 2

clear
)");
  ASSERT_EQ(cmds.size(), 7u);
  EXPECT_EQ(cmds[0].kind, Command::Kind::kLoad);
  EXPECT_EQ(cmds[0].line, 2);
  EXPECT_EQ(cmds[0].load.interval_ms, 300000);
  ASSERT_EQ(cmds[0].load.series.size(), 2u);

  const EvalCmd& inst = cmds[1].eval;
  EXPECT_EQ(cmds[1].line, 6);
  EXPECT_FALSE(inst.range);
  EXPECT_EQ(inst.eval_ms, 600000);
  EXPECT_EQ(inst.expr, "up");
  EXPECT_TRUE(inst.expect_no_warn);
  ASSERT_EQ(inst.expected.size(), 2u);
  EXPECT_EQ(inst.expected[0].pos, 1);  // expect lines do not count as positions

  const EvalCmd& range = cmds[2].eval;
  EXPECT_TRUE(range.range);
  EXPECT_EQ(range.start_ms, 0);
  EXPECT_EQ(range.end_ms, 600000);
  EXPECT_EQ(range.step_ms, 300000);
  ASSERT_EQ(range.expect_warn.size(), 1u);
  EXPECT_FALSE(range.expect_warn[0].regex);
  EXPECT_EQ(range.expect_warn[0].text, "PromQL warning: something (1:1)");
  ASSERT_EQ(range.expect_info.size(), 1u);
  EXPECT_TRUE(range.expect_info[0].regex);
  ASSERT_EQ(range.expected.size(), 1u);
  EXPECT_TRUE(range.expected[0].values[2].omitted);

  EXPECT_TRUE(cmds[3].eval.IsFail());
  EXPECT_EQ(cmds[3].eval.fail_message, "1:5: parse error: unclosed left parenthesis");

  EXPECT_TRUE(cmds[4].eval.expect_scalar);
  EXPECT_EQ(cmds[4].eval.scalar.value, 2);

  EXPECT_TRUE(cmds[5].eval.IsOrdered());
  ASSERT_EQ(cmds[5].eval.expected.size(), 2u);
  EXPECT_EQ(cmds[5].eval.expected[1].pos, 2);

  EXPECT_EQ(cmds[6].kind, Command::Kind::kClear);
}

TEST(Script, RangeVectorAndStringExpectations) {
  auto cmds = ParseScript(R"(eval instant at 1m some_metric[1m]
  expect range vector from 10s to 1m step 10s
  some_metric{env="a"} 2 3 4 5 6

eval instant at 50m "Foo"
  expect string `Foo`
)");
  ASSERT_EQ(cmds.size(), 2u);
  const EvalCmd& rv = cmds[0].eval;
  EXPECT_TRUE(rv.expect_range_vector);
  EXPECT_EQ(rv.start_ms, 10000);
  EXPECT_EQ(rv.end_ms, 60000);
  EXPECT_EQ(rv.step_ms, 10000);
  EXPECT_EQ(rv.eval_ms, 60000);
  ASSERT_EQ(rv.expected.size(), 1u);
  EXPECT_EQ(rv.expected[0].values.size(), 5u);
  EXPECT_TRUE(cmds[1].eval.has_expected_string);
  EXPECT_EQ(cmds[1].eval.expected_string, "Foo");
}

TEST(Script, HistogramsAndStartTimestampsAreNoted) {
  auto cmds = ParseScript(R"(load 1m
  h {{schema:0 sum:1 count:1}}x2
  c{type="st"}@st _ -30s-1mx2
  c{type="st"} _ 0+60x2

eval instant at 1m h
  {} {{schema:0 sum:1 count:1}}
)");
  ASSERT_EQ(cmds.size(), 2u);
  ASSERT_EQ(cmds[0].load.series.size(), 2u);
  EXPECT_TRUE(cmds[0].load.series[0].values[0].histogram);
  ASSERT_EQ(cmds[0].load.start_timestamp_series.size(), 1u);
  EXPECT_EQ(cmds[0].load.start_timestamp_series[0].Get("type"), "st");
  EXPECT_TRUE(cmds[1].eval.expects_histogram);
}

TEST(Script, BadCommandCostsOnlyItsBlock) {
  auto cmds = ParseScript(R"(eval instant at 1x up
  up 1

eval instant at 1m up
  {} 1 2

bogus

eval instant at 1m up
  up 1
)");
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[0].kind, Command::Kind::kError);
  EXPECT_TRUE(cmds[0].error_in_eval);
  EXPECT_EQ(cmds[1].kind, Command::Kind::kError);  // many values in an instant eval
  EXPECT_EQ(cmds[2].kind, Command::Kind::kError);
  EXPECT_FALSE(cmds[2].error_in_eval);
  EXPECT_EQ(cmds[3].kind, Command::Kind::kEval);
  EXPECT_EQ(cmds[3].line, 9);
}

TEST(Script, EveryReferenceScriptParses) {
  std::filesystem::path dir = TSDB_PROMQL_TESTDATA;
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " is not there";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".test") continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    for (const Command& c : ParseScript(ss.str())) {
      EXPECT_NE(c.kind, Command::Kind::kError) << entry.path().filename() << ":" << c.line << ": " << c.error;
    }
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace tsdb::promqltest
