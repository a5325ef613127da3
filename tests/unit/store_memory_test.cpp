#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "model/selector.h"
#include "model/value.h"
#include "store/memory_store.h"

namespace tsdb::store {
namespace {

Labels L(std::initializer_list<std::string_view> kv) { return Labels::FromStrings(kv); }

struct Got {
  Labels labels;
  std::vector<block::Sample> samples;
};

std::vector<Got> SelectAll(const MemoryStore& s, std::string_view selector, int64_t mint, int64_t maxt) {
  std::vector<Matcher> matchers;
  if (!selector.empty()) {
    auto m = ParseSelector(selector);
    EXPECT_TRUE(m.ok()) << m.status().message();
    matchers = *m;
  }
  auto set = s.Select(matchers, mint, maxt);
  EXPECT_TRUE(set.ok()) << set.status().message();
  std::vector<Got> out;
  while ((*set)->Next()) out.push_back({(*set)->labels(), (*set)->samples()});
  EXPECT_TRUE((*set)->status().ok());
  return out;
}

TEST(MemoryStore, KeepsSamplesSortedWhateverTheAddOrder) {
  MemoryStore s;
  Labels up = L({"__name__", "up", "job", "a"});
  s.Add(up, 30, 3);
  s.Add(up, 10, 1);
  s.Add(up, 20, 2);
  auto got = SelectAll(s, "up", 0, 100);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].samples.size(), 3u);
  EXPECT_EQ(got[0].samples[0].t, 10);
  EXPECT_EQ(got[0].samples[1].t, 20);
  EXPECT_EQ(got[0].samples[2].v, 3);
  EXPECT_EQ(s.NumSamples(), 3u);
}

TEST(MemoryStore, LaterAddAtTheSameTimestampReplaces) {
  MemoryStore s;
  Labels up = L({"__name__", "up"});
  s.Add(up, 10, 1);
  s.Add(up, 20, 2);
  s.Add(up, 10, 5);
  s.Add(up, 20, StaleNaN());
  auto got = SelectAll(s, "up", 0, 100);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].samples.size(), 2u);
  EXPECT_EQ(got[0].samples[0].v, 5);
  EXPECT_TRUE(IsStaleNaN(got[0].samples[1].v));
  EXPECT_EQ(s.NumSamples(), 2u);
}

TEST(MemoryStore, SelectsTheClosedTimeRange) {
  MemoryStore s;
  Labels up = L({"__name__", "up"});
  for (int64_t t = 0; t <= 100; t += 10) s.Add(up, t, static_cast<double>(t));
  auto got = SelectAll(s, "up", 20, 40);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].samples.size(), 3u);
  EXPECT_EQ(got[0].samples.front().t, 20);
  EXPECT_EQ(got[0].samples.back().t, 40);
  EXPECT_EQ(SelectAll(s, "up", INT64_MIN, INT64_MAX)[0].samples.size(), 11u);
}

TEST(MemoryStore, LeavesOutSeriesWithoutSamplesInRange) {
  MemoryStore s;
  s.Add(L({"__name__", "up", "job", "early"}), 10, 1);
  s.Add(L({"__name__", "up", "job", "late"}), 1000, 1);
  auto got = SelectAll(s, "up", 500, 2000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].labels.Get("job"), "late");
  EXPECT_TRUE(SelectAll(s, "up", 20, 999).empty());
}

TEST(MemoryStore, ReturnsSeriesInLabelOrderAcrossNames) {
  MemoryStore s;
  // "A" sorts before "__name__", so label order is not name order.
  s.Add(L({"__name__", "b", "A", "1"}), 0, 1);
  s.Add(L({"__name__", "a", "A", "2"}), 0, 1);
  s.Add(L({"__name__", "a"}), 0, 1);
  s.Add(L({"__name__", "c", "job", "x"}), 0, 1);
  auto got = SelectAll(s, "{__name__=~\"a|b\"}", 0, 10);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].labels, L({"__name__", "b", "A", "1"}));
  EXPECT_EQ(got[1].labels, L({"__name__", "a", "A", "2"}));
  EXPECT_EQ(got[2].labels, L({"__name__", "a"}));
  for (size_t i = 1; i < got.size(); ++i) EXPECT_TRUE(got[i - 1].labels < got[i].labels);
}

TEST(MemoryStore, MatchesLabelsBesideTheName) {
  MemoryStore s;
  s.Add(L({"__name__", "http", "code", "200"}), 0, 1);
  s.Add(L({"__name__", "http", "code", "500"}), 0, 2);
  s.Add(L({"__name__", "rpc", "code", "500"}), 0, 3);
  auto by_name = SelectAll(s, "http{code=~\"5..\"}", 0, 0);
  ASSERT_EQ(by_name.size(), 1u);
  EXPECT_EQ(by_name[0].samples[0].v, 2);
  auto any_name = SelectAll(s, "{code=\"500\"}", 0, 0);
  ASSERT_EQ(any_name.size(), 2u);
  EXPECT_EQ(any_name[0].labels.MetricName(), "http");
  EXPECT_EQ(any_name[1].labels.MetricName(), "rpc");
  EXPECT_EQ(SelectAll(s, "", 0, 0).size(), 3u);  // no matchers: everything
  EXPECT_TRUE(SelectAll(s, "nope", 0, 0).empty());
}

TEST(MemoryStore, ClearForgetsEverything) {
  MemoryStore s;
  s.Add(L({"__name__", "up"}), 0, 1);
  s.Add(L({"__name__", "down"}), 0, 1);
  EXPECT_EQ(s.NumSeries(), 2u);
  s.Clear();
  EXPECT_EQ(s.NumSeries(), 0u);
  EXPECT_EQ(s.NumSamples(), 0u);
  EXPECT_TRUE(SelectAll(s, "up", 0, 10).empty());
}

TEST(MemoryStore, SelectsOneNameAmongManySeries) {
  MemoryStore s;
  for (int i = 0; i < 100000; ++i) {
    s.Add(L({"__name__", "m" + std::to_string(i % 100), "i", std::to_string(i)}), 0, i);
  }
  EXPECT_EQ(s.NumSeries(), 100000u);
  auto got = SelectAll(s, "m7", 0, 0);
  ASSERT_EQ(got.size(), 1000u);
  for (size_t i = 1; i < got.size(); ++i) EXPECT_TRUE(got[i - 1].labels < got[i].labels);
}

}  // namespace
}  // namespace tsdb::store
