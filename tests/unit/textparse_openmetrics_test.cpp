// The OpenMetrics 1.0 text parser, element by element and error by error.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>

#include "textparse_test_util.h"

namespace tsdb::textparse {
namespace {

using testing::Parse;
using testing::ParseResult;
using Labels2 = std::vector<std::pair<std::string, std::string>>;

ParseResult OM(std::string_view text, ParserOptions o = {}) { return Parse(text, Format::kOpenMetrics, o); }
std::string Error(std::string_view text, ParserOptions o = {}) {
  ParseResult r = OM(text, o);
  EXPECT_FALSE(r.status.ok()) << text;
  return r.status.message();
}

TEST(OpenMetricsParser, ReadsMetadataSamplesExemplarsAndEOF) {
  ParseResult r = OM(
      "# HELP foo_seconds Help \\\"quoted\\\" \\\\ \\n.\n"
      "# TYPE foo_seconds counter\n"
      "# UNIT foo_seconds seconds\n"
      "foo_seconds_total{a=\"1\"} 17 1520879607.789 # {trace_id=\"KOO5S4vxi0o\"} 0.67 1520879602.123\n"
      "foo_seconds_created{a=\"1\"} 1520430000.123\n"
      "# EOF\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.entries.size(), 6u);
  EXPECT_EQ(r.entries[0].kind, EntryKind::kHelp);
  EXPECT_EQ(r.entries[0].text, "Help \"quoted\" \\ \n.");
  EXPECT_EQ(r.entries[1].kind, EntryKind::kType);
  EXPECT_EQ(r.entries[1].type, MetricType::kCounter);
  EXPECT_EQ(r.entries[2].kind, EntryKind::kUnit);
  EXPECT_EQ(r.entries[2].text, "seconds");
  const auto& s = r.entries[3].sample;
  EXPECT_EQ(s.name, "foo_seconds_total");
  EXPECT_EQ(s.labels, (Labels2{{"a", "1"}}));
  EXPECT_EQ(std::bit_cast<double>(s.value_bits), 17);
  EXPECT_EQ(s.ts, 1520879607789);
  ASSERT_TRUE(s.has_exemplar);
  EXPECT_EQ(s.ex_labels, (Labels2{{"trace_id", "KOO5S4vxi0o"}}));
  EXPECT_EQ(std::bit_cast<double>(s.ex_value_bits), 0.67);
  EXPECT_EQ(s.ex_ts, 1520879602123);
  EXPECT_EQ(r.entries[3].family, "foo_seconds");
  EXPECT_EQ(r.entries[3].type, MetricType::kCounter);
  EXPECT_EQ(r.entries[4].family, "foo_seconds");
  EXPECT_FALSE(r.entries[4].sample.has_exemplar);
  EXPECT_EQ(r.entries[5].kind, EntryKind::kEOF);
  EXPECT_EQ(r.entries[5].line, 6u);
}

TEST(OpenMetricsParser, ConvertsSecondsAsPrometheusDoes) {
  // int64(seconds * 1000): truncation, including binary rounding below the
  // decimal, as Prometheus's parser does.
  ParseResult r = OM("a 1 1.5\nb 1 -1.5\nc 1 1e3\nd 1 0.0019\ne 1 1700000000.001\n# EOF\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.entries[0].sample.ts, 1500);
  EXPECT_EQ(r.entries[1].sample.ts, -1500);
  EXPECT_EQ(r.entries[2].sample.ts, 1000000);
  EXPECT_EQ(r.entries[3].sample.ts, 1);
  EXPECT_EQ(r.entries[4].sample.ts, static_cast<int64_t>(1700000000.001 * 1000));
}

TEST(OpenMetricsParser, ReadsExemplarForms) {
  ParseResult r = OM(
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\"} 0 # {} 1\n"
      "h_bucket{le=\"+Inf\"} 1 # {a=\"b\",c=\"d\"} NaN\n"
      "h_bucket{le=\"+Inf\",x=\"1\"} 1 # {\"q.x\"=\"y\",} -Inf 5\n"
      "h_sum 1\n"
      "# EOF");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(r.entries[1].sample.has_exemplar);
  EXPECT_TRUE(r.entries[1].sample.ex_labels.empty());
  EXPECT_FALSE(r.entries[1].sample.ex_ts.has_value());
  EXPECT_EQ(r.entries[2].sample.ex_labels, (Labels2{{"a", "b"}, {"c", "d"}}));
  EXPECT_TRUE(std::isnan(std::bit_cast<double>(r.entries[2].sample.ex_value_bits)));
  EXPECT_EQ(r.entries[3].sample.ex_labels, (Labels2{{"q.x", "y"}}));
  EXPECT_EQ(r.entries[3].sample.ex_ts, 5000);
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(r.entries[i].family, "h");
}

TEST(OpenMetricsParser, AssignsFamiliesBySuffix) {
  ParseResult r = OM(
      "# TYPE gh gaugehistogram\ngh_bucket{le=\"1\"} 1\ngh_gsum 1\ngh_gcount 1\ngh_sum 1\n"
      "# TYPE i info\ni_info{v=\"1\"} 1\n"
      "# TYPE ss stateset\nss{ss=\"a\"} 1\n"
      "# TYPE s summary\ns_created 1\ns_count 1\n"
      "# TYPE u unknown\nu 1\n"
      "# UNIT x_bytes bytes\nx_bytes 1\n"
      "# EOF\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  std::vector<std::pair<std::string, MetricType>> got;
  for (const auto& e : r.entries) {
    if (e.kind == EntryKind::kSample) got.emplace_back(e.family, e.type);
  }
  std::vector<std::pair<std::string, MetricType>> want = {
      {"gh", MetricType::kGaugeHistogram}, {"gh", MetricType::kGaugeHistogram}, {"gh", MetricType::kGaugeHistogram},
      {"gh_sum", MetricType::kUnknown},    {"i", MetricType::kInfo},            {"ss", MetricType::kStateset},
      {"s", MetricType::kSummary},         {"s", MetricType::kSummary},         {"u", MetricType::kUnknown},
      {"x_bytes", MetricType::kUnknown},
  };
  EXPECT_EQ(got, want);
}

TEST(OpenMetricsParser, ReadsQuotedNamesAndEscapes) {
  ParseResult r = OM(
      "# TYPE \"a.b\" gauge\n"
      "{\"a.b\",\"c.d\"=\"x\\\"y\\\\z\\n\"} 1\n"
      "# EOF\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.entries[0].family, "a.b");
  EXPECT_EQ(r.entries[1].sample.name, "a.b");
  EXPECT_EQ(r.entries[1].sample.labels, (Labels2{{"c.d", "x\"y\\z\n"}}));
  EXPECT_EQ(r.entries[1].type, MetricType::kGauge);
}

TEST(OpenMetricsParser, RequiresEOFLastAndNothingAfter) {
  EXPECT_EQ(Error("a 1\n"), "in: line 2, column 1: expected \"# EOF\" as the last line, got end of input");
  EXPECT_EQ(Error(""), "in: line 1, column 1: expected \"# EOF\" as the last line, got end of input");
  EXPECT_EQ(Error("# EOF\na 1\n"), "in: line 2, column 1: expected end of input after \"# EOF\", got \"a\"");
  EXPECT_EQ(Error("# EOF\n\n"), "in: line 2, column 1: expected end of input after \"# EOF\", got end of line");
  EXPECT_EQ(Error("# EOF \n"), "in: line 1, column 6: expected the end of the line after \"# EOF\", got \" \"");
  EXPECT_TRUE(OM("# EOF").status.ok());
  EXPECT_TRUE(OM("# EOF\n").status.ok());
}

TEST(OpenMetricsParser, IsStrictAboutSpaces) {
  EXPECT_EQ(Error("\n# EOF\n"),
            "in: line 1, column 1: expected a metric name or '#' (no blank lines in OpenMetrics), got end of line");
  EXPECT_EQ(Error("a  1\n# EOF\n"), "in: line 1, column 3: expected ' ' and a value after the metric, got \" \"");
  EXPECT_EQ(Error("a\t1\n# EOF\n"), "in: line 1, column 2: expected ' ' and a value after the metric, got \"\\t\"");
  EXPECT_EQ(Error("a{b=\"1\", c=\"2\"} 1\n# EOF\n"), "in: line 1, column 9: expected a label name or '}', got \" \"");
  EXPECT_EQ(Error("a 1 \n# EOF\n"),
            "in: line 1, column 5: expected a timestamp, an exemplar or the end of the line, got end of line");
  EXPECT_EQ(Error(" a 1\n# EOF\n"), "in: line 1, column 1: expected a metric name, '{' or '#', got \" \"");
  EXPECT_EQ(Error("# comment\n# EOF\n"),
            "in: line 1, column 1: expected \"# HELP \", \"# TYPE \", \"# UNIT \" or \"# EOF\", got \"#\"");
  EXPECT_EQ(Error("# HELP foo\n# EOF\n"),
            "in: line 1, column 11: expected ' ' and text after the metric name, got end of line");
}

TEST(OpenMetricsParser, ReportsEachErrorWithLineAndColumn) {
  EXPECT_EQ(Error("# TYPE a counterx\n# EOF\n"),
            "in: line 1, column 10: expected a metric type (counter, gauge, histogram, gaugehistogram, summary, info, "
            "stateset or unknown), got \"counterx\"");
  EXPECT_EQ(Error("# TYPE a untyped\n# EOF\n"),
            "in: line 1, column 10: expected a metric type (counter, gauge, histogram, gaugehistogram, summary, info, "
            "stateset or unknown), got \"untyped\"");
  EXPECT_EQ(Error("# UNIT a_seconds bytes\n# EOF\n"),
            "in: line 1, column 18: expected a unit that the metric name ends in (after '_'), got \"bytes\"");
  EXPECT_EQ(Error("# UNIT seconds seconds\n# EOF\n"),
            "in: line 1, column 16: expected a unit that the metric name ends in (after '_'), got \"seconds\"");
  EXPECT_EQ(Error("a{b=\"1\"c=\"2\"} 1\n# EOF\n"), "in: line 1, column 8: expected ',' or '}', got \"c=\\\"2\\\"}\"");
  EXPECT_EQ(Error("a{b} 1\n# EOF\n"), "in: line 1, column 4: expected '=', got \"}\"");
  EXPECT_EQ(Error("a 1 x\n# EOF\n"), "in: line 1, column 5: expected a timestamp in seconds, got \"x\"");
  EXPECT_EQ(Error("a 1 NaN\n# EOF\n"),
            "in: line 1, column 5: expected a finite timestamp within int64 milliseconds, got \"NaN\"");
  EXPECT_EQ(Error("a 1 1e300\n# EOF\n"),
            "in: line 1, column 5: expected a finite timestamp within int64 milliseconds, got \"1e300\"");
  EXPECT_EQ(Error("a 1 2 3\n# EOF\n"), "in: line 1, column 6: expected an exemplar or the end of the line, got \" \"");
  EXPECT_EQ(Error("a_total 1 # {x=\"y\"}\n# EOF\n"),
            "in: line 1, column 20: expected ' ' and a value after the exemplar labels, got end of line");
  EXPECT_EQ(Error("a_total 1 # {x=\"y\"} 1 2 3\n# EOF\n"),
            "in: line 1, column 24: expected the end of the line after the exemplar timestamp, got \" \"");
  EXPECT_EQ(Error("a_total 1 # {\"q\"} 1\n# EOF\n"), "in: line 1, column 17: expected '=', got \"}\"");
  EXPECT_EQ(Error("a{\"m\",\"n\"} 1\n# EOF\n"), "in: line 1, column 3: expected one metric name only, got \"\\\"m\\\",\\\"n\\\"}\"");
  EXPECT_EQ(Error("a{b=\"\xfe\"} 1\n# EOF\n"),
            "in: line 1, column 5: expected a valid UTF-8 label value, got \"\\\"\\xfe\\\"}\"");
  EXPECT_EQ(Error("a x\n# EOF\n"), "in: line 1, column 3: expected a float value, got \"x\"");
}

TEST(OpenMetricsParser, EnforcesMaxLabelsOnSamplesNotExemplars) {
  ParserOptions o;
  o.max_labels = 1;
  EXPECT_TRUE(OM("a_total{b=\"1\"} 1 # {c=\"1\",d=\"2\"} 1\n# EOF\n", o).status.ok());
  EXPECT_EQ(Error("a{b=\"1\",c=\"2\"} 1\n# EOF\n", o), "in: line 1, column 9: expected at most 1 labels, got more");
}

TEST(OpenMetricsParser, ParsesTheReferenceExposition) {
  auto reader = LineReader::Open(std::string(TSDB_SHARED_DIR) + "/reference/exposition/alltypes.5mfs.om.txt");
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  ParseResult r = testing::ParseAll(reader->get(), Format::kOpenMetrics);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  size_t types = 0, exemplars = 0;
  for (const auto& e : r.entries) {
    types += e.kind == EntryKind::kType;
    exemplars += e.sample.has_exemplar;
    if (e.kind == EntryKind::kSample) {
      EXPECT_NE(e.type, MetricType::kUnknown) << e.metric_name;
    }
  }
  EXPECT_EQ(types, 5u);
  EXPECT_GT(exemplars, 0u);
  EXPECT_EQ(r.entries.back().kind, EntryKind::kEOF);
}

}  // namespace
}  // namespace tsdb::textparse
