// Process, Go's Expand, hashmod and case mapping. The table cases are the
// facts of Prometheus's model/relabel/relabel_test.go (TestRelabel).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "relabel/internal.h"
#include "relabel/relabel.h"

namespace tsdb::relabel {
namespace {

Config Rule(Config fields) {
  auto made = MakeConfig(std::move(fields));
  EXPECT_TRUE(made.ok()) << made.status().message();
  return made.ok() ? std::move(made).value() : Config{};
}

struct Outcome {
  bool kept;
  Labels labels;
};

Outcome Run(const Labels& in, const std::vector<Config>& rules) {
  Labels out;
  bool kept = Process(in, rules, &out);
  return {kept, out};
}

void ExpectKept(const Labels& in, const std::vector<Config>& rules, const Labels& want) {
  Outcome got = Run(in, rules);
  ASSERT_TRUE(got.kept);
  EXPECT_EQ(got.labels.ToString(), want.ToString());
}

void ExpectDropped(const Labels& in, const std::vector<Config>& rules) { EXPECT_FALSE(Run(in, rules).kept); }

TEST(RelabelProcess, ReplaceExpandsBracedGroupTwice) {
  ExpectKept(Labels::FromStrings({"a", "foo", "b", "bar", "c", "baz"}),
             {Rule({.source_labels = {"a"}, .regex = "f(.*)", .target_label = "d", .replacement = "ch${1}-ch${1}"})},
             Labels::FromStrings({"a", "foo", "b", "bar", "c", "baz", "d", "choo-choo"}));
}

TEST(RelabelProcess, ReplaceChainsAndJoinsSourcesWithSeparator) {
  ExpectKept(Labels::FromStrings({"a", "foo", "b", "bar", "c", "baz"}),
             {Rule({.source_labels = {"a", "b"}, .regex = "f(.*);(.*)r", .target_label = "a",
                    .replacement = "b${1}${2}m"}),
              Rule({.source_labels = {"c", "a"}, .regex = "(b).*b(.*)ba(.*)", .target_label = "d",
                    .replacement = "$1$2$2$3"})},
             Labels::FromStrings({"a", "boobam", "b", "bar", "c", "baz", "d", "boooom"}));
}

TEST(RelabelProcess, DropStopsBeforeLaterRules) {
  ExpectDropped(Labels::FromStrings({"a", "foo"}),
                {Rule({.source_labels = {"a"}, .regex = ".*o.*", .action = Action::kDrop}),
                 Rule({.source_labels = {"a"}, .regex = "f(.*)", .target_label = "d", .replacement = "ch$1-ch$1"})});
  ExpectDropped(Labels::FromStrings({"a", "foo", "b", "bar"}),
                {Rule({.source_labels = {"a"}, .regex = ".*o.*", .action = Action::kDrop})});
}

TEST(RelabelProcess, ReplaceWithGroupInsideLongerMatch) {
  ExpectKept(Labels::FromStrings({"a", "abc"}),
             {Rule({.source_labels = {"a"}, .regex = ".*(b).*", .target_label = "d", .replacement = "$1"})},
             Labels::FromStrings({"a", "abc", "d", "b"}));
}

TEST(RelabelProcess, DropIsAnchoredAndKeepsOnNoMatch) {
  ExpectKept(Labels::FromStrings({"a", "foo"}),
             {Rule({.source_labels = {"a"}, .regex = "no-match", .action = Action::kDrop})},
             Labels::FromStrings({"a", "foo"}));
  // "f|o" would match part of "foo" unanchored; anchored it matches neither.
  ExpectKept(Labels::FromStrings({"a", "foo"}), {Rule({.source_labels = {"a"}, .regex = "f|o", .action = Action::kDrop})},
             Labels::FromStrings({"a", "foo"}));
}

TEST(RelabelProcess, KeepDropsOnNoMatchAndKeepsOnMatch) {
  ExpectDropped(Labels::FromStrings({"a", "foo"}),
                {Rule({.source_labels = {"a"}, .regex = "no-match", .action = Action::kKeep})});
  ExpectKept(Labels::FromStrings({"a", "foo"}), {Rule({.source_labels = {"a"}, .regex = "f.*", .action = Action::kKeep})},
             Labels::FromStrings({"a", "foo"}));
}

TEST(RelabelProcess, ReplaceDoesNothingWithoutMatch) {
  ExpectKept(Labels::FromStrings({"a", "boo"}),
             {Rule({.source_labels = {"a"}, .regex = "f", .target_label = "b", .replacement = "bar"})},
             Labels::FromStrings({"a", "boo"}));
}

TEST(RelabelProcess, BlankReplacementDeletesTarget) {
  ExpectKept(Labels::FromStrings({"a", "foo", "f", "baz"}),
             {Rule({.source_labels = {"a"}, .regex = "(f).*", .target_label = "$1", .replacement = "$2"})},
             Labels::FromStrings({"a", "foo"}));
}

TEST(RelabelProcess, HashModSetsTarget) {
  ExpectKept(Labels::FromStrings({"a", "foo", "b", "bar", "c", "baz"}),
             {Rule({.source_labels = {"c"}, .modulus = 1000, .target_label = "d", .action = Action::kHashMod})},
             Labels::FromStrings({"a", "foo", "b", "bar", "c", "baz", "d", "976"}));
  ExpectKept(Labels::FromStrings({"a", "foo\nbar"}),
             {Rule({.source_labels = {"a"}, .modulus = 1000, .target_label = "b", .action = Action::kHashMod})},
             Labels::FromStrings({"a", "foo\nbar", "b", "734"}));
}

TEST(RelabelProcess, LabelMapCopiesMatchingNames) {
  ExpectKept(Labels::FromStrings({"a", "foo", "b1", "bar", "b2", "baz"}),
             {Rule({.regex = "(b.*)", .replacement = "bar_${1}", .action = Action::kLabelMap})},
             Labels::FromStrings({"a", "foo", "b1", "bar", "b2", "baz", "bar_b1", "bar", "bar_b2", "baz"}));
  ExpectKept(
      Labels::FromStrings({"a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc"}),
      {Rule({.regex = "__meta_(my.*)", .replacement = "${1}", .action = Action::kLabelMap})},
      Labels::FromStrings({"a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc", "my_bar",
                           "aaa", "my_baz", "bbb"}));
}

TEST(RelabelProcess, TargetLabelFromGroup) {
  ExpectKept(Labels::FromStrings({"a", "some-name-value"}),
             {Rule({.source_labels = {"a"}, .regex = "some-([^-]+)-([^,]+)", .target_label = "${1}",
                    .replacement = "${2}"})},
             Labels::FromStrings({"a", "some-name-value", "name", "value"}));
}

TEST(RelabelProcess, EmptyReplacementForAbsentTargetChangesNothing) {
  ExpectKept(Labels::FromStrings({"a", "some-name-value"}),
             {Rule({.source_labels = {"a"}, .regex = "some-([^-]+)-([^,]+)", .target_label = "${1}",
                    .replacement = "${3}"})},
             Labels::FromStrings({"a", "some-name-value"}));
}

TEST(RelabelProcess, TargetExpandingToEmptyNameIsSkipped) {
  Config r1 = Rule({.source_labels = {"a"}, .regex = "some-([^-]+)-([^,]+)", .target_label = "${3}",
                    .replacement = "${1}"});
  Config r2 = Rule({.source_labels = {"a"}, .regex = "some-([^-]+)(-[^,]+)", .target_label = "${3}",
                    .replacement = "${1}"});
  ExpectKept(Labels::FromStrings({"a", "some-name-0"}), {r1, r1, r2}, Labels::FromStrings({"a", "some-name-0"}));
}

TEST(RelabelProcess, RealLifeTagParsing) {
  ExpectKept(Labels::FromStrings({"__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar"}),
             {Rule({.source_labels = {"__meta_sd_tags"}, .regex = "(?:.+,|^)path:(/[^,]+).*",
                    .target_label = "__metrics_path__", .replacement = "${1}"}),
              Rule({.source_labels = {"__meta_sd_tags"}, .regex = "(?:.+,|^)job:([^,]+).*", .target_label = "job",
                    .replacement = "${1}"}),
              Rule({.source_labels = {"__meta_sd_tags"}, .regex = "(?:.+,|^)label:([^=]+)=([^,]+).*",
                    .target_label = "${1}", .replacement = "${2}"})},
             Labels::FromStrings({"__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar", "__metrics_path__",
                                  "/secret", "job", "some-job", "foo", "bar"}));
}

TEST(RelabelProcess, LaterRulesSeeLabelsSetAfterLabelDrop) {  // prometheus#12283
  ExpectKept(Labels::FromStrings({"__meta_kubernetes_pod_container_port_name", "foo",
                                  "__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"}),
             {Rule({.regex = "^__meta_kubernetes_pod_container_port_name$", .action = Action::kLabelDrop}),
              Rule({.source_labels = {"__meta_kubernetes_pod_annotation_XXX_metrics_port"}, .regex = "(.+)",
                    .target_label = "__meta_kubernetes_pod_container_port_name", .replacement = "metrics"}),
              Rule({.source_labels = {"__meta_kubernetes_pod_container_port_name"}, .regex = "^metrics$",
                    .action = Action::kKeep})},
             Labels::FromStrings({"__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091",
                                  "__meta_kubernetes_pod_container_port_name", "metrics"}));
}

TEST(RelabelProcess, LabelKeepAndLabelDrop) {
  const Labels in = Labels::FromStrings({"a", "foo", "b1", "bar", "b2", "baz"});
  ExpectKept(in, {Rule({.regex = "(b.*)", .action = Action::kLabelKeep})},
             Labels::FromStrings({"b1", "bar", "b2", "baz"}));
  ExpectKept(in, {Rule({.regex = "(b.*)", .action = Action::kLabelDrop})}, Labels::FromStrings({"a", "foo"}));
}

TEST(RelabelProcess, UppercaseAndLowercase) {
  ExpectKept(Labels::FromStrings({"foo", "bAr123Foo"}),
             {Rule({.source_labels = {"foo"}, .target_label = "foo_uppercase", .action = Action::kUppercase}),
              Rule({.source_labels = {"foo"}, .target_label = "foo_lowercase", .action = Action::kLowercase})},
             Labels::FromStrings({"foo", "bAr123Foo", "foo_lowercase", "bar123foo", "foo_uppercase", "BAR123FOO"}));
}

TEST(RelabelProcess, KeepEqualAndDropEqual) {
  const Labels in = Labels::FromStrings({"__tmp_port", "1234", "__port1", "1234", "__port2", "5678"});
  ExpectKept(in, {Rule({.source_labels = {"__tmp_port"}, .target_label = "__port1", .action = Action::kKeepEqual})},
             in);
  ExpectDropped(in,
                {Rule({.source_labels = {"__tmp_port"}, .target_label = "__port1", .action = Action::kDropEqual})});
  ExpectKept(in, {Rule({.source_labels = {"__tmp_port"}, .target_label = "__port2", .action = Action::kDropEqual})},
             in);
  ExpectDropped(in,
                {Rule({.source_labels = {"__tmp_port"}, .target_label = "__port2", .action = Action::kKeepEqual})});
}

TEST(RelabelProcess, DotMatchesNewline) {
  ExpectKept(Labels::FromStrings({"a", "line1\nline2", "b", "bar", "c", "baz"}),
             {Rule({.source_labels = {"a"}, .regex = "line1.*line2", .target_label = "d", .replacement = "match${1}"})},
             Labels::FromStrings({"a", "line1\nline2", "b", "bar", "c", "baz", "d", "match"}));
}

TEST(RelabelProcess, Utf8SourceAndTargetNames) {
  ExpectKept(Labels::FromStrings({"utf-8.label", "line1\nline2", "b", "bar"}),
             {Rule({.source_labels = {"utf-8.label"}, .regex = "line1.*line2", .target_label = "d",
                    .replacement = "match${1}"})},
             Labels::FromStrings({"utf-8.label", "line1\nline2", "b", "bar", "d", "match"}));
  ExpectKept(Labels::FromStrings({"a", "line1\nline2"}),
             {Rule({.source_labels = {"a"}, .regex = "line1.*line2", .target_label = "utf-8.label",
                    .replacement = "match${1}"})},
             Labels::FromStrings({"a", "line1\nline2", "utf-8.label", "match"}));
  ExpectKept(Labels::FromStrings({"a", "line1\nline2"}),
             {Rule({.source_labels = {"a"}, .regex = "line1.*line2", .target_label = "utf-8.label${1}",
                    .replacement = "match${1}"})},
             Labels::FromStrings({"a", "line1\nline2", "utf-8.label", "match"}));
}

TEST(RelabelProcess, GoStyleNamedGroupsInRegexAndTemplates) {
  ExpectKept(Labels::FromStrings({"a", "line1\nline2"}),
             {Rule({.source_labels = {"a"}, .regex = "(line1).*(?<second>line2)", .target_label = "label1_${1}",
                    .replacement = "val_${second}"}),
              Rule({.source_labels = {"a"}, .regex = "(line1).*(?<second>line2)", .target_label = "label2_$1",
                    .replacement = "val_$second"})},
             Labels::FromStrings({"a", "line1\nline2", "label1_line1", "val_line2", "label2_line1", "val_line2"}));
}

TEST(RelabelProcess, SetsTypeAndUnitLabels) {
  ExpectKept(Labels::FromStrings({"__name__", "http_requests_total"}),
             {Rule({.source_labels = {"__name__"}, .regex = ".*_total$", .target_label = "__type__",
                    .replacement = "counter"})},
             Labels::FromStrings({"__name__", "http_requests_total", "__type__", "counter"}));
  ExpectKept(Labels::FromStrings({"__name__", "disk_usage_bytes"}),
             {Rule({.source_labels = {"__name__"}, .regex = ".*_bytes$", .target_label = "__unit__",
                    .replacement = "bytes"})},
             Labels::FromStrings({"__name__", "disk_usage_bytes", "__unit__", "bytes"}));
}

// ---- beyond the Prometheus table ----

TEST(RelabelProcess, StaticReplaceWithoutSourcesSetsLabel) {
  ExpectKept(Labels::FromStrings({"job", "foo"}), {Rule({.target_label = "cluster", .replacement = "dev"})},
             Labels::FromStrings({"cluster", "dev", "job", "foo"}));
}

TEST(RelabelProcess, MissingSourceLabelsJoinAsEmptyStrings) {
  ExpectKept(Labels::FromStrings({"b", "x"}),
             {Rule({.source_labels = {"a", "b", "c"}, .target_label = "joined"})},
             Labels::FromStrings({"b", "x", "joined", ";x;"}));
}

TEST(RelabelProcess, EmptyResultIsDropped) {
  Labels out;
  EXPECT_FALSE(Process(Labels::FromStrings({"a", "1"}), {Rule({.regex = "a", .action = Action::kLabelDrop})}, &out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(Process(Labels(), {}, &out));
}

TEST(RelabelProcess, NoRulesKeepsInput) {
  Labels in = Labels::FromStrings({"a", "1"});
  ExpectKept(in, {}, in);
}

TEST(RelabelProcess, LabelMapCollisionLastInBuilderOrderWins) {
  // Go's Builder.Range visits base labels in name order: "x_b" is copied last.
  ExpectKept(Labels::FromStrings({"x_a", "1", "x_b", "2"}),
             {Rule({.regex = "x_.*", .replacement = "y", .action = Action::kLabelMap})},
             Labels::FromStrings({"x_a", "1", "x_b", "2", "y", "2"}));
  // An added label is visited after every base label, whatever its name.
  ExpectKept(Labels::FromStrings({"x_b", "base"}),
             {Rule({.target_label = "x_a", .replacement = "added"}),
              Rule({.regex = "x_.*", .replacement = "y", .action = Action::kLabelMap})},
             Labels::FromStrings({"x_a", "added", "x_b", "base", "y", "added"}));
}

TEST(RelabelProcess, ReplaceSeesEarlierRulesChanges) {
  ExpectKept(Labels::FromStrings({"a", "1"}),
             {Rule({.source_labels = {"a"}, .target_label = "b"}), Rule({.source_labels = {"b"}, .target_label = "c"}),
              Rule({.regex = "a", .action = Action::kLabelDrop})},
             Labels::FromStrings({"b", "1", "c", "1"}));
}

TEST(RelabelProcess, LowercaseMapsUnicodeAndReplacesInvalidBytes) {
  EXPECT_EQ(internal::GoToLower("ÄÖÜ Straße"), "äöü straße");
  EXPECT_EQ(internal::GoToUpper("äöü straße"), "ÄÖÜ STRAßE");  // ß has no single-rune upper case
  EXPECT_EQ(internal::GoToUpper("ab\xff"), "AB\xEF\xBF\xBD");     // not ASCII: Go maps rune by rune
  EXPECT_EQ(internal::GoToLower("\xC3\x84\xff"), "\xC3\xA4\xEF\xBF\xBD");  // invalid byte becomes U+FFFD
}

TEST(RelabelProcess, ConfigWithoutCompiledRegexStillWorks) {
  Config c;
  c.source_labels = {"a"};
  c.regex = "x(.)";
  c.target_label = "b";
  Labels out;
  ASSERT_TRUE(Process(Labels::FromStrings({"a", "xy"}), {c}, &out));
  EXPECT_EQ(out.Get("b"), "y");
}

// ---- hashmod ----

TEST(RelabelHashMod, MatchesMd5LowerHalfVectors) {
  // python3: int.from_bytes(hashlib.md5(s).digest()[8:], 'big') % m
  EXPECT_EQ(HashMod("baz", 1000), 976u);
  EXPECT_EQ(HashMod("foo\nbar", 1000), 734u);
  EXPECT_EQ(HashMod("", 10), 8u);
  EXPECT_EQ(HashMod("10.0.0.1:9100", 3), 2u);
  EXPECT_EQ(HashMod("a;b", 7), 2u);
  EXPECT_EQ(HashMod("node-exporter", UINT64_MAX), 4930490463194856648u);
  EXPECT_EQ(HashMod("anything", 1), 0u);
}

TEST(RelabelHashMod, JoinsSourcesWithSeparatorBeforeHashing) {
  ExpectKept(Labels::FromStrings({"a", "a", "b", "b"}),
             {Rule({.source_labels = {"a", "b"}, .modulus = 7, .target_label = "h", .action = Action::kHashMod})},
             Labels::FromStrings({"a", "a", "b", "b", "h", "2"}));
}

// ---- Go's regexp.Expand ----

std::string ExpandOn(std::string_view regex, std::string_view text, std::string_view tmpl) {
  auto re = internal::CompileRegex(regex);
  EXPECT_TRUE(re.ok()) << re.status().message();
  auto groups = internal::FullMatchGroups(**re, text);
  EXPECT_FALSE(groups.empty());
  return internal::Expand(tmpl, **re, groups);
}

TEST(RelabelExpand, NumberedAndBracedReferences) {
  EXPECT_EQ(ExpandOn("(a)(b)", "ab", "$2$1"), "ba");
  EXPECT_EQ(ExpandOn("(a)(b)", "ab", "${2}x${1}"), "bxa");
  EXPECT_EQ(ExpandOn("(a)(b)", "ab", "$0"), "ab");
}

TEST(RelabelExpand, DigitsFollowedByLettersFormOneName) {
  // "$1x" is the group named "1x", which does not exist: nothing.
  EXPECT_EQ(ExpandOn("(a)", "a", "$1x"), "");
  EXPECT_EQ(ExpandOn("(a)", "a", "${1}x"), "ax");
  EXPECT_EQ(ExpandOn("(a)", "a", "$1_"), "");
  EXPECT_EQ(ExpandOn("(a)", "a", "$1-"), "a-");
}

TEST(RelabelExpand, NamedGroups) {
  EXPECT_EQ(ExpandOn("(?P<first>a)(?<second>b)", "ab", "$second$first"), "ba");
  EXPECT_EQ(ExpandOn("(?P<first>a)", "a", "${first}_x"), "a_x");
  EXPECT_EQ(ExpandOn("(?P<first>a)", "a", "$first_x"), "");  // name "first_x"
  EXPECT_EQ(ExpandOn("(?P<first>a)", "a", "$nope"), "");
}

TEST(RelabelExpand, DollarDollarAndMalformedAreLiteral) {
  EXPECT_EQ(ExpandOn("(a)", "a", "$$1"), "$1");
  EXPECT_EQ(ExpandOn("(a)", "a", "cost: $"), "cost: $");
  EXPECT_EQ(ExpandOn("(a)", "a", "${1"), "${1");
  EXPECT_EQ(ExpandOn("(a)", "a", "${}"), "${}");
  EXPECT_EQ(ExpandOn("(a)", "a", "$-1"), "$-1");
  EXPECT_EQ(ExpandOn("(a)", "a", "${1-}"), "${1-}");
}

TEST(RelabelExpand, LeadingZeroAndHugeNumbersAreNames) {
  EXPECT_EQ(ExpandOn("(a)", "a", "$01"), "");
  EXPECT_EQ(ExpandOn("(a)", "a", "$00"), "");
  EXPECT_EQ(ExpandOn("(a)", "a", "$999999999"), "");
  EXPECT_EQ(ExpandOn("(a)", "a", "$0"), "a");
}

TEST(RelabelExpand, UnmatchedOptionalGroupIsEmpty) {
  EXPECT_EQ(ExpandOn("(a)|(b)", "b", "[$1][$2]"), "[][b]");
  EXPECT_EQ(ExpandOn("(a)(x)?", "a", "[$2]"), "[]");
}

TEST(RelabelExpand, SubmatchesAreLeftmostFirstAsInGo) {
  EXPECT_EQ(ExpandOn("(.*?),(.*)", "a,b,c", "$1|$2"), "a|b,c");
  EXPECT_EQ(ExpandOn("(.*),(.*)", "a,b,c", "$1|$2"), "a,b|c");
  EXPECT_EQ(ExpandOn("(a|ab)(c|bcd)(d*)", "abcd", "$1|$2|$3"), "a|bcd|");
  EXPECT_EQ(ExpandOn("(a*?)(a*)", "aa", "$1|$2"), "|aa");
}

TEST(RelabelExpand, UnicodeLettersBelongToNames) {
  // Go's names take Unicode letters: "$1é" is the (missing) group "1é".
  EXPECT_EQ(ExpandOn("(a)", "a", "$1\xC3\xA9"), "");
  EXPECT_EQ(ExpandOn("(a)", "a", "${1}\xC3\xA9"), "a\xC3\xA9");
}

}  // namespace
}  // namespace tsdb::relabel
