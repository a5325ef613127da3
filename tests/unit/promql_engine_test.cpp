// The engine's own contract beyond the conformance scripts: limits,
// cancellation, result shapes, and reading the store one series at a time.
// tsdb-test-links: store
#include <atomic>
#include <cmath>

#include <gtest/gtest.h>

#include "model/value.h"
#include "promql/engine.h"
#include "store/memory_store.h"

namespace tsdb::promql {
namespace {

constexpr int64_t kMinute = 60'000;

// metric{instance="i<k>"} counting up by `k` every 15 s for `minutes`.
void FillCounters(store::MemoryStore& s, int series, int minutes) {
  for (int k = 1; k <= series; k++) {
    Labels l = Labels::FromStrings({"__name__", "http_requests_total", "instance", "i" + std::to_string(k), "job", k % 2 ? "api" : "web"});
    for (int64_t t = 0; t <= minutes * kMinute; t += 15'000) s.Add(l, t, static_cast<double>(k * (t / 15'000)));
  }
}

TEST(PromqlEngine, InstantVectorSelectorTakesLatestSampleWithinLookback) {
  store::MemoryStore s;
  Labels l = Labels::FromStrings({"__name__", "up", "job", "a"});
  s.Add(l, 0, 1);
  s.Add(l, 60'000, 2);
  Engine engine;
  auto r = engine.Instant(s, "up", 90'000);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->type, ValueType::kVector);
  ASSERT_EQ(r->vector.size(), 1u);
  EXPECT_EQ(r->vector[0].f, 2);
  EXPECT_EQ(r->vector[0].t, 90'000);
  // 5m after the last sample, exactly: the lookback window is left-open.
  auto gone = engine.Instant(s, "up", 60'000 + 5 * kMinute);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->vector.empty());
}

TEST(PromqlEngine, StaleMarkerEndsSeries) {
  store::MemoryStore s;
  Labels l = Labels::FromStrings({"__name__", "up"});
  s.Add(l, 0, 1);
  s.Add(l, 30'000, StaleNaN());
  Engine engine;
  auto r = engine.Instant(s, "up", 40'000);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->vector.empty());
}

TEST(PromqlEngine, RangeQueryOfSumOfRate) {
  store::MemoryStore s;
  FillCounters(s, 4, 30);
  Engine engine;
  auto r = engine.Range(s, "sum by (job) (rate(http_requests_total[5m]))", 10 * kMinute, 20 * kMinute, kMinute);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->type, ValueType::kMatrix);
  ASSERT_EQ(r->matrix.size(), 2u);
  EXPECT_EQ(r->matrix[0].metric, Labels::FromStrings({"job", "api"}));
  ASSERT_EQ(r->matrix[0].floats.size(), 11u);
  // Instances 1 and 3 count up by 1 and 3 every 15 s: 4/15 per second.
  for (const FPoint& p : r->matrix[0].floats) EXPECT_NEAR(p.f, 4.0 / 15, 1e-12);
}

TEST(PromqlEngine, MaxSamplesFailsTheQueryWithPrometheusMessage) {
  store::MemoryStore s;
  FillCounters(s, 10, 60);
  EngineOptions opts;
  opts.max_samples = 100;
  Engine engine(opts);
  auto r = engine.Range(s, "http_requests_total", 0, 60 * kMinute, 15'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kExecution);
  EXPECT_EQ(r.status().message(), "query processing would load too many samples into memory in query execution");
}

TEST(PromqlEngine, CanceledQueryStops) {
  store::MemoryStore s;
  FillCounters(s, 10, 60);
  std::atomic<bool> cancel{true};
  QueryOptions q;
  q.cancel = &cancel;
  Engine engine;
  auto r = engine.Range(s, "rate(http_requests_total[5m])", 0, 60 * kMinute, 15'000, q);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCanceled);
}

TEST(PromqlEngine, RangeQueryRejectsRangeVectorAndBadStep) {
  store::MemoryStore s;
  Engine engine;
  auto r = engine.Range(s, "up[5m]", 0, kMinute, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
  auto step = engine.Range(s, "up", 0, kMinute, 0);
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().code(), Status::Code::kInvalidArgument);
}

TEST(PromqlEngine, ScalarAndStringResults) {
  store::MemoryStore s;
  Engine engine;
  auto r = engine.Instant(s, "1 + 2 * 3", 1000);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->type, ValueType::kScalar);
  EXPECT_EQ(r->scalar.v, 7);
  auto str = engine.Instant(s, "\"hello\"", 1000);
  ASSERT_TRUE(str.ok());
  ASSERT_EQ(str->type, ValueType::kString);
  EXPECT_EQ(str->string.v, "hello");
  auto range = engine.Range(s, "time()", 0, 2000, 1000);
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->matrix.size(), 1u);
  ASSERT_EQ(range->matrix[0].floats.size(), 3u);
  EXPECT_EQ(range->matrix[0].floats[2].f, 2);
}

TEST(PromqlEngine, ManyToManyMatchingIsAnExecutionError) {
  store::MemoryStore s;
  s.Add(Labels::FromStrings({"__name__", "a", "x", "1", "y", "1"}), 0, 1);
  s.Add(Labels::FromStrings({"__name__", "a", "x", "1", "y", "2"}), 0, 1);
  s.Add(Labels::FromStrings({"__name__", "b", "x", "1", "y", "1"}), 0, 1);
  s.Add(Labels::FromStrings({"__name__", "b", "x", "1", "y", "2"}), 0, 1);
  Engine engine;
  auto r = engine.Instant(s, "a + on (x) b", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kExecution);
  EXPECT_NE(r.status().message().find("many-to-many matching not allowed"), std::string::npos) << r.status().message();
}

TEST(PromqlEngine, NameDroppedByRateKeepsSeriesApartOrFails) {
  store::MemoryStore s;
  s.Add(Labels::FromStrings({"__name__", "a_total", "x", "1"}), 0, 1);
  s.Add(Labels::FromStrings({"__name__", "a_total", "x", "1"}), 30'000, 2);
  s.Add(Labels::FromStrings({"__name__", "b_total", "x", "1"}), 0, 1);
  s.Add(Labels::FromStrings({"__name__", "b_total", "x", "1"}), 30'000, 2);
  Engine engine;
  auto r = engine.Instant(s, "rate({__name__=~\".+_total\"}[1m])", 30'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "vector cannot contain metrics with the same labelset");
}

TEST(PromqlEngine, SubqueryAlignsStepsToMultiplesOfItsStep) {
  store::MemoryStore s;
  Labels l = Labels::FromStrings({"__name__", "g"});
  for (int64_t t = 0; t <= 10 * kMinute; t += 10'000) s.Add(l, t, static_cast<double>(t / 1000));
  Engine engine;
  // Steps at 7m30s... no: steps are multiples of 1m inside (5m05s - 3m, 5m05s].
  auto r = engine.Instant(s, "count_over_time(g[3m:1m])", 5 * kMinute + 5000);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->vector.size(), 1u);
  EXPECT_EQ(r->vector[0].f, 3);  // 3m, 4m, 5m
}

}  // namespace
}  // namespace tsdb::promql

namespace tsdb::promql {
namespace {

TEST(PromqlEngine, SubqueryOfMoreStepsThanMaxSamplesFailsBeforeAllocating) {
  store::MemoryStore s;
  EngineOptions opts;
  opts.max_samples = 100'000;
  Engine engine(opts);
  // 2.6e9 steps: past int, and far past what max_samples allows.
  for (const char* q : {"count_over_time(vector(1)[30d:1ms])", "sum_over_time(vector(1)[2h:1ms])"}) {
    auto start = std::chrono::steady_clock::now();
    auto r = engine.Instant(s, q, 0);
    ASSERT_FALSE(r.ok()) << q;
    EXPECT_EQ(r.status().code(), Status::Code::kExecution) << q;
    EXPECT_EQ(r.status().message(), "query processing would load too many samples into memory in query execution");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1)) << q;
  }
}

}  // namespace
}  // namespace tsdb::promql
