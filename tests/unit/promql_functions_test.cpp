// The PromQL function table and implementations, called directly. Expected
// numbers come from Prometheus's promql/promqltest/testdata (functions.test,
// histograms.test) where a case exists there; the series notation in the
// comments is theirs ("0+27x4" = 0, 27, ..., 108).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "promql/functions.h"
#include "promql/functions_internal.h"

namespace tsdb::promql {
namespace {

using internal::Bucket;
constexpr int64_t kMinute = 60 * 1000;
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// Points a, a+step, ... (count values), every interval_ms from t = 0.
std::vector<FPoint> Series(double start, double step, int count, int64_t interval_ms, int64_t t0 = 0) {
  std::vector<FPoint> out;
  for (int i = 0; i < count; ++i) out.push_back({t0 + i * interval_ms, start + step * i});
  return out;
}

// The window (ts - range, ts] of `points`, as the engine hands it over.
struct Window {
  std::vector<FPoint> points;
  Labels metric;
  RangeWindow w;
  Window(const std::vector<FPoint>& all, int64_t ts, int64_t range, Labels m = {}) : metric(std::move(m)) {
    for (const FPoint& p : all) {
      if (p.t > ts - range && p.t <= ts) points.push_back(p);
    }
    w.metric = &metric;
    w.floats = points;
    w.start = ts - range;
    w.end = ts;
  }
};

// A call `name(arg0, arg1, ...)` parsed from `query`, with argument positions.
struct CallFixture {
  std::string query;
  Call call;
  Annotations annotations;
  FunctionContext ctx;
  CallFixture(std::string q, std::vector<PosRange> arg_pos, int64_t ts = 0) : query(std::move(q)) {
    call.pos = {0, static_cast<int>(query.size())};
    for (PosRange p : arg_pos) {
      auto e = std::make_unique<NumberLiteral>();
      e->pos = p;
      call.args.push_back(std::move(e));
    }
    ctx.call = &call;
    ctx.query = query;
    ctx.annotations = &annotations;
    ctx.ts = ts;
  }
};

std::optional<double> CallRange(const char* name, const RangeWindow& w, FunctionContext& ctx,
                                std::vector<double> scalars = {}) {
  const FunctionInfo* f = LookupFunction(name);
  EXPECT_NE(f, nullptr) << name;
  EXPECT_NE(f->range, nullptr) << name;
  return f->range(w, scalars, ctx);
}

Vector CallInstant(const char* name, std::vector<ArgValue> args, FunctionContext& ctx, Status* status = nullptr) {
  const FunctionInfo* f = LookupFunction(name);
  EXPECT_NE(f, nullptr) << name;
  EXPECT_NE(f->instant, nullptr) << name;
  Vector out;
  Status s = f->instant(args, out, ctx);
  if (status) {
    *status = s;
  } else {
    EXPECT_TRUE(s.ok()) << s.message();
  }
  return out;
}

ArgValue Vec(const Vector& v) { return ArgValue{ValueType::kVector, &v, 0, {}}; }
ArgValue Num(double x) { return ArgValue{ValueType::kScalar, nullptr, x, {}}; }
ArgValue Str(std::string_view s) { return ArgValue{ValueType::kString, nullptr, 0, s}; }

Sample S(std::initializer_list<std::string_view> labels, double v) { return Sample{Labels::FromStrings(labels), 0, v}; }

TEST(FunctionTable, LookupFindsEveryFunctionAndNothingElse) {
  for (const FunctionInfo& f : AllFunctions()) EXPECT_EQ(LookupFunction(f.name), &f);
  EXPECT_EQ(LookupFunction("nonexistent"), nullptr);
  EXPECT_EQ(LookupFunction("rate")->arg_types, std::vector<ValueType>{ValueType::kMatrix});
  EXPECT_EQ(LookupFunction("round")->variadic, 1);
  EXPECT_EQ(LookupFunction("label_join")->variadic, -1);
  EXPECT_EQ(LookupFunction("pi")->return_type, ValueType::kScalar);
  EXPECT_EQ(LookupFunction("mad_over_time")->feature, "promql-experimental-functions");
  EXPECT_EQ(LookupFunction("first_over_time")->feature, "");
  EXPECT_EQ(LookupFunction("absent")->instant, nullptr);
}

TEST(FunctionTable, KeepsTheNameExactlyWherePrometheus3Does) {
  for (const char* keeps : {"label_replace", "label_join", "sort", "sort_desc", "sort_by_label", "sort_by_label_desc",
                            "last_over_time", "first_over_time"}) {
    EXPECT_FALSE(LookupFunction(keeps)->drops_name) << keeps;
  }
  for (const char* drops : {"rate", "abs", "round", "clamp", "histogram_quantile", "max_over_time",
                            "ts_of_last_over_time", "timestamp", "hour"}) {
    EXPECT_TRUE(LookupFunction(drops)->drops_name) << drops;
  }
}

TEST(FormatPosition, CountsLinesAndByteColumnsFromOne) {
  EXPECT_EQ(FormatPosition("rate(foo[5m])", {5, 12}), "(1:6)");
  EXPECT_EQ(FormatPosition("sum(\n  rate(x[1m]))", {12, 13}), "(2:8)");
  EXPECT_EQ(FormatPosition("", {0, 0}), "(unknown position)");
  EXPECT_EQ(FormatPosition("x", {5, 6}), "(invalid position)");
}

TEST(GoFormat, PrintsFloatsAsGoPercentG) {
  EXPECT_EQ(internal::GoFormatG(1.5), "1.5");
  EXPECT_EQ(internal::GoFormatG(-0.5), "-0.5");
  EXPECT_EQ(internal::GoFormatG(1e6), "1e+06");
  EXPECT_EQ(internal::GoFormatG(123456), "123456");
  EXPECT_EQ(internal::GoFormatG(0.0001), "0.0001");
  EXPECT_EQ(internal::GoFormatG(0.00001), "1e-05");
  EXPECT_EQ(internal::GoFormatG(kNaN), "NaN");
  EXPECT_EQ(internal::GoFormatG(-kInf), "-Inf");
  EXPECT_EQ(internal::GoFormatG(0), "0");
  EXPECT_EQ(internal::GoFormatG(10, 2), "10");
  EXPECT_EQ(internal::GoFormatG(100, 2), "1e+02");
  EXPECT_EQ(internal::GoFormatG(0.123, 2), "0.12");
  EXPECT_EQ(internal::GoFormatF(0.5), "0.500000");
}

TEST(Annotations, KeepsEachMessageOnceIgnoringItsPosition) {
  Annotations a;
  a.AddWarning("PromQL warning: x (1:5)");
  a.AddWarning("PromQL warning: y");
  a.AddWarning("PromQL warning: x (2:7)");
  a.AddInfo("PromQL info: z (1:1)");
  Annotations b;
  b.AddWarning("PromQL warning: y");
  b.AddInfo("PromQL info: w (1:2)");
  a.Merge(b);
  EXPECT_EQ(a.warnings(), (std::vector<std::string>{"PromQL warning: x (1:5)", "PromQL warning: y"}));
  EXPECT_EQ(a.infos(), (std::vector<std::string>{"PromQL info: z (1:1)", "PromQL info: w (1:2)"}));
}

// load 5m: testcounter_reset_middle_total 0+<step>x4 0+<step>x5
std::vector<FPoint> ResetMiddle(double step = 27) {
  auto s = Series(0, step, 5, 5 * kMinute);
  for (const FPoint& p : Series(0, step, 6, 5 * kMinute, 25 * kMinute)) s.push_back(p);
  return s;
}

TEST(Rate, CorrectsCounterResetsInTheMiddle) {
  CallFixture c("rate(testcounter_reset_middle_total[50m])", {{5, 41}});
  Window w(ResetMiddle(), 50 * kMinute, 50 * kMinute, Labels::FromStrings({"__name__", "testcounter_reset_middle_total"}));
  auto r = CallRange("rate", w.w, c.ctx);
  ASSERT_TRUE(r);
  EXPECT_NEAR(*r, 0.08, 1e-12);
  EXPECT_TRUE(c.annotations.empty());
}

TEST(Rate, NeedsTwoSamplesAndIgnoresAResetAtTheEnd) {
  // testcounter_reset_end_total 0+10x9 0 10
  auto s = Series(0, 10, 10, 5 * kMinute);
  s.push_back({50 * kMinute, 0});
  s.push_back({55 * kMinute, 10});
  FunctionContext ctx;
  EXPECT_FALSE(CallRange("rate", Window(s, 50 * kMinute, 5 * kMinute).w, ctx));
  auto r = CallRange("rate", Window(s, 50 * kMinute, 6 * kMinute).w, ctx);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 0);
}

TEST(Increase, ExtrapolatesHalfAnIntervalButNotBelowZero) {
  FunctionContext ctx;
  // increase(http_requests_total[100m]) at 50m.
  auto bar = Series(0, 18, 6, 5 * kMinute);
  for (const FPoint& p : Series(0, 18, 5, 5 * kMinute, 30 * kMinute)) bar.push_back(p);
  EXPECT_NEAR(*CallRange("increase", Window(bar, 50 * kMinute, 100 * kMinute).w, ctx), 162, 1e-9);
  EXPECT_NEAR(*CallRange("increase", Window(Series(10, 10, 11, 5 * kMinute), 50 * kMinute, 100 * kMinute).w, ctx),
              105, 1e-9);
  EXPECT_NEAR(*CallRange("increase", Window(Series(1, 10, 11, 5 * kMinute), 50 * kMinute, 100 * kMinute).w, ctx),
              101, 1e-9);
  // 0 1 2 3 2 3 4: the reset 3 -> 2 counts as 3 0 1 2.
  std::vector<FPoint> reset = {{0, 0}, {5 * kMinute, 1}, {10 * kMinute, 2}, {15 * kMinute, 3},
                               {20 * kMinute, 2}, {25 * kMinute, 3}, {30 * kMinute, 4}};
  EXPECT_NEAR(*CallRange("increase", Window(reset, 30 * kMinute, 30 * kMinute).w, ctx), 7, 1e-9);
}

TEST(Rate, CutsLeftExtrapolationAtTheCountersZeroPoint) {
  FunctionContext ctx;
  // load 4m: testcounter_zero_cutoff_total{start="1m"} 60+240x10, at 10m over 20m.
  auto r = CallRange("rate", Window(Series(60, 240, 11, 4 * kMinute), 10 * kMinute, 20 * kMinute).w, ctx);
  EXPECT_NEAR(*r, 0.55, 1e-12);
  r = CallRange("rate", Window(Series(300, 240, 11, 4 * kMinute), 10 * kMinute, 20 * kMinute).w, ctx);
  EXPECT_NEAR(*r, 0.6, 1e-12);
}

TEST(Rate, InfoForANameThatDoesNotLookLikeACounter) {
  CallFixture c("rate(requests[5m])", {{5, 17}});
  Window w(Series(0, 1, 5, kMinute), 4 * kMinute, 5 * kMinute, Labels::FromStrings({"__name__", "requests"}));
  ASSERT_TRUE(CallRange("rate", w.w, c.ctx));
  ASSERT_EQ(c.annotations.infos().size(), 1u);
  EXPECT_EQ(c.annotations.infos()[0],
            "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "
            "\"requests\" (1:6)");
  // No result, no info; delta does not care.
  CallFixture d("rate(requests[5m])", {{5, 17}});
  Window one(Series(0, 1, 1, kMinute), 0, 5 * kMinute, Labels::FromStrings({"__name__", "requests"}));
  EXPECT_FALSE(CallRange("rate", one.w, d.ctx));
  EXPECT_TRUE(CallRange("delta", w.w, d.ctx));
  EXPECT_TRUE(d.annotations.empty());
}

TEST(Delta, ExtrapolatesWithoutCounterSemantics) {
  FunctionContext ctx;
  // 10 5 0 over (0, 10m]: 5 -> 0 in 5m, extrapolated to the whole 10m; a
  // counter would not extrapolate below zero.
  std::vector<FPoint> s = {{0, 10}, {5 * kMinute, 5}, {10 * kMinute, 0}};
  EXPECT_NEAR(*CallRange("delta", Window(s, 10 * kMinute, 10 * kMinute).w, ctx), -10, 1e-12);
  // 20 10 at 10m and 20m over (0, 20m]: the start is one interval away
  // (within 1.1 intervals), so the line is extended to it: -20.
  std::vector<FPoint> g = {{10 * kMinute, 20}, {20 * kMinute, 10}};
  EXPECT_NEAR(*CallRange("delta", Window(g, 20 * kMinute, 20 * kMinute).w, ctx), -20, 1e-12);
  // Three intervals from the start: only half an interval is added.
  EXPECT_NEAR(*CallRange("delta", Window(g, 20 * kMinute, 40 * kMinute).w, ctx), -15, 1e-12);
}

TEST(Irate, UsesTheLastTwoSamplesAndTheResetValue) {
  FunctionContext ctx;
  std::vector<FPoint> s = {{0, 1}, {10000, 5}, {20000, 2}};
  EXPECT_DOUBLE_EQ(*CallRange("irate", Window(s, 20000, 60000).w, ctx), 0.2);  // reset: 2 / 10s
  EXPECT_DOUBLE_EQ(*CallRange("idelta", Window(s, 20000, 60000).w, ctx), -3);
  EXPECT_FALSE(CallRange("irate", Window(s, 20000, 10000).w, ctx));
}

TEST(Deriv, RegressesOverTheWindow) {
  FunctionContext ctx;
  // deriv(testcounter_reset_middle_total[100m]) at 50m.
  auto r = CallRange("deriv", Window(ResetMiddle(10), 50 * kMinute, 100 * kMinute).w, ctx);
  EXPECT_NEAR(*r, 0.010606060606060607, 1e-15);
}

TEST(PredictLinear, PredictsFromTheEvaluationTime) {
  FunctionContext ctx;
  ctx.ts = 50 * kMinute;
  auto r = CallRange("predict_linear", Window(ResetMiddle(10), 50 * kMinute, 50 * kMinute).w, ctx, {3600});
  EXPECT_NEAR(*r, 70, 1e-9);
  // predict_linear(testcounter_reset_middle_total[55m] @ 3000, 3600) at 10m.
  ctx.ts = 10 * kMinute;
  r = CallRange("predict_linear", Window(ResetMiddle(10), 50 * kMinute, 55 * kMinute).w, ctx, {3600});
  EXPECT_NEAR(*r, 51.36363636363637, 1e-9);
}

TEST(ResetsAndChanges, CountDecreasesAndChangesWithNaNStayingNaN) {
  FunctionContext ctx;
  std::vector<FPoint> s = {{1, 1}, {2, 2}, {3, 0}, {4, kNaN}, {5, kNaN}, {6, 3}, {7, 1}};
  EXPECT_EQ(*CallRange("resets", Window(s, 10, 10).w, ctx), 2);
  EXPECT_EQ(*CallRange("changes", Window(s, 10, 10).w, ctx), 5);  // NaN -> NaN is no change
  EXPECT_EQ(*CallRange("changes", Window({{1, 1}}, 10, 10).w, ctx), 0);
}

TEST(OverTime, AggregatesWithPrometheusNaNRules) {
  FunctionContext ctx;
  std::vector<FPoint> s = {{1, kNaN}, {2, 3}, {3, 1}, {4, 2}};
  Window w(s, 10, 10);
  EXPECT_EQ(*CallRange("max_over_time", w.w, ctx), 3);  // any value replaces NaN
  EXPECT_EQ(*CallRange("min_over_time", w.w, ctx), 1);
  EXPECT_EQ(*CallRange("count_over_time", w.w, ctx), 4);
  EXPECT_TRUE(std::isnan(*CallRange("sum_over_time", w.w, ctx)));
  EXPECT_EQ(*CallRange("last_over_time", w.w, ctx), 2);
  EXPECT_TRUE(std::isnan(*CallRange("first_over_time", w.w, ctx)));
  EXPECT_EQ(*CallRange("present_over_time", w.w, ctx), 1);
  EXPECT_EQ(*CallRange("ts_of_max_over_time", w.w, ctx), 0.002);
  EXPECT_EQ(*CallRange("ts_of_last_over_time", w.w, ctx), 0.004);
  EXPECT_TRUE(std::isnan(*CallRange("mad_over_time", w.w, ctx)));

  std::vector<FPoint> ties = {{1000, 1}, {2000, 5}, {3000, 5}, {4000, 1}};
  EXPECT_EQ(*CallRange("ts_of_max_over_time", Window(ties, 5000, 5000).w, ctx), 3);  // the last of equals
  EXPECT_EQ(*CallRange("ts_of_min_over_time", Window(ties, 5000, 5000).w, ctx), 4);
  EXPECT_EQ(*CallRange("ts_of_first_over_time", Window(ties, 5000, 5000).w, ctx), 1);
}

TEST(OverTime, AverageSurvivesOverflowAndVarianceIsPopulation) {
  FunctionContext ctx;
  const double big = std::numeric_limits<double>::max();
  std::vector<FPoint> s = {{1, big}, {2, big}, {3, big / 2}};
  EXPECT_NEAR(*CallRange("avg_over_time", Window(s, 10, 10).w, ctx) / big, 5.0 / 6, 1e-12);
  std::vector<FPoint> v = {{1, 2}, {2, 4}, {3, 4}, {4, 4}, {5, 5}, {6, 5}, {7, 7}, {8, 9}};
  EXPECT_DOUBLE_EQ(*CallRange("stdvar_over_time", Window(v, 10, 10).w, ctx), 4);
  EXPECT_DOUBLE_EQ(*CallRange("stddev_over_time", Window(v, 10, 10).w, ctx), 2);
  EXPECT_DOUBLE_EQ(*CallRange("avg_over_time", Window(v, 10, 10).w, ctx), 5);
  // mad_over_time(metric[70s]) at 70s over 4 6 2 1 999 1 2 (10s apart).
  std::vector<FPoint> m = {{0, 4}, {10000, 6}, {20000, 2}, {30000, 1}, {40000, 999}, {50000, 1}, {60000, 2}};
  EXPECT_DOUBLE_EQ(*CallRange("mad_over_time", Window(m, 70000, 70000).w, ctx), 1);
}

TEST(QuantileOverTime, EdgesGiveInfinitiesOrNaNAndWarn) {
  std::vector<FPoint> s = {{1, 0}, {2, 10}, {3, 20}, {4, 30}};
  CallFixture c("quantile_over_time(-1, x[5m])", {{19, 21}, {23, 28}});
  Window w(s, 10, 10);
  EXPECT_DOUBLE_EQ(*CallRange("quantile_over_time", w.w, c.ctx, {0.5}), 15);
  EXPECT_DOUBLE_EQ(*CallRange("quantile_over_time", w.w, c.ctx, {0.9}), 27);
  EXPECT_TRUE(c.annotations.empty());
  EXPECT_EQ(*CallRange("quantile_over_time", w.w, c.ctx, {-1}), -kInf);
  EXPECT_EQ(*CallRange("quantile_over_time", w.w, c.ctx, {1.5}), kInf);
  EXPECT_TRUE(std::isnan(*CallRange("quantile_over_time", w.w, c.ctx, {kNaN})));
  EXPECT_EQ(c.annotations.warnings(),
            (std::vector<std::string>{"PromQL warning: quantile value should be between 0 and 1, got -1 (1:20)",
                                      "PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:20)",
                                      "PromQL warning: quantile value should be between 0 and 1, got NaN (1:20)"}));
}

TEST(DoubleExponentialSmoothing, FollowsALinearTrendAndRejectsBadFactors) {
  FunctionContext ctx;
  Status error;
  ctx.error = &error;
  // http_requests 0+10x1000 at 10s, at 8000s over 1m.
  Window w(Series(0, 10, 1001, 10000), 8000 * 1000, kMinute);
  EXPECT_NEAR(*CallRange("double_exponential_smoothing", w.w, ctx, {0.01, 0.1}), 8000, 1e-6);
  EXPECT_TRUE(error.ok());
  EXPECT_FALSE(CallRange("double_exponential_smoothing", w.w, ctx, {1, 0.1}));
  EXPECT_EQ(error.code(), Status::Code::kExecution);
  EXPECT_EQ(error.message(), "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000");
  error = Status::OK();
  EXPECT_FALSE(CallRange("double_exponential_smoothing", w.w, ctx, {0.5, 0}));
  EXPECT_EQ(error.message(), "invalid trend factor. Expected: 0 < tf < 1, got: 0.000000");
}

TEST(Math, RoundsToNearestWithTiesUp) {
  FunctionContext ctx;
  Vector in = {S({"a", "1"}, 2.5), S({"a", "2"}, -2.5), S({"a", "3"}, 1.23456), S({"a", "4"}, 0.15)};
  Vector out = CallInstant("round", {Vec(in)}, ctx);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].f, 3);
  EXPECT_EQ(out[1].f, -2);
  EXPECT_EQ(out[2].f, 1);
  out = CallInstant("round", {Vec(in), Num(0.1)}, ctx);
  EXPECT_DOUBLE_EQ(out[2].f, 1.2);
  EXPECT_DOUBLE_EQ(out[3].f, 0.2);
  out = CallInstant("round", {Vec(in), Num(5)}, ctx);
  EXPECT_EQ(out[2].f, 0);
  EXPECT_EQ(out[0].f, 5);
  EXPECT_EQ(out[0].metric, in[0].metric);
}

TEST(Math, ClampWithMinAboveMaxIsEmptyAndSgnKeepsZeroAndNaN) {
  FunctionContext ctx;
  Vector in = {S({"a", "1"}, -5), S({"a", "2"}, 0), S({"a", "3"}, kNaN), S({"a", "4"}, 50)};
  EXPECT_TRUE(CallInstant("clamp", {Vec(in), Num(2), Num(1)}, ctx).empty());
  Vector out = CallInstant("clamp", {Vec(in), Num(-1), Num(10)}, ctx);
  EXPECT_EQ(out[0].f, -1);
  EXPECT_EQ(out[1].f, 0);
  EXPECT_TRUE(std::isnan(out[2].f));
  EXPECT_EQ(out[3].f, 10);
  out = CallInstant("sgn", {Vec(in)}, ctx);
  EXPECT_EQ(out[0].f, -1);
  EXPECT_EQ(out[1].f, 0);
  EXPECT_TRUE(std::isnan(out[2].f));
  EXPECT_EQ(out[3].f, 1);
}

TEST(Math, DateFunctionsDefaultToTheStepTime) {
  FunctionContext ctx;
  ctx.ts = 0;
  Vector out = CallInstant("day_of_week", {}, ctx);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f, 4);  // 1970-01-01 was a Thursday
  EXPECT_TRUE(out[0].metric.empty());
  Vector t = {S({}, 1136239445)};  // 2006-01-02T22:04:05Z
  EXPECT_EQ(CallInstant("day_of_week", {Vec(t)}, ctx)[0].f, 1);
  EXPECT_EQ(CallInstant("hour", {Vec(t)}, ctx)[0].f, 22);
  EXPECT_EQ(CallInstant("minute", {Vec(t)}, ctx)[0].f, 4);
  EXPECT_EQ(CallInstant("month", {Vec(t)}, ctx)[0].f, 1);
  EXPECT_EQ(CallInstant("year", {Vec(t)}, ctx)[0].f, 2006);
  EXPECT_EQ(CallInstant("day_of_month", {Vec(t)}, ctx)[0].f, 2);
  EXPECT_EQ(CallInstant("day_of_year", {Vec(t)}, ctx)[0].f, 2);
  Vector feb = {S({}, 1454284800), S({}, 1485907200), S({}, -1)};
  out = CallInstant("days_in_month", {Vec(feb)}, ctx);
  EXPECT_EQ(out[0].f, 29);
  EXPECT_EQ(out[1].f, 28);
  EXPECT_EQ(out[2].f, 31);  // 1969-12-31
  EXPECT_EQ(CallInstant("year", {Vec(feb)}, ctx)[2].f, 1969);
}

TEST(Math, DateFunctionsOfNaNAndInfinitiesReadTheMinimumInt64AsGoDoes) {
  // Go's int64(NaN) and int64(±Inf) on amd64 are the minimum int64, which
  // time.Unix reads as -292277022657-01-27T08:29:52Z (a Sunday). Found by
  // tests/fuzz/promql_engine_fuzz: days * 86400 overflowed.
  FunctionContext ctx;
  Vector in = {S({"a", "1"}, kNaN), S({"a", "2"}, kInf), S({"a", "3"}, -kInf), S({"a", "4"}, -9.3e18)};
  for (const Sample& s : CallInstant("year", {Vec(in)}, ctx)) EXPECT_EQ(s.f, -292277022657.0) << s.metric.ToString();
  for (const Sample& s : CallInstant("month", {Vec(in)}, ctx)) EXPECT_EQ(s.f, 1);
  for (const Sample& s : CallInstant("day_of_month", {Vec(in)}, ctx)) EXPECT_EQ(s.f, 27);
  for (const Sample& s : CallInstant("day_of_week", {Vec(in)}, ctx)) EXPECT_EQ(s.f, 0);
  for (const Sample& s : CallInstant("hour", {Vec(in)}, ctx)) EXPECT_EQ(s.f, 8);
  for (const Sample& s : CallInstant("minute", {Vec(in)}, ctx)) EXPECT_EQ(s.f, 29);
}

TEST(Math, ScalarIsNaNUnlessExactlyOneSample) {
  FunctionContext ctx;
  Vector one = {S({"a", "1"}, 7)}, two = {S({"a", "1"}, 7), S({"a", "2"}, 8)};
  EXPECT_EQ(CallInstant("scalar", {Vec(one)}, ctx)[0].f, 7);
  EXPECT_TRUE(std::isnan(CallInstant("scalar", {Vec(two)}, ctx)[0].f));
  ctx.ts = 1500;
  EXPECT_EQ(CallInstant("time", {}, ctx)[0].f, 1.5);
}

TEST(LabelReplace, RewritesWithGoTemplatesAndKeepsNonMatches) {
  FunctionContext ctx;
  Vector in = {S({"__name__", "m", "src", "source-value-10"}, 0), S({"__name__", "m", "src", "other"}, 1)};
  in[0].drop_name = true;
  Vector out = CallInstant("label_replace", {Vec(in), Str("dst"), Str("value-$1"), Str("src"), Str("source-value-(.*)")},
                           ctx);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].metric.Get("dst"), "value-10");
  EXPECT_TRUE(out[0].drop_name);
  EXPECT_FALSE(out[1].metric.Has("dst"));
  // $1x names group "1x", which does not exist; ${1}x does what was meant.
  out = CallInstant("label_replace", {Vec(in), Str("dst"), Str("$1x|${1}x|$$"), Str("src"), Str("(.*)")}, ctx);
  EXPECT_EQ(out[1].metric.Get("dst"), "|otherx|$");
  out = CallInstant("label_replace", {Vec(in), Str("__name__"), Str("new_$1"), Str("__name__"), Str("(.*)")}, ctx);
  EXPECT_EQ(out[0].metric.MetricName(), "new_m");
  EXPECT_FALSE(out[0].drop_name);  // a written name stays
}

TEST(LabelReplace, FailsAsPrometheusDoes) {
  FunctionContext ctx;
  Vector in = {S({"src", "a"}, 0), S({"src", "b"}, 1)};
  Status s;
  CallInstant("label_replace", {Vec(in), Str("dst"), Str("value-$1"), Str("src"), Str("(.*")}, ctx, &s);
  EXPECT_EQ(s.message(), "invalid regular expression in label_replace(): (.*");
  CallInstant("label_replace", {Vec(in), Str("\xff"), Str(""), Str("src"), Str("(.*)")}, ctx, &s);
  EXPECT_EQ(s.message(), "invalid destination label name in label_replace(): \xff");
  CallInstant("label_replace", {Vec(in), Str("src"), Str(""), Str(""), Str("")}, ctx, &s);
  EXPECT_EQ(s.message(), "vector cannot contain metrics with the same labelset");
  CallInstant("label_join", {Vec(in), Str("dst"), Str(","), Str("")}, ctx, &s);
  EXPECT_EQ(s.message(), "invalid source label name in label_join(): ");
}

TEST(LabelJoin, JoinsInOrderTreatingMissingAsEmpty) {
  FunctionContext ctx;
  Vector in = {S({"src", "a", "src1", "b", "dst", "x"}, 0)};
  Vector out = CallInstant("label_join", {Vec(in), Str("dst"), Str("-"), Str("src"), Str("src3"), Str("src1")}, ctx);
  EXPECT_EQ(out[0].metric.Get("dst"), "a--b");
  out = CallInstant("label_join", {Vec(in), Str("dst"), Str(", ")}, ctx);
  EXPECT_FALSE(out[0].metric.Has("dst"));
}

TEST(Sort, OrdersByValueWithNaNLastAndWarnsInRangeQueries) {
  CallFixture c("sort(x)", {{5, 6}});
  Vector in = {S({"a", "1"}, 3), S({"a", "2"}, kNaN), S({"a", "3"}, 1), S({"a", "4"}, 2)};
  Vector out = CallInstant("sort", {Vec(in)}, c.ctx);
  EXPECT_EQ(out[0].f, 1);
  EXPECT_EQ(out[2].f, 3);
  EXPECT_TRUE(std::isnan(out[3].f));
  out = CallInstant("sort_desc", {Vec(in)}, c.ctx);
  EXPECT_EQ(out[0].f, 3);
  EXPECT_TRUE(std::isnan(out[3].f));
  EXPECT_TRUE(c.annotations.empty());
  c.ctx.range_query = true;
  CallInstant("sort", {Vec(in)}, c.ctx);
  EXPECT_EQ(c.annotations.warnings(),
            std::vector<std::string>{
                "PromQL warning: sort is ineffective for range queries since results are always ordered by labels (1:1)"});
}

TEST(SortByLabel, UsesNaturalOrderThenTheLabelSet) {
  FunctionContext ctx;
  Vector in = {S({"i", "10", "j", "b"}, 0), S({"i", "9"}, 0), S({"i", "10", "j", "a"}, 0), S({"i", "x1"}, 0)};
  Vector out = CallInstant("sort_by_label", {Vec(in), Str("i")}, ctx);
  EXPECT_EQ(out[0].metric.Get("i"), "9");
  EXPECT_EQ(out[1].metric.Get("j"), "a");
  EXPECT_EQ(out[2].metric.Get("j"), "b");
  EXPECT_EQ(out[3].metric.Get("i"), "x1");
  out = CallInstant("sort_by_label_desc", {Vec(in), Str("i")}, ctx);
  EXPECT_EQ(out[0].metric.Get("i"), "x1");
  EXPECT_EQ(out[1].metric.Get("j"), "b");
  EXPECT_TRUE(internal::NaturalLess("a2", "a10"));
  EXPECT_FALSE(internal::NaturalLess("a10", "a2"));
}

// histograms.test: nonmonotonic_bucket at 50m.
Vector Nonmonotonic() {
  const char* les[] = {"0.1", "1", "10", "100", "1000", "+Inf"};
  double counts[] = {20, 10, 50, 40, 90, 80};
  Vector v;
  for (int i = 0; i < 6; ++i) v.push_back(S({"__name__", "nonmonotonic_bucket", "le", les[i]}, counts[i]));
  return v;
}

TEST(HistogramQuantile, FixesMonotonicityWithAnInfo) {
  CallFixture c("histogram_quantile(0.5, nonmonotonic_bucket)", {{19, 22}, {24, 43}}, 50 * kMinute);
  Vector in = Nonmonotonic();
  Vector out = CallInstant("histogram_quantile", {Num(0.01), Vec(in)}, c.ctx);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0].f, 0.0045, 1e-12);
  EXPECT_EQ(out[0].metric, Labels::FromStrings({"__name__", "nonmonotonic_bucket"}));
  EXPECT_NEAR(CallInstant("histogram_quantile", {Num(0.5), Vec(in)}, c.ctx)[0].f, 8.5, 1e-12);
  EXPECT_NEAR(CallInstant("histogram_quantile", {Num(0.99), Vec(in)}, c.ctx)[0].f, 979.75, 1e-9);
  // Three fixed histograms (one per call) merge into one info, as in Prometheus.
  ASSERT_EQ(c.annotations.infos().size(), 1u);
  EXPECT_EQ(c.annotations.infos()[0],
            "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see "
            "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "
            "\"nonmonotonic_bucket\", from buckets 1 to +Inf, with a max diff of 10, over 3 samples from "
            "1970-01-01T00:50:00Z to 1970-01-01T00:50:00Z (1:25)");
  EXPECT_TRUE(c.annotations.warnings().empty());
  // A later step (and another histogram) merges into the one info.
  c.ctx.ts = 60 * kMinute;
  in[1].f = 1;
  CallInstant("histogram_quantile", {Num(0.5), Vec(in)}, c.ctx);
  ASSERT_EQ(c.annotations.infos().size(), 1u);
  EXPECT_NE(c.annotations.infos()[0].find("from buckets 1 to +Inf, with a max diff of 19, over 4 samples from "
                                          "1970-01-01T00:50:00Z to 1970-01-01T01:00:00Z (1:25)"),
            std::string::npos)
      << c.annotations.infos()[0];
}

TEST(HistogramQuantile, QuantileEdgesAndBadBuckets) {
  CallFixture c("histogram_quantile(0.8, series)", {{19, 22}, {24, 30}});
  Vector in = {S({"__name__", "series", "ale", "0.1"}, 2)};
  EXPECT_TRUE(CallInstant("histogram_quantile", {Num(0.8), Vec(in)}, c.ctx).empty());
  EXPECT_EQ(c.annotations.warnings(),
            std::vector<std::string>{"PromQL warning: bucket label \"le\" is missing or has a malformed value of \"\" "
                                     "for metric name \"series\" (1:25)"});
  Vector ok = {S({"le", "1"}, 5), S({"le", "+Inf"}, 10)};
  EXPECT_EQ(CallInstant("histogram_quantile", {Num(-0.5), Vec(ok)}, c.ctx)[0].f, -kInf);
  EXPECT_EQ(CallInstant("histogram_quantile", {Num(1.5), Vec(ok)}, c.ctx)[0].f, kInf);
  EXPECT_TRUE(std::isnan(CallInstant("histogram_quantile", {Num(kNaN), Vec(ok)}, c.ctx)[0].f));
  EXPECT_EQ(c.annotations.warnings().back(), "PromQL warning: quantile value should be between 0 and 1, got NaN (1:20)");
  EXPECT_EQ(CallInstant("histogram_quantile", {Num(0.25), Vec(ok)}, c.ctx)[0].f, 0.5);
  EXPECT_EQ(CallInstant("histogram_quantile", {Num(0.75), Vec(ok)}, c.ctx)[0].f, 1);  // in +Inf: highest finite
  Vector no_inf = {S({"le", "1"}, 5), S({"le", "2"}, 10)};
  EXPECT_TRUE(std::isnan(CallInstant("histogram_quantile", {Num(0.5), Vec(no_inf)}, c.ctx)[0].f));
}

TEST(HistogramQuantile, GroupsByLabelsWithoutLeAndCoalescesEqualBounds) {
  FunctionContext ctx;
  Vector in = {S({"job", "a", "le", "1"}, 2),   S({"job", "b", "le", "1"}, 4), S({"job", "a", "le", "1.0"}, 2),
               S({"job", "a", "le", "+Inf"}, 8), S({"job", "b", "le", "+Inf"}, 4)};
  Vector out = CallInstant("histogram_quantile", {Num(0.5), Vec(in)}, ctx);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].metric, Labels::FromStrings({"job", "a"}));
  EXPECT_EQ(out[0].f, 1);  // rank 4 reaches the coalesced le=1 bucket of 4
  EXPECT_EQ(out[1].f, 0.5);
  EXPECT_TRUE(out[0].drop_name);
}

TEST(HistogramFraction, InterpolatesInsideBuckets) {
  FunctionContext ctx;
  Vector in = {S({"le", "1"}, 2), S({"le", "2"}, 6), S({"le", "+Inf"}, 8)};
  EXPECT_DOUBLE_EQ(CallInstant("histogram_fraction", {Num(0), Num(1), Vec(in)}, ctx)[0].f, 0.25);
  EXPECT_DOUBLE_EQ(CallInstant("histogram_fraction", {Num(0.5), Num(1.5), Vec(in)}, ctx)[0].f, 3.0 / 8);
  EXPECT_DOUBLE_EQ(CallInstant("histogram_fraction", {Num(-kInf), Num(kInf), Vec(in)}, ctx)[0].f, 1);
  EXPECT_EQ(CallInstant("histogram_fraction", {Num(2), Num(1), Vec(in)}, ctx)[0].f, 0);
}

TEST(HistogramQuantiles, LabelsEachQuantile) {
  FunctionContext ctx;
  Vector in = Nonmonotonic();
  Vector out = CallInstant("histogram_quantiles", {Vec(in), Str("q"), Num(0.01), Num(0.5), Num(1)}, ctx);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].metric.Get("q"), "0.01");
  EXPECT_EQ(out[1].metric.Get("q"), "0.5");
  EXPECT_EQ(out[2].metric.Get("q"), "1.0");
  EXPECT_NEAR(out[1].f, 8.5, 1e-12);
}

TEST(NativeHistogramFunctions, GiveNothingForFloats) {
  FunctionContext ctx;
  Vector in = {S({"a", "1"}, 3)};
  for (const char* f : {"histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar"}) {
    EXPECT_TRUE(CallInstant(f, {Vec(in)}, ctx).empty()) << f;
  }
}

}  // namespace
}  // namespace tsdb::promql
