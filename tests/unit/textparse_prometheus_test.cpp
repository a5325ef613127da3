// The Prometheus text format 0.0.4 parser, element by element and error by error.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>

#include "textparse_test_util.h"

namespace tsdb::textparse {
namespace {

using testing::Parse;
using testing::ParseResult;
using Labels2 = std::vector<std::pair<std::string, std::string>>;

ParseResult Prom(std::string_view text, ParserOptions o = {}) { return Parse(text, Format::kPrometheus, o); }
std::string Error(std::string_view text, ParserOptions o = {}) {
  ParseResult r = Prom(text, o);
  EXPECT_FALSE(r.status.ok()) << text;
  return r.status.message();
}

}  // namespace
}  // namespace tsdb::textparse

namespace tsdb::textparse {
namespace {

TEST(PrometheusParser, ReadsHelpTypeCommentsAndSamples) {
  ParseResult r = Prom(
      "# HELP http_requests_total The total.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
      "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000\n"
      "\n"
      "# a comment\n"
      "#another\n"
      "metric_without_timestamp_and_labels 12.47\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.entries.size(), 7u);
  EXPECT_EQ(r.entries[0].kind, EntryKind::kHelp);
  EXPECT_EQ(r.entries[0].family, "http_requests_total");
  EXPECT_EQ(r.entries[0].text, "The total.");
  EXPECT_EQ(r.entries[1].kind, EntryKind::kType);
  EXPECT_EQ(r.entries[1].type, MetricType::kCounter);
  EXPECT_EQ(r.entries[2].kind, EntryKind::kSample);
  EXPECT_EQ(r.entries[2].line, 3u);
  EXPECT_EQ(r.entries[2].sample.name, "http_requests_total");
  EXPECT_EQ(r.entries[2].sample.labels, (Labels2{{"method", "post"}, {"code", "200"}}));
  EXPECT_EQ(std::bit_cast<double>(r.entries[2].sample.value_bits), 1027);
  EXPECT_EQ(r.entries[2].sample.ts, 1395066363000);
  EXPECT_EQ(r.entries[2].family, "http_requests_total");
  EXPECT_EQ(r.entries[2].type, MetricType::kCounter);
  EXPECT_EQ(std::bit_cast<double>(r.entries[3].sample.value_bits), 3);
  EXPECT_EQ(r.entries[4].kind, EntryKind::kComment);
  EXPECT_EQ(r.entries[4].line, 6u);
  EXPECT_EQ(r.entries[4].text, "# a comment");
  EXPECT_EQ(r.entries[5].kind, EntryKind::kComment);
  EXPECT_EQ(r.entries[5].text, "#another");
  EXPECT_EQ(r.entries[6].sample.name, "metric_without_timestamp_and_labels");
  EXPECT_FALSE(r.entries[6].sample.ts.has_value());
  EXPECT_EQ(r.entries[6].family, "metric_without_timestamp_and_labels");
  EXPECT_EQ(r.entries[6].type, MetricType::kUnknown);
}

TEST(PrometheusParser, AllowsWhitespaceBetweenAnyTokens) {
  ParseResult r = Prom("foo \t{ a = \"1\" , b=\"2\" , }\t 3 \t 4 \t\n\t\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.entries[0].sample.labels, (Labels2{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(r.entries[0].sample.ts, 4);
}

TEST(PrometheusParser, AllowsLabelsWithoutCommaAndTrailingComma) {
  // As Prometheus's parser does (promparse.go notes it).
  ParseResult r = Prom("foo{a=\"1\" b=\"2\",} 1\nbar{} 2\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.entries[0].sample.labels, (Labels2{{"a", "1"}, {"b", "2"}}));
  EXPECT_TRUE(r.entries[1].sample.labels.empty());
}

TEST(PrometheusParser, UnescapesLabelValuesAndHelp) {
  ParseResult r = Prom(
      "# HELP m a\\\\b\\nc\\\"d\n"
      "m{a=\"x\\\\y\",b=\"q\\\"r\",c=\"l1\\nl2\",d=\"t\\tu\"} 1\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.entries[0].text, "a\\b\nc\\\"d");  // help: only \\ and \n
  EXPECT_EQ(r.entries[1].sample.labels,
            (Labels2{{"a", "x\\y"}, {"b", "q\"r"}, {"c", "l1\nl2"}, {"d", "t\\tu"}}));
}

TEST(PrometheusParser, ReadsQuotedUTF8Names) {
  ParseResult r = Prom(
      "# TYPE \"my.metric\" gauge\n"
      "{\"my.metric\", a=\"b\"} 1\n"
      "{\"my.metric\",\"label.x\"=\"v\",\"ü\"=\"w\"} 2\n"
      "{a=\"b\", \"my.metric\"} 3\n"
      "{\"quo\\\"te\"} 4\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.entries.size(), 5u);
  EXPECT_EQ(r.entries[0].family, "my.metric");
  EXPECT_EQ(r.entries[1].sample.name, "my.metric");
  EXPECT_EQ(r.entries[1].sample.labels, (Labels2{{"a", "b"}}));
  EXPECT_EQ(r.entries[1].type, MetricType::kGauge);
  EXPECT_EQ(r.entries[2].sample.labels, (Labels2{{"label.x", "v"}, {"ü", "w"}}));
  EXPECT_EQ(r.entries[3].sample.name, "my.metric");
  EXPECT_EQ(r.entries[3].sample.labels, (Labels2{{"a", "b"}}));
  EXPECT_EQ(r.entries[4].sample.name, "quo\"te");
}

TEST(PrometheusParser, ReadsSpecialValuesAndNegativeZero) {
  ParseResult r = Prom("a NaN\nb +Inf\nc -Inf\nd Inf\ne -0\nf 1e-05\ng .5\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  auto v = [&](size_t i) { return std::bit_cast<double>(r.entries[i].sample.value_bits); };
  EXPECT_TRUE(std::isnan(v(0)));
  EXPECT_EQ(v(1), INFINITY);
  EXPECT_EQ(v(2), -INFINITY);
  EXPECT_EQ(v(3), INFINITY);
  EXPECT_TRUE(std::signbit(v(4)));
  EXPECT_EQ(v(5), 1e-5);
  EXPECT_EQ(v(6), 0.5);
}

TEST(PrometheusParser, ReadsLastLineWithoutNewlineAndCarriageReturnIsNotWhitespace) {
  ParseResult r = Prom("a 1\nb 2");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.entries.size(), 2u);
  // Prometheus reads "\r" as part of the value.
  EXPECT_EQ(Error("a 1\r\n"), "in: line 1, column 3: expected a float value, got \"1\\r\"");
}

TEST(PrometheusParser, TreatsHelpAndTypeWithoutSpaceAsComments) {
  ParseResult r = Prom("# HELP\n# TYPEfoo\n#HELP foo x\n# HELPER x\n");
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.entries.size(), 4u);
  for (const auto& e : r.entries) EXPECT_EQ(e.kind, EntryKind::kComment) << e.text;
}

TEST(PrometheusParser, HelpTextKeepsAllButTheFirstSeparator) {
  ParseResult r = Prom("# HELP a  two spaces\n# HELP b\n# HELP c \n");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.entries[0].text, " two spaces");
  EXPECT_EQ(r.entries[1].text, "");
  EXPECT_EQ(r.entries[2].text, "");
}

TEST(PrometheusParser, AssignsSamplesToFamiliesBySuffix) {
  ParseResult r = Prom(
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\"} 1\nh_sum 2\nh_count 3\nh_created 4\nh_other 5\n"
      "# TYPE s summary\n"
      "s{quantile=\"0.5\"} 1\ns_sum 1\ns_count 1\ns_bucket 1\n"
      "# TYPE c_total counter\nc_total 1\n"
      "# TYPE d counter\nd_total 1\nd 2\n"
      "# TYPE u untyped\nu 1\n"
      "# HELP g help only\ng 1\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  std::vector<std::pair<std::string, MetricType>> got;
  for (const auto& e : r.entries) {
    if (e.kind == EntryKind::kSample) got.emplace_back(e.family, e.type);
  }
  std::vector<std::pair<std::string, MetricType>> want = {
      {"h", MetricType::kHistogram},       {"h", MetricType::kHistogram}, {"h", MetricType::kHistogram},
      {"h", MetricType::kHistogram},       {"h_other", MetricType::kUnknown},
      {"s", MetricType::kSummary},         {"s", MetricType::kSummary},   {"s", MetricType::kSummary},
      {"s_bucket", MetricType::kUnknown},  {"c_total", MetricType::kCounter},
      {"d", MetricType::kCounter},         {"d", MetricType::kCounter},   {"u", MetricType::kUntyped},
      {"g", MetricType::kUnknown},
  };
  EXPECT_EQ(got, want);
}

TEST(PrometheusParser, ParsesPrometheusOddities) {
  // "foo-1 2" is metric foo, value -1, timestamp 2 in Prometheus's lexer.
  ParseResult r = Prom("foo-1 2\nbar{a=\"b\"}7\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.entries[0].sample.name, "foo");
  EXPECT_EQ(std::bit_cast<double>(r.entries[0].sample.value_bits), -1);
  EXPECT_EQ(r.entries[0].sample.ts, 2);
  EXPECT_EQ(std::bit_cast<double>(r.entries[1].sample.value_bits), 7);
}

TEST(PrometheusParser, ReportsEachErrorWithLineAndColumn) {
  EXPECT_EQ(Error("ok 1\n=x 1\n"), "in: line 2, column 1: expected a metric name, '{' or '#', got \"=x\"");
  EXPECT_EQ(Error("foo\n"), "in: line 1, column 4: expected a value after the metric, got end of line");
  EXPECT_EQ(Error("foo abc\n"), "in: line 1, column 5: expected a float value, got \"abc\"");
  EXPECT_EQ(Error("foo 1 x\n"), "in: line 1, column 7: expected a timestamp or the end of the line, got \"x\"");
  EXPECT_EQ(Error("foo 1 -5\n"), "in: line 1, column 7: expected a timestamp or the end of the line, got \"-5\"");
  EXPECT_EQ(Error("foo 1 5x\n"), "in: line 1, column 8: expected the end of the line after the timestamp, got \"x\"");
  EXPECT_EQ(Error("foo 1 99999999999999999999\n"),
            "in: line 1, column 7: expected a timestamp in milliseconds within int64, got \"99999999999999999999\"");
  EXPECT_EQ(Error("foo 1 2 3\n"), "in: line 1, column 9: expected the end of the line after the timestamp, got \"3\"");
  EXPECT_EQ(Error("foo{a=\"b\"\n"), "in: line 1, column 10: expected a label name or '}', got end of line");
  EXPECT_EQ(Error("foo{a}\n"), "in: line 1, column 6: expected '=', got \"}\"");
  EXPECT_EQ(Error("foo{a=b}\n"), "in: line 1, column 7: expected a quoted label value, got \"b}\"");
  EXPECT_EQ(Error("foo{a=\"b} 1\n"), "in: line 1, column 7: expected a closing '\"', got \"\\\"b}\"");
  EXPECT_EQ(Error("foo{,} 1\n"), "in: line 1, column 5: expected a label name or '}', got \",}\"");
  EXPECT_EQ(Error("foo{a=\"1\",,} 1\n"), "in: line 1, column 11: expected a label name or '}', got \",}\"");
  EXPECT_EQ(Error("foo{1=\"x\"} 1\n"), "in: line 1, column 5: expected a label name or '}', got \"1=\\\"x\\\"}\"");
  EXPECT_EQ(Error("{a=\"b\"} 1\n"), "in: line 1, column 1: expected a metric name, got \"{a=\\\"b\\\"}\"");
  EXPECT_EQ(Error("foo{\"bar\"} 1\n"), "in: line 1, column 5: expected one metric name only, got \"\\\"bar\\\"}\"");
  EXPECT_EQ(Error("{\"\"} 1\n"), "in: line 1, column 2: expected a non-empty name, got \"\\\"\\\"}\"");
  EXPECT_EQ(Error("foo{a=\"\xff\"} 1\n"), "in: line 1, column 7: expected a valid UTF-8 label value, got \"\\\"\\xff\\\"}\"");
  EXPECT_EQ(Error("foo{} 1 {\n"), "in: line 1, column 9: expected a timestamp or the end of the line, got \"{\"");
  EXPECT_EQ(Error("foo{}{} 1\n"), "in: line 1, column 6: expected a value after the metric, got \"{}\"");
}

TEST(PrometheusParser, ReportsMetadataErrors) {
  EXPECT_EQ(Error("# TYPE foo gaugee\n"),
            "in: line 1, column 12: expected a metric type (counter, gauge, histogram, summary or untyped), got "
            "\"gaugee\"");
  EXPECT_EQ(Error("# TYPE foo counter \n"),
            "in: line 1, column 12: expected a metric type (counter, gauge, histogram, summary or untyped), got "
            "\"counter\"");
  EXPECT_EQ(Error("# TYPE foo info\n"),
            "in: line 1, column 12: expected a metric type (counter, gauge, histogram, summary or untyped), got "
            "\"info\"");
  EXPECT_EQ(Error("# HELP 1foo x\n"), "in: line 1, column 8: expected a metric name after HELP, got \"1foo\"");
  EXPECT_EQ(Error("# TYPE \n"), "in: line 1, column 8: expected a metric name after TYPE, got end of line");
  EXPECT_EQ(Error("# HELP foo \xc3\x28\n"), "in: line 1, column 12: expected valid UTF-8 in help text, got \"\\xc3(\"");
}

TEST(PrometheusParser, EnforcesMaxLabels) {
  ParserOptions o;
  o.max_labels = 2;
  EXPECT_TRUE(Prom("foo{a=\"1\",b=\"2\"} 1\n", o).status.ok());
  EXPECT_EQ(Error("foo{a=\"1\",b=\"2\",c=\"3\"} 1\n", o), "in: line 1, column 17: expected at most 2 labels, got more");
}

TEST(PrometheusParser, StopsAtFirstErrorAndKeepsEarlierEntries) {
  ParseResult r = Prom("a 1\nb 2\nc x\nd 4\n");
  EXPECT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.status.message(), "in: line 3, column 3: expected a float value, got \"x\"");
}

TEST(PrometheusParser, SurvivesBinaryGarbage) {
  std::string junk;
  uint32_t x = 12345;
  for (int i = 0; i < 100000; ++i) {
    x = x * 1103515245 + 12345;
    junk.push_back(static_cast<char>(x >> 16));
  }
  ParseResult r = Prom(junk);
  EXPECT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message().rfind("in: line ", 0), 0u) << r.status.message();
}

TEST(PrometheusParser, ParsesTheReferenceExposition) {
  auto reader = LineReader::Open(std::string(TSDB_SHARED_DIR) + "/reference/exposition/alltypes.237mfs.prom.txt");
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  ParseResult r = testing::ParseAll(reader->get(), Format::kPrometheus);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  size_t types = 0, samples = 0;
  for (const auto& e : r.entries) {
    types += e.kind == EntryKind::kType;
    samples += e.kind == EntryKind::kSample;
    if (e.kind == EntryKind::kSample) {
      EXPECT_NE(e.type, MetricType::kUnknown) << e.metric_name;
    }
  }
  EXPECT_EQ(types, 237u);
  EXPECT_GT(samples, 237u);
}

}  // namespace
}  // namespace tsdb::textparse

namespace tsdb::textparse {
namespace {

// Inputs a real Prometheus 2.42 refuses to scrape (found by
// tests/interop/exposition_promtool_test.sh); we refuse them too.
Status ParseAll(std::string_view text, Format format) {
  LineReader reader(text, "in");
  Parser parser(&reader, format);
  Entry e;
  while (parser.Next(&e)) {
  }
  return parser.status();
}

TEST(PrometheusAgreement, RejectsWhatPrometheusRejects) {
  struct Case {
    Format format;
    const char* in;
    const char* want;
  } cases[] = {
      {Format::kPrometheus, "foo{a=\"b\",a=\"c\"} 1\n", "in: line 1, column 11: expected unique label names, got a second \"a\""},
      {Format::kOpenMetrics, "foo{a=\"b\",a=\"c\"} 1\n# EOF\n", "column 11: expected unique label names"},
      {Format::kPrometheus, "foo{__name__=\"bar\"} 1\n", "column 5: expected labels other than __name__"},
      {Format::kOpenMetrics, "foo{__name__=\"bar\"} 1\n# EOF\n", "expected labels other than __name__"},
      {Format::kOpenMetrics, "# TYPE foo gauge\nfoo 1 # {a=\"b\"} 2\n# EOF\n",
       "line 2, column 7: expected an exemplar only on a _total or _bucket sample, got one on \"foo\""},
      {Format::kOpenMetrics, "# TYPE foo histogram\nfoo_count 1 # {a=\"b\"} 1\n# EOF\n",
       "got one on \"foo_count\""},
      {Format::kPrometheus, " foo 1\n", "line 1, column 1: expected a metric name at the start of the line, got whitespace"},
  };
  for (const Case& c : cases) {
    Status s = ParseAll(c.in, c.format);
    ASSERT_FALSE(s.ok()) << c.in;
    EXPECT_NE(s.message().find(c.want), std::string::npos) << c.in << " -> " << s.message();
  }
}

TEST(PrometheusAgreement, ManyLabelsAreCheckedForDuplicatesToo) {
  std::string line = "m{";
  for (int i = 0; i < 40; ++i) line += "l" + std::to_string(i) + "=\"v\",";
  std::string ok = line + "} 1\n";
  EXPECT_TRUE(ParseAll(ok, Format::kPrometheus).ok());
  std::string dup = line + "l7=\"again\"} 1\n";
  Status s = ParseAll(dup, Format::kPrometheus);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("a second \"l7\""), std::string::npos) << s.message();
  // Exemplars on the right samples still parse, and leading blanks before comments are fine.
  EXPECT_TRUE(ParseAll("# TYPE x counter\nx_total 1 # {t=\"1\"} 1\n# EOF\n", Format::kOpenMetrics).ok());
  EXPECT_TRUE(ParseAll("  # a comment\nx 1\n", Format::kPrometheus).ok());
}

}  // namespace
}  // namespace tsdb::textparse
