// Writer, Transcoder and DetectFormat, and round trips through the parsers.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "textparse/writer.h"
#include "textparse_test_util.h"

namespace tsdb::textparse {
namespace {

using testing::Parse;
using testing::ParseResult;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Reference(const char* name) {
  return ReadFile(std::string(TSDB_SHARED_DIR) + "/reference/exposition/" + name);
}

// Writes every entry back with Writer in `format`.
std::string Rewrite(std::string_view text, Format from, Format to) {
  std::string out;
  Writer w(to, &out);
  LineReader reader(text, "in");
  Parser p(&reader, from);
  Entry e;
  while (p.Next(&e)) {
    switch (e.kind) {
      case EntryKind::kHelp: w.Help(e.family, e.text); break;
      case EntryKind::kType: w.Type(e.family, e.type); break;
      case EntryKind::kUnit: w.Unit(e.family, e.text); break;
      case EntryKind::kSample:
        w.Sample(e.metric_name, e.labels, e.value, e.timestamp_ms, e.exemplar ? &*e.exemplar : nullptr);
        break;
      default: break;
    }
  }
  EXPECT_TRUE(p.status().ok()) << p.status().message();
  w.Eof();
  return out;
}

std::string Transcode(std::string_view text, Format from, Format to) {
  std::string out;
  Transcoder t(to, &out);
  LineReader reader(text, "in");
  Parser p(&reader, from);
  Entry e;
  while (p.Next(&e)) t.Add(e);
  EXPECT_TRUE(p.status().ok()) << p.status().message();
  t.Finish();
  return out;
}

std::vector<testing::OwnedSample> WithoutExemplars(std::vector<testing::OwnedSample> samples) {
  for (auto& s : samples) {
    s.has_exemplar = false;
    s.ex_labels.clear();
    s.ex_value_bits = 0;
    s.ex_ts.reset();
  }
  return samples;
}

TEST(Writer, WritesPrometheusTextAsExpfmtDoes) {
  std::string out;
  Writer w(Format::kPrometheus, &out);
  w.Help("foo", "a\\b\nc\"d");
  w.Type("foo", MetricType::kCounter);
  w.Unit("foo", "seconds");  // ignored
  std::vector<LabelView> labels = {{"a", "x\\y\"z\nw"}, {"label.x", "v"}};
  w.Sample("foo", labels, 1.5, 1700000000123);
  w.Sample("foo", {}, 1e6);
  w.Sample("my.metric", labels, -0.0);
  w.Sample("my.metric", {}, std::numeric_limits<double>::quiet_NaN());
  w.Type("bar", MetricType::kUnknown);
  w.Type("gh", MetricType::kGaugeHistogram);
  w.Type("i", MetricType::kInfo);
  w.Type("\"q\"", MetricType::kStateset);
  w.Eof();  // nothing
  EXPECT_EQ(out,
            "# HELP foo a\\\\b\\nc\"d\n"
            "# TYPE foo counter\n"
            "foo{a=\"x\\\\y\\\"z\\nw\",\"label.x\"=\"v\"} 1.5 1700000000123\n"
            "foo 1e+06\n"
            "{\"my.metric\",a=\"x\\\\y\\\"z\\nw\",\"label.x\"=\"v\"} -0\n"
            "{\"my.metric\"} NaN\n"
            "# TYPE bar untyped\n"
            "# TYPE gh histogram\n"
            "# TYPE i gauge\n"
            "# TYPE \"\\\"q\\\"\" gauge\n");
}

TEST(Writer, WritesOpenMetricsWithSecondsExemplarsAndEOF) {
  std::string out;
  Writer w(Format::kOpenMetrics, &out);
  w.Help("foo_seconds", "a\\b\nc\"d");
  w.Type("foo_seconds", MetricType::kCounter);
  w.Unit("foo_seconds", "seconds");
  Exemplar ex;
  ex.labels = {{"trace_id", "abc"}};
  ex.value = 0.5;
  ex.timestamp_ms = 1700000000001;
  std::vector<LabelView> labels = {{"a", "b"}};
  w.Sample("foo_seconds_total", labels, 17, 1700000000123, &ex);
  w.Sample("foo_seconds_total", {}, std::numeric_limits<double>::infinity(), 1700000000000);
  w.Type("u", MetricType::kUntyped);
  w.Eof();
  EXPECT_EQ(out,
            "# HELP foo_seconds a\\\\b\\nc\\\"d\n"
            "# TYPE foo_seconds counter\n"
            "# UNIT foo_seconds seconds\n"
            "foo_seconds_total{a=\"b\"} 17 1700000000.123 # {trace_id=\"abc\"} 0.5 1700000000.001\n"
            "foo_seconds_total +Inf 1700000000\n"
            "# TYPE u unknown\n"
            "# EOF\n");
  EXPECT_TRUE(Parse(out, Format::kOpenMetrics).status.ok());
}

TEST(Writer, WritesLabelsWithNameAsMetricName) {
  std::string out;
  Writer w(Format::kPrometheus, &out);
  w.Sample(Labels::FromStrings({"__name__", "up", "job", "node", "instance", "a:1"}), 1, 5);
  w.Sample(Labels::FromStrings({"__name__", "up"}), 0);
  w.Sample(Labels::FromStrings({"__name__", "a.b", "c-d", "e"}), 2);
  w.Sample(Labels::FromStrings({"job", "x"}), 3);
  EXPECT_EQ(out,
            "up{instance=\"a:1\",job=\"node\"} 1 5\n"
            "up 0\n"
            "{\"a.b\",\"c-d\"=\"e\"} 2\n"
            "{\"\",job=\"x\"} 3\n");
}

TEST(RoundTrip, PrometheusReferenceRewritesToIdenticalSamples) {
  std::string in = Reference("alltypes.237mfs.prom.txt");
  ParseResult first = Parse(in, Format::kPrometheus);
  ASSERT_TRUE(first.status.ok()) << first.status.message();
  std::string out = Rewrite(in, Format::kPrometheus, Format::kPrometheus);
  ParseResult second = Parse(out, Format::kPrometheus);
  ASSERT_TRUE(second.status.ok()) << second.status.message();
  EXPECT_EQ(second.Samples(), first.Samples());
  // The file ends in a "# EOF" comment, which the writer has no entry for.
  EXPECT_EQ(first.entries.back().kind, EntryKind::kComment);
  EXPECT_EQ(second.entries.size(), first.entries.size() - 1);
}

TEST(RoundTrip, OpenMetricsReferenceRewritesToIdenticalSamples) {
  std::string in = Reference("alltypes.5mfs.om.txt");
  ParseResult first = Parse(in, Format::kOpenMetrics);
  ASSERT_TRUE(first.status.ok()) << first.status.message();
  std::string out = Rewrite(in, Format::kOpenMetrics, Format::kOpenMetrics);
  ParseResult second = Parse(out, Format::kOpenMetrics);
  ASSERT_TRUE(second.status.ok()) << second.status.message();
  EXPECT_EQ(second.Samples(), first.Samples());
  EXPECT_EQ(second.entries.size(), first.entries.size());
}

TEST(RoundTrip, TranscodingKeepsSamplesBothWays) {
  for (const char* name : {"alltypes.237mfs.prom.txt", "alltypes.5mfs.om.txt"}) {
    std::string in = Reference(name);
    Format from = std::string(name).find(".om.") != std::string::npos ? Format::kOpenMetrics : Format::kPrometheus;
    Format to = from == Format::kPrometheus ? Format::kOpenMetrics : Format::kPrometheus;
    ParseResult original = Parse(in, from);
    ASSERT_TRUE(original.status.ok());
    std::string there = Transcode(in, from, to);
    ParseResult a = Parse(there, to);
    ASSERT_TRUE(a.status.ok()) << name << ": " << a.status.message();
    EXPECT_EQ(WithoutExemplars(a.Samples()), WithoutExemplars(original.Samples())) << name;
    std::string back = Transcode(there, to, from);
    ParseResult b = Parse(back, from);
    ASSERT_TRUE(b.status.ok()) << name << ": " << b.status.message();
    EXPECT_EQ(WithoutExemplars(b.Samples()), WithoutExemplars(original.Samples())) << name;
    // Every sample keeps a typed family through the trip.
    for (const auto& e : a.entries) {
      if (e.kind == EntryKind::kSample && e.metric_name.find("_created") == std::string::npos &&
          e.metric_name.find("_gsum") == std::string::npos && e.metric_name.find("_gcount") == std::string::npos) {
        EXPECT_NE(e.type, MetricType::kUnknown) << name << " " << e.metric_name;
      }
    }
  }
}

TEST(Transcoder, RenamesFamiliesAndMapsTypesToOpenMetrics) {
  std::string out = Transcode(
      "# HELP c_total Count \"it\".\n# TYPE c_total counter\nc_total{a=\"1\"} 1 1700000000500\n"
      "# TYPE bare counter\nbare 2\n"
      "# TYPE u untyped\nu 3\n"
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"
      "# comment dropped\n"
      "# TYPE nosamples gauge\n",
      Format::kPrometheus, Format::kOpenMetrics);
  EXPECT_EQ(out,
            "# HELP c Count \\\"it\\\".\n# TYPE c counter\nc_total{a=\"1\"} 1 1700000000.5\n"
            "# TYPE bare unknown\nbare 2\n"
            "# TYPE u unknown\nu 3\n"
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"
            "# TYPE nosamples gauge\n"
            "# EOF\n");
}

TEST(Transcoder, RenamesFamiliesAndMapsTypesToPrometheusText) {
  std::string out = Transcode(
      "# TYPE c counter\n# UNIT c_seconds seconds\n"  // UNIT of another family flushes c
      "# HELP c_seconds x\n# TYPE c_seconds counter\n"
      "c_seconds_total 1 1.5 # {t=\"1\"} 2\nc_seconds_created 7\n"
      "# TYPE i info\ni_info{v=\"1\"} 1\n"
      "# TYPE s stateset\ns{s=\"a\"} 1\n"
      "# TYPE gh gaugehistogram\ngh_bucket{le=\"+Inf\"} 1\ngh_gsum 1\ngh_gcount 1\n"
      "# TYPE x unknown\nx 1\n"
      "# EOF\n",
      Format::kOpenMetrics, Format::kPrometheus);
  EXPECT_EQ(out,
            "# TYPE c counter\n"
            "# HELP c_seconds_total x\n# TYPE c_seconds_total counter\n"
            "c_seconds_total 1 1500\nc_seconds_created 7\n"
            "# TYPE i_info gauge\ni_info{v=\"1\"} 1\n"
            "# TYPE s gauge\ns{s=\"a\"} 1\n"
            "# TYPE gh histogram\ngh_bucket{le=\"+Inf\"} 1\ngh_gsum 1\ngh_gcount 1\n"
            "# TYPE x untyped\nx 1\n");
}

TEST(DetectFormat, UsesNameAndOpenMetricsOnlySyntax) {
  EXPECT_EQ(DetectFormat("x.om", "a 1\n"), Format::kOpenMetrics);
  EXPECT_EQ(DetectFormat("x.prom", "a 1\n"), Format::kPrometheus);
  EXPECT_EQ(DetectFormat("-", ""), Format::kPrometheus);
  EXPECT_EQ(DetectFormat("-", "a 1\n# EOF\n"), Format::kOpenMetrics);
  EXPECT_EQ(DetectFormat("-", "# UNIT a_s s\n"), Format::kOpenMetrics);
  EXPECT_EQ(DetectFormat("-", "# TYPE a info\n"), Format::kOpenMetrics);
  EXPECT_EQ(DetectFormat("-", "# TYPE a counter\na_total 1\n"), Format::kOpenMetrics);
  EXPECT_EQ(DetectFormat("-", "# TYPE a counter\na_total{x=\"y\"} 1\n"), Format::kOpenMetrics);
  EXPECT_EQ(DetectFormat("-", "# TYPE a_total counter\na_total 1\n"), Format::kPrometheus);
  EXPECT_EQ(DetectFormat("-", "# TYPE a counter\na 1\n"), Format::kPrometheus);
  EXPECT_EQ(DetectFormat("-", "a_bucket{le=\"1\"} 1 # {t=\"1\"} 1\n"), Format::kOpenMetrics);
  EXPECT_EQ(DetectFormat("-", "a{x=\" # {\"} 1\n"), Format::kPrometheus);
  EXPECT_EQ(DetectFormat("-", "# EOF is only a comment in the middle\n"), Format::kPrometheus);
  EXPECT_EQ(DetectFormat("x", Reference("alltypes.5mfs.om.txt").substr(0, 4096)), Format::kOpenMetrics);
  EXPECT_EQ(DetectFormat("x", Reference("alltypes.237mfs.prom.txt").substr(0, 4096)), Format::kPrometheus);
}

}  // namespace
}  // namespace tsdb::textparse
