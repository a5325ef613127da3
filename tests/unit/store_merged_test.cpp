// MergedStore: several stores answer as one.
#include <gtest/gtest.h>

#include "store/memory_store.h"
#include "store/merged_store.h"

namespace tsdb::store {
namespace {

TEST(MergedStore, SeriesInSeveralStoresComeOutOnceFirstStoreWinning) {
  auto a = std::make_unique<MemoryStore>();
  auto b = std::make_unique<MemoryStore>();
  Labels up = Labels::FromStrings({"__name__", "up", "job", "a"});
  a->Add(up, 1000, 1);
  a->Add(up, 2000, 1);
  b->Add(up, 2000, 0);  // same timestamp: the first store's value stays
  b->Add(up, 3000, 0);
  b->Add(Labels::FromStrings({"__name__", "up", "job", "b", "zone", "z1"}), 1000, 1);
  std::vector<std::unique_ptr<Store>> stores;
  stores.push_back(std::move(a));
  stores.push_back(std::move(b));
  MergedStore merged(std::move(stores));

  auto m = Matcher::Make(Matcher::Type::kEqual, "__name__", "up");
  ASSERT_TRUE(m.ok());
  auto set = merged.Select({*m}, 0, 10'000);
  ASSERT_TRUE(set.ok());
  ASSERT_TRUE((*set)->Next());
  EXPECT_EQ((*set)->labels(), up);
  ASSERT_EQ((*set)->samples().size(), 3u);
  EXPECT_EQ((*set)->samples()[1].v, 1);
  ASSERT_TRUE((*set)->Next());
  EXPECT_FALSE((*set)->Next());

  auto names = merged.LabelNames({}, 0, 10'000);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "job", "zone"}));
  auto values = merged.LabelValues("job", {}, 0, 10'000);
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace tsdb::store
