// The API JSON of tsdb-query -o json, against what Prometheus writes
// (util/jsonutil/marshal.go, web/api/v1/json_codec.go, promql/value.go);
// the caret under a parse error's position; series as promtool prints them.
#include "query/api_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "query/output.h"
#include "query/query.h"

namespace tsdb::query {
namespace {

std::string Value(double v) {
  std::string s;
  AppendApiValue(v, &s);
  return s;
}
std::string Time(int64_t ms) {
  std::string s;
  AppendApiTimestamp(ms, &s);
  return s;
}
std::string Str(std::string_view v) {
  std::string s;
  AppendJsonString(v, &s);
  return s;
}

TEST(ApiJson, ValuesAreGoFormatFloatFixedWithExponentsAtTheEdges) {
  EXPECT_EQ(Value(1), "\"1\"");
  EXPECT_EQ(Value(1.5), "\"1.5\"");
  EXPECT_EQ(Value(0.1), "\"0.1\"");
  EXPECT_EQ(Value(0), "\"0\"");
  EXPECT_EQ(Value(-0.0), "\"-0\"");
  EXPECT_EQ(Value(1e-6), "\"0.000001\"");
  EXPECT_EQ(Value(1e-7), "\"1e-07\"");
  EXPECT_EQ(Value(-2.5e-10), "\"-2.5e-10\"");
  EXPECT_EQ(Value(1e20), "\"100000000000000000000\"");
  EXPECT_EQ(Value(1e21), "\"1e+21\"");
  EXPECT_EQ(Value(123456789.125), "\"123456789.125\"");
  EXPECT_EQ(Value(1.0 / 3), "\"0.3333333333333333\"");
  EXPECT_EQ(Value(std::nan("")), "\"NaN\"");
  EXPECT_EQ(Value(std::numeric_limits<double>::infinity()), "\"+Inf\"");
  EXPECT_EQ(Value(-std::numeric_limits<double>::infinity()), "\"-Inf\"");
}

TEST(ApiJson, TimestampsAreSecondsWithAThreeDigitFraction) {
  EXPECT_EQ(Time(1700000000000), "1700000000");
  EXPECT_EQ(Time(1700000000123), "1700000000.123");
  EXPECT_EQ(Time(1700000000500), "1700000000.500");
  EXPECT_EQ(Time(1700000000005), "1700000000.005");
  EXPECT_EQ(Time(0), "0");
  EXPECT_EQ(Time(-1500), "-1.500");
}

TEST(ApiJson, StringsAreEscapedAsGoEscapesThem) {
  EXPECT_EQ(Str("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Str("<&>"), R"("\u003c\u0026\u003e")");
  EXPECT_EQ(Str("\n\t\x01"), R"("\n\t\u0001")");
  EXPECT_EQ(Str("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(Str("bad\xff"), R"("bad\ufffd")");
  EXPECT_EQ(Str("\xe2\x80\xa8"), R"("\u2028")");
}

TEST(ApiJson, QueryDataOfEachResultType) {
  promql::QueryResult v;
  v.type = promql::ValueType::kVector;
  promql::Sample sample;
  sample.metric = Labels::FromStrings({"__name__", "up", "job", "a"});
  sample.t = 1700000000123;
  sample.f = 1;
  v.vector.push_back(sample);
  std::string s;
  AppendQueryData(v, &s);
  EXPECT_EQ(s, R"({"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},"value":[1700000000.123,"1"]}]})");

  promql::QueryResult m;
  m.type = promql::ValueType::kMatrix;
  promql::Series series;
  series.floats = {{1000, 1}, {2000, 0.5}};
  m.matrix.push_back(series);
  s.clear();
  AppendQueryData(m, &s);
  EXPECT_EQ(s, R"({"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"0.5"]]}]})");

  promql::QueryResult sc;
  sc.type = promql::ValueType::kScalar;
  sc.scalar = {1700000000500, 1e-7};
  s.clear();
  AppendQueryData(sc, &s);
  // A scalar goes through encoding/json: float time, 'f' value without exponent.
  EXPECT_EQ(s, R"({"resultType":"scalar","result":[1700000000.5,"0.0000001"]})");

  promql::QueryResult st;
  st.type = promql::ValueType::kString;
  st.string = {1000, "x"};
  s.clear();
  AppendQueryData(st, &s);
  EXPECT_EQ(s, R"({"resultType":"string","result":[1,"x"]})");
}

TEST(ApiJson, GoJsonNumbersShortenTheExponent) {
  std::string s;
  AppendGoJsonNumber(1e-7, &s);
  EXPECT_EQ(s, "1e-7");
  s.clear();
  AppendGoJsonNumber(1e21, &s);
  EXPECT_EQ(s, "1e+21");
  s.clear();
  AppendGoJsonNumber(0.001, &s);
  EXPECT_EQ(s, "0.001");
}

TEST(Caret, PointsAtTheByteOffsetOnItsLine) {
  EXPECT_EQ(CaretDisplay("rate(x[5m)", 9), "  rate(x[5m)\n           ^\n");
  EXPECT_EQ(CaretDisplay("sum(", 4), "  sum(\n      ^\n");
  EXPECT_EQ(CaretDisplay("a +\n  b c", 8), "    b c\n      ^\n");
  EXPECT_EQ(CaretDisplay("{\"\xc3\xa9\"} x", 7), "  {\"\xc3\xa9\"} x\n        ^\n");
}

TEST(SeriesString, AsPromtoolPrintsSeries) {
  EXPECT_EQ(SeriesString(Labels::FromStrings({"__name__", "up", "job", "a", "x", "q\""})),
            R"(up{job="a", x="q\""})");
  EXPECT_EQ(SeriesString(Labels::FromStrings({"__name__", "up"})), "up");
  EXPECT_EQ(SeriesString(Labels()), "{}");
  EXPECT_EQ(SeriesString(Labels::FromStrings({"job", "a"})), R"({job="a"})");
  EXPECT_EQ(SeriesString(Labels::FromStrings({"__name__", "a.b", "job", "a"})), R"({__name__="a.b", job="a"})");
}

}  // namespace
}  // namespace tsdb::query
