#include <gtest/gtest.h>

#include "model/labels.h"
#include "model/names.h"
#include "model/quoting.h"

namespace tsdb {
namespace {

TEST(Labels, FromPairsSortsAndDropsEmptyValues) {
  auto l = Labels::FromPairs({{"job", "node"}, {"__name__", "up"}, {"empty", ""}, {"a", "1"}});
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[0].name, "__name__");
  EXPECT_EQ((*l)[1].name, "a");
  EXPECT_EQ((*l)[2].name, "job");
  EXPECT_FALSE(l->Has("empty"));
  EXPECT_EQ(l->MetricName(), "up");
}

TEST(Labels, FromPairsRejectsDuplicateNames) {
  auto l = Labels::FromPairs({{"a", "1"}, {"a", "2"}});
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("\"a\""), std::string::npos);
}

TEST(Labels, ToStringQuotesLikePrometheus) {
  Labels l = Labels::FromStrings({"__name__", "up", "path", "C:\\x \"q\"\n"});
  EXPECT_EQ(l.ToString(), "{__name__=\"up\", path=\"C:\\\\x \\\"q\\\"\\n\"}");
}

TEST(Labels, CompareOrdersByNameThenValueThenLength) {
  Labels a = Labels::FromStrings({"a", "1"});
  Labels b = Labels::FromStrings({"a", "2"});
  Labels c = Labels::FromStrings({"a", "1", "b", "1"});
  EXPECT_TRUE(a < b);
  EXPECT_TRUE(a < c);
  EXPECT_FALSE(b < a);
  EXPECT_NE(a.Hash(), b.Hash());
  EXPECT_EQ(a.Hash(), Labels::FromStrings({"a", "1"}).Hash());
}

TEST(LabelsBuilder, SetEmptyDeletesAndKeepsOrder) {
  LabelsBuilder b(Labels::FromStrings({"b", "2", "a", "1"}));
  b.Set("c", "3").Set("a", "").Set("b", "20");
  Labels l = b.Build();
  EXPECT_EQ(l.ToString(), "{b=\"20\", c=\"3\"}");
}

TEST(Names, LegacyAndUTF8Validation) {
  EXPECT_TRUE(IsLegacyLabelName("_a1"));
  EXPECT_FALSE(IsLegacyLabelName("1a"));
  EXPECT_FALSE(IsLegacyLabelName("a:b"));
  EXPECT_TRUE(IsLegacyMetricName("job:rate5m"));
  EXPECT_FALSE(IsLegacyMetricName("my.metric"));
  EXPECT_TRUE(IsValidMetricName("my.metric"));
  EXPECT_TRUE(IsValidLabelName("läbel"));
  EXPECT_FALSE(IsValidLabelName(""));
  EXPECT_FALSE(IsValidLabelName("\xff\xfe"));
  EXPECT_FALSE(IsValidLabelName("my.label", NameValidation::kLegacy));
}

TEST(Quoting, RoundTripsThroughGoQuoteAndUnquote) {
  for (std::string s : {std::string("plain"), std::string("tab\there"), std::string("ünïcödé"),
                        std::string("\x01\x7f"), std::string("back\\slash\"")}) {
    auto back = GoUnquote(GoQuote(s));
    ASSERT_TRUE(back.ok()) << s;
    EXPECT_EQ(*back, s);
  }
}

TEST(Quoting, UnquoteAllThreeForms) {
  EXPECT_EQ(*GoUnquote("'a\\'b'"), "a'b");
  EXPECT_EQ(*GoUnquote("`raw\\n`"), "raw\\n");
  EXPECT_EQ(*GoUnquote("\"\\u00e9\\x41\\101\""), "\xc3\xa9" "AA");
  EXPECT_FALSE(GoUnquote("\"a\\'\"").ok());  // \' is not an escape inside double quotes
  EXPECT_FALSE(GoUnquote("\"abc").ok());
  EXPECT_FALSE(GoUnquote("\"\\q\"").ok());
}

}  // namespace
}  // namespace tsdb
