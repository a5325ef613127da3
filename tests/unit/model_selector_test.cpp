#include <gtest/gtest.h>

#include "model/selector.h"

namespace tsdb {
namespace {

Labels L(std::initializer_list<std::string_view> kv) { return Labels::FromStrings(kv); }

TEST(Selector, MetricNameAndMatchers) {
  auto m = ParseSelector("http_requests_total{job=\"api\", code=~\"5..\", method!=\"GET\", path!~'/health.*'}");
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->size(), 5u);
  EXPECT_EQ((*m)[0].name(), "__name__");
  EXPECT_EQ((*m)[2].type(), Matcher::Type::kRegexMatch);
  EXPECT_TRUE(MatchesAll(*m, L({"__name__", "http_requests_total", "job", "api", "code", "503", "method", "POST",
                                "path", "/x"})));
  EXPECT_FALSE(MatchesAll(*m, L({"__name__", "http_requests_total", "job", "api", "code", "5030"})));
}

TEST(Selector, RegexIsFullyAnchored) {
  auto m = ParseSelector("{__name__=~\"job:.*\"}");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE((*m)[0].Matches("job:rate5m"));
  EXPECT_FALSE((*m)[0].Matches("xjob:rate5m"));
  auto alt = ParseSelector("{a=~\"b|c\"}");
  ASSERT_TRUE(alt.ok());
  EXPECT_TRUE((*alt)[0].Matches("c"));
  EXPECT_FALSE((*alt)[0].Matches("bc"));
}

TEST(Selector, EmptyValueMatchesMissingLabel) {
  auto m = ParseSelector("up{env=\"\"}");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(MatchesAll(*m, L({"__name__", "up"})));
  EXPECT_FALSE(MatchesAll(*m, L({"__name__", "up", "env", "prod"})));
  auto ne = ParseSelector("up{env!=\"\"}");
  ASSERT_TRUE(ne.ok());
  EXPECT_FALSE(MatchesAll(*ne, L({"__name__", "up"})));
}

TEST(Selector, QuotedUTF8MetricAndLabelNames) {
  auto m = ParseSelector("{\"my.metric\", \"label.x\"=\"v\",}");
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].name(), "__name__");
  EXPECT_EQ((*m)[0].value(), "my.metric");
  EXPECT_EQ((*m)[1].name(), "label.x");
  EXPECT_EQ(SelectorToString(*m), "{\"my.metric\", \"label.x\"=\"v\"}");
}

TEST(Selector, CanonicalStringKeepsAnEmptyNameMatcher) {
  auto m = ParseSelector("{__name__=\"\", a=\"b\"}");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(SelectorToString(*m), "{__name__=\"\", a=\"b\"}");
}

TEST(Selector, CanonicalStringOfTwoNameEqualitiesParsesBack) {
  // Found by model_selector_fuzz: "x"{__name__="y"} would not parse.
  auto m = ParseSelector("{\"__name__\"=\"x\", \"y\"}");
  ASSERT_TRUE(m.ok()) << m.status().message();
  const std::string canonical = SelectorToString(*m);
  EXPECT_EQ(canonical, "{__name__=\"x\", __name__=\"y\"}");
  auto again = ParseSelector(canonical);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->size(), 2u);
}

TEST(Selector, CanonicalStringOfANameBesideAnEmptyNameEqualityParsesBack) {
  // Found by model_selector_fuzz: {"x.y", __name__=""} would not parse.
  for (const char* in : {"{\"__name__\"=\"\", `x.y`}", "{__name__=\"\", \"up\"}"}) {
    auto m = ParseSelector(in);
    ASSERT_TRUE(m.ok()) << in << ": " << m.status().message();
    const std::string canonical = SelectorToString(*m);
    auto again = ParseSelector(canonical);
    ASSERT_TRUE(again.ok()) << canonical << ": " << again.status().message();
    EXPECT_EQ(again->size(), 2u) << canonical;
  }
  auto m = ParseSelector("{__name__=\"\", \"up\"}");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(SelectorToString(*m), "{__name__=\"\", __name__=\"up\"}");
}

TEST(Selector, CanonicalString) {
  auto m = ParseSelector("  up { job = 'node' } ");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(SelectorToString(*m), "up{job=\"node\"}");
}

TEST(Selector, RejectsSelectorsThatMatchEverything) {
  auto m = ParseSelector("{a=~\".*\"}");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("at least one matcher"), std::string::npos);
  EXPECT_FALSE(ParseSelector("{}").ok());
}

TEST(Selector, ErrorsNameTheColumn) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"up{job}", "1:7: unexpected \"}\", expected a label matcher operator"},
      {"up{job=node}", "1:8: unexpected \"n\", expected a quoted label value"},
      {"up{job=\"a\" x=\"b\"}", "1:12: unexpected \"x\", expected ',' or '}'"},
      {"up{job=\"a", "1:8: unterminated quoted string"},
      {"up{a=~\"(\"}", "1:7: invalid regular expression"},
      {"up{\"other\"}", "1:4: metric name must not be set twice"},
      {"up}", "1:3: unexpected \"}\" after the selector"},
      {"", "1:1: expected a metric name or '{'"},
      {"{1a=\"b\"}", "1:2: unexpected \"1\", expected a label name"},
      {"{\"\", a=\"b\"}", "1:2: metric name must not be empty"},
  };
  for (const Case& c : cases) {
    auto m = ParseSelector(c.in);
    ASSERT_FALSE(m.ok()) << c.in;
    EXPECT_NE(m.status().message().find(c.want), std::string::npos) << c.in << " -> " << m.status().message();
  }
}

}  // namespace
}  // namespace tsdb
