#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "textparse/parser.h"
#include "textparse/writer.h"

namespace tsdb::textparse {
namespace {

TEST(ParseValue, AcceptsGoParseFloatSyntax) {
  EXPECT_EQ(ParseValue("1"), 1.0);
  EXPECT_EQ(ParseValue("-1.5"), -1.5);
  EXPECT_EQ(ParseValue("+1.5"), 1.5);
  EXPECT_EQ(ParseValue(".5"), 0.5);
  EXPECT_EQ(ParseValue("5."), 5.0);
  EXPECT_EQ(ParseValue("1e3"), 1000.0);
  EXPECT_EQ(ParseValue("1E+3"), 1000.0);
  EXPECT_EQ(ParseValue("1.5e-3"), 0.0015);
  EXPECT_EQ(ParseValue("007"), 7.0);
  EXPECT_EQ(ParseValue("1.726839813016397e+09"), 1.726839813016397e+09);
  EXPECT_EQ(ParseValue("1e-400"), 0.0);  // underflow is zero, as in Go
  EXPECT_EQ(ParseValue("4.9e-324"), 4.9e-324);
}

TEST(ParseValue, AcceptsSpecialsAsGoDoes) {
  for (const char* s : {"+Inf", "Inf", "inf", "INF", "infinity", "+Infinity"}) {
    ASSERT_TRUE(ParseValue(s).has_value()) << s;
    EXPECT_EQ(*ParseValue(s), std::numeric_limits<double>::infinity()) << s;
  }
  EXPECT_EQ(*ParseValue("-Inf"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(*ParseValue("-infinity"), -std::numeric_limits<double>::infinity());
  for (const char* s : {"NaN", "nan", "NAN"}) {
    ASSERT_TRUE(ParseValue(s).has_value()) << s;
    // Prometheus's value.NormalNaN.
    EXPECT_EQ(std::bit_cast<uint64_t>(*ParseValue(s)), 0x7ff8000000000001ULL) << s;
  }
  EXPECT_TRUE(std::signbit(*ParseValue("-0")));
}

TEST(ParseValue, RejectsWhatGoRejects) {
  for (const char* s : {"", "+", "-", ".", "e5", "1e", "1e+", "1.5.", "--1", "+-1", "-+1", "0x10", "0x1p-2", "1_000",
                        "1p5", "+NaN", "-nan", "nan(1)", "infin", "Infinityy", "1 ", " 1", "1,5", "abc", "1e400",
                        "-1e400"}) {
    EXPECT_FALSE(ParseValue(s).has_value()) << s;
  }
}

TEST(AppendValue, SpellsFloatsAsGoFormatFloatG) {
  struct Case {
    double v;
    const char* want;
  };
  const Case cases[] = {
      {0, "0"},
      {-0.0, "-0"},
      {1, "1"},
      {-1, "-1"},
      {0.1, "0.1"},
      {2.5, "2.5"},
      {100, "100"},
      {123456, "123456"},
      {100000, "100000"},
      {999999, "999999"},
      {1e6, "1e+06"},
      {1234567, "1.234567e+06"},
      {12345.678, "12345.678"},
      {0.0001, "0.0001"},
      {0.000123, "0.000123"},
      {0.00001, "1e-05"},
      {1.5e-7, "1.5e-07"},
      {1e21, "1e+21"},
      {1e100, "1e+100"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {5e-324, "5e-324"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1.726839813016397e+09, "1.726839813016397e+09"},
      {-0.0003825067330956884, "-0.0003825067330956884"},
      {-8.999999999999979e-05, "-8.999999999999979e-05"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
  };
  for (const Case& c : cases) EXPECT_EQ(FormatValue(c.v), c.want) << c.want;
}

TEST(AppendValue, RoundTripsThroughParseValue) {
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double v = std::bit_cast<double>(x);
    if (std::isnan(v)) continue;
    std::optional<double> back = ParseValue(FormatValue(v));
    ASSERT_TRUE(back.has_value()) << FormatValue(v);
    EXPECT_EQ(std::bit_cast<uint64_t>(*back), x) << FormatValue(v);
  }
}

TEST(AppendOpenMetricsTimestamp, WritesSecondsThatPrometheusReadsBackExactly) {
  auto ts = [](int64_t ms) {
    std::string s;
    AppendOpenMetricsTimestamp(ms, &s);
    return s;
  };
  EXPECT_EQ(ts(1700000000000), "1700000000");
  EXPECT_EQ(ts(1700000000500), "1700000000.5");
  EXPECT_EQ(ts(1700000000120), "1700000000.12");
  EXPECT_EQ(ts(0), "0");
  EXPECT_EQ(ts(-1500), "-1.5");
  EXPECT_EQ(ts(1), "0.001");
  // Every millisecond in a range reads back through int64(seconds*1000).
  for (int64_t ms = 1700000000000; ms < 1700000003000; ++ms) {
    std::string s = ts(ms);
    std::optional<double> v = ParseValue(s);
    ASSERT_TRUE(v.has_value()) << s;
    EXPECT_EQ(static_cast<int64_t>(*v * 1000), ms) << s;
  }
  for (int64_t ms = -3000; ms < 3000; ++ms) {
    std::optional<double> v = ParseValue(ts(ms));
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(static_cast<int64_t>(*v * 1000), ms) << ts(ms);
  }
}

TEST(MetricTypeName, NamesEveryType) {
  EXPECT_EQ(MetricTypeName(MetricType::kUnknown), "unknown");
  EXPECT_EQ(MetricTypeName(MetricType::kCounter), "counter");
  EXPECT_EQ(MetricTypeName(MetricType::kGauge), "gauge");
  EXPECT_EQ(MetricTypeName(MetricType::kHistogram), "histogram");
  EXPECT_EQ(MetricTypeName(MetricType::kGaugeHistogram), "gaugehistogram");
  EXPECT_EQ(MetricTypeName(MetricType::kSummary), "summary");
  EXPECT_EQ(MetricTypeName(MetricType::kInfo), "info");
  EXPECT_EQ(MetricTypeName(MetricType::kStateset), "stateset");
  EXPECT_EQ(MetricTypeName(MetricType::kUntyped), "untyped");
}

}  // namespace
}  // namespace tsdb::textparse
