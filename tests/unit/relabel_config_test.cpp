// Config validation (Prometheus's Validate), YAML loading with positioned
// errors, and ToYAML round trips.
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "relabel/relabel.h"

namespace tsdb::relabel {
namespace {

std::string MakeError(Config fields) {
  auto made = MakeConfig(std::move(fields));
  return made.ok() ? "" : made.status().message();
}

std::string ParseError(std::string_view yaml) {
  auto rules = ParseConfigs(yaml, "relabel_configs");
  if (rules.ok()) return "";
  EXPECT_EQ(rules.status().code(), Status::Code::kInvalidArgument);
  return rules.status().message();
}

std::vector<Config> MustParse(std::string_view yaml) {
  auto rules = ParseConfigs(yaml, "relabel_configs");
  EXPECT_TRUE(rules.ok()) << rules.status().message();
  return rules.ok() ? std::move(rules).value() : std::vector<Config>{};
}

// ---- validation ----

TEST(RelabelValidate, DefaultsAreNotValidWithoutTarget) {
  Config c;
  EXPECT_EQ(c.separator, ";");
  EXPECT_EQ(c.regex, "(.*)");
  EXPECT_EQ(c.replacement, "$1");
  EXPECT_EQ(c.action, Action::kReplace);
  EXPECT_EQ(MakeError(c), "relabel configuration for replace action requires 'target_label' value");
}

TEST(RelabelValidate, HashModNeedsModulus) {
  EXPECT_EQ(MakeError({.target_label = "t", .action = Action::kHashMod}),
            "relabel configuration for hashmod requires non-zero modulus");
}

TEST(RelabelValidate, ActionsThatWriteNeedTargetLabel) {
  EXPECT_EQ(MakeError({.modulus = 2, .action = Action::kHashMod}),
            "relabel configuration for hashmod action requires 'target_label' value");
  for (Action a : {Action::kLowercase, Action::kUppercase, Action::kKeepEqual, Action::kDropEqual}) {
    EXPECT_EQ(MakeError({.action = a}),
              "relabel configuration for " + std::string(ActionName(a)) + " action requires 'target_label' value");
  }
}

TEST(RelabelValidate, TargetLabelMustBeValidUtf8) {
  EXPECT_EQ(MakeError({.target_label = "a\xff"}), R"("a\xff" is invalid 'target_label' for replace action)");
  EXPECT_EQ(MakeError({.target_label = "a\xff", .action = Action::kLowercase}),
            R"("a\xff" is invalid 'target_label' for lowercase action)");
  EXPECT_EQ(MakeError({.modulus = 3, .target_label = "a\xff", .action = Action::kHashMod}),
            R"("a\xff" is invalid 'target_label' for hashmod action)");
  EXPECT_EQ(MakeError({.target_label = "${1}\xff"}), R"("${1}\xff" is invalid 'target_label' for replace action)");
}

TEST(RelabelValidate, Utf8NamesAndReferencesAreAccepted) {
  EXPECT_EQ(MakeError({.target_label = "utf-8.label"}), "");
  EXPECT_EQ(MakeError({.target_label = "${3}"}), "");
  EXPECT_EQ(MakeError({.target_label = "0${3}"}), "");
  EXPECT_EQ(MakeError({.target_label = "-${3}"}), "");
  EXPECT_EQ(MakeError({.target_label = "${3}", .action = Action::kLowercase}), "");
  EXPECT_EQ(MakeError({.regex = "__meta_(.+)", .replacement = "${1}", .action = Action::kLabelMap}), "");
}

TEST(RelabelValidate, CaseAndEqualActionsRejectReplacement) {
  for (Action a : {Action::kLowercase, Action::kUppercase, Action::kKeepEqual, Action::kDropEqual}) {
    EXPECT_EQ(MakeError({.target_label = "t", .replacement = "x", .action = a}),
              "'replacement' can not be set for " + std::string(ActionName(a)) + " action");
  }
}

TEST(RelabelValidate, LabelMapReplacementMustBeAName) {
  EXPECT_EQ(MakeError({.replacement = "", .action = Action::kLabelMap}),
            R"("" is invalid 'replacement' for labelmap action)");
}

TEST(RelabelValidate, EqualActionsAllowOnlySourcesAndTarget) {
  const std::string want = "keepequal action requires only 'source_labels' and `target_label`, and no other fields";
  EXPECT_EQ(MakeError({.source_labels = {"a"}, .target_label = "t", .action = Action::kKeepEqual}), "");
  EXPECT_EQ(MakeError({.regex = "a", .target_label = "t", .action = Action::kKeepEqual}), want);
  EXPECT_EQ(MakeError({.modulus = 1, .target_label = "t", .action = Action::kKeepEqual}), want);
  EXPECT_EQ(MakeError({.separator = ",", .target_label = "t", .action = Action::kKeepEqual}), want);
  EXPECT_EQ(MakeError({.separator = ",", .target_label = "t", .action = Action::kDropEqual}),
            "dropequal action requires only 'source_labels' and `target_label`, and no other fields");
}

TEST(RelabelValidate, LabelDropAndKeepAllowOnlyRegex) {
  for (Action a : {Action::kLabelDrop, Action::kLabelKeep}) {
    const std::string want = std::string(ActionName(a)) + " action requires only 'regex', and no other fields";
    EXPECT_EQ(MakeError({.regex = "x", .action = a}), "");
    EXPECT_EQ(MakeError({.source_labels = {"a"}, .action = a}), want);
    EXPECT_EQ(MakeError({.target_label = "t", .action = a}), want);
    EXPECT_EQ(MakeError({.modulus = 2, .action = a}), want);
    EXPECT_EQ(MakeError({.separator = "", .action = a}), want);
    EXPECT_EQ(MakeError({.replacement = "x", .action = a}), want);
  }
}

TEST(RelabelValidate, BadRegexReadsLikeGo) {
  EXPECT_EQ(MakeError({.regex = "(a", .target_label = "t"}), "error parsing regexp: missing closing ): `^(?s:(a)$`");
  EXPECT_NE(MakeError({.regex = "a**", .target_label = "t"}).find("invalid nested repetition operator"),
            std::string::npos);
  EXPECT_NE(MakeError({.regex = "[a", .target_label = "t"}).find("missing closing ]"), std::string::npos);
  // As in Go, the wrapper's ")" is what a trailing backslash escapes.
  EXPECT_NE(MakeError({.regex = "a\\", .target_label = "t"}).find("missing closing )"), std::string::npos);
  EXPECT_NE(MakeError({.regex = "(?<=a)", .target_label = "t"}).find("invalid or unsupported Perl syntax"),
            std::string::npos);
}

TEST(RelabelValidate, RegexIsAnchoredWithDotAll) {
  auto c = MakeConfig({.regex = "a.c", .target_label = "t"});
  ASSERT_TRUE(c.ok());
  ASSERT_NE(c->compiled, nullptr);
  EXPECT_EQ(c->compiled->pattern(), "^(?s:a.c)$");
}

TEST(RelabelValidate, GoNamedGroupSyntaxIsRewrittenOnlyOutsideClassesAndEscapes) {
  auto c = MakeConfig({.regex = R"((?<n>a)[(?<]\(?<x\Q(?<\E)", .target_label = "t"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->compiled->pattern(), R"(^(?s:(?P<n>a)[(?<]\(?<x\Q(?<\E)$)");
}

// ---- YAML loading ----

TEST(RelabelYaml, LoadsEveryFieldWithDefaults) {
  auto rules = MustParse(R"(
- source_labels: [job, __meta_dns_name]
  regex: "(.*)some-[regex]"
  target_label: job
  replacement: foo-${1}
- source_labels:
    - __address__
  separator: ","
  modulus: 3
  target_label: __tmp_hash
  action: hashmod
- regex: __tmp_.*
  action: labeldrop
)");
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].source_labels, (std::vector<std::string>{"job", "__meta_dns_name"}));
  EXPECT_EQ(rules[0].regex, "(.*)some-[regex]");
  EXPECT_EQ(rules[0].separator, ";");
  EXPECT_EQ(rules[0].replacement, "foo-${1}");
  EXPECT_EQ(rules[0].action, Action::kReplace);
  EXPECT_EQ(rules[1].separator, ",");
  EXPECT_EQ(rules[1].modulus, 3u);
  EXPECT_EQ(rules[1].action, Action::kHashMod);
  EXPECT_EQ(rules[2].action, Action::kLabelDrop);
  EXPECT_EQ(rules[2].regex, "__tmp_.*");
  for (const Config& c : rules) EXPECT_NE(c.compiled, nullptr);
}

TEST(RelabelYaml, ActionNamesAreCaseInsensitive) {
  auto rules = MustParse("- {action: LabelMap, regex: 'a(.*)'}\n- {action: HASHMOD, modulus: 2, target_label: t}\n");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].action, Action::kLabelMap);
  EXPECT_EQ(rules[1].action, Action::kHashMod);
  // Go's strings.ToLower maps the Kelvin sign U+212A to "k".
  auto kelvin = MustParse("- {source_labels: [a], action: \"\\u212Aeep\"}\n");
  ASSERT_EQ(kelvin.size(), 1u);
  EXPECT_EQ(kelvin[0].action, Action::kKeep);
}

TEST(RelabelYaml, EmptyDocumentAndNullSequenceAreNoRules) {
  EXPECT_TRUE(MustParse("").empty());
  EXPECT_TRUE(MustParse("~\n").empty());
  EXPECT_TRUE(MustParse("[]\n").empty());
}

TEST(RelabelYaml, UnknownFieldIsNamedWithPosition) {
  EXPECT_EQ(ParseError("- target_label: a\n- source_labels: [a]\n  modulos: 3\n"),
            R"(relabel_configs[1]: line 3, column 3: unknown field "modulos")");
}

TEST(RelabelYaml, UnknownActionNamesFieldAndPosition) {
  EXPECT_EQ(ParseError("- target_label: a\n  action: replce\n"),
            R"(relabel_configs[0].action: line 2, column 11: unknown relabel action "replce")");
}

TEST(RelabelYaml, NullActionIsEmpty) {
  EXPECT_EQ(ParseError("- target_label: a\n  action:\n"),
            "relabel_configs[0].action: line 2, column 3: relabel action cannot be empty");
}

TEST(RelabelYaml, ModulusMustBeAnUnsignedInteger) {
  EXPECT_EQ(ParseError("- source_labels: [a]\n  target_label: t\n  modulus: abc\n  action: hashmod\n"),
            R"(relabel_configs[0].modulus: line 3, column 12: cannot parse "abc" as an unsigned integer)");
  EXPECT_NE(ParseError("- {target_label: t, modulus: -1, action: hashmod}\n").find("cannot parse \"-1\""),
            std::string::npos);
  EXPECT_NE(ParseError("- {target_label: t, modulus: '3', action: hashmod}\n").find("cannot parse \"3\""),
            std::string::npos);
  EXPECT_NE(ParseError("- {target_label: t, modulus: 18446744073709551616, action: hashmod}\n").find("cannot parse"),
            std::string::npos);
  EXPECT_NE(ParseError("- {target_label: t, modulus: [1], action: hashmod}\n").find("got a sequence"),
            std::string::npos);
}

TEST(RelabelYaml, ModulusAcceptsYamlIntegerForms) {
  auto rules = MustParse(
      "- {target_label: t, modulus: 0x10, action: hashmod}\n"
      "- {target_label: t, modulus: 1_000, action: hashmod}\n"
      "- {target_label: t, modulus: 18446744073709551615, action: hashmod}\n");
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].modulus, 16u);
  EXPECT_EQ(rules[1].modulus, 1000u);
  EXPECT_EQ(rules[2].modulus, UINT64_MAX);
}

TEST(RelabelYaml, BadRegexNamesFieldAndPosition) {
  EXPECT_EQ(ParseError("- target_label: t\n  regex: (a\n"),
            "relabel_configs[0].regex: line 2, column 10: error parsing regexp: missing closing ): `^(?s:(a)$`");
}

TEST(RelabelYaml, ValidationErrorsNameRuleAndPosition) {
  EXPECT_EQ(ParseError("- target_label: a\n- action: hashmod\n  target_label: t\n"),
            "relabel_configs[1]: line 2, column 3: relabel configuration for hashmod requires non-zero modulus");
  EXPECT_EQ(ParseError("- source_labels: [a]\n"),
            "relabel_configs[0]: line 1, column 3: relabel configuration for replace action requires 'target_label' "
            "value");
}

TEST(RelabelYaml, ContextReplacesTheRulesName) {
  auto rules = ParseConfigs("- {action: nope}\n", "scrape_configs[2].metric_relabel_configs");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().message().rfind("scrape_configs[2].metric_relabel_configs[0].action: ", 0), 0u)
      << rules.status().message();
}

TEST(RelabelYaml, SourceLabelsMustBeAListOfNames) {
  EXPECT_EQ(ParseError("- source_labels: a\n  target_label: t\n"),
            "relabel_configs[0].source_labels: line 1, column 18: expected a sequence of label names, got a scalar");
  EXPECT_EQ(ParseError("- source_labels: [a, \"\"]\n  target_label: t\n"),
            R"(relabel_configs[0].source_labels[1]: line 1, column 22: "" is not a valid label name)");
  EXPECT_EQ(ParseError("- source_labels: [[a]]\n  target_label: t\n"),
            "relabel_configs[0].source_labels[0]: line 1, column 19: expected a string, got a sequence");
}

TEST(RelabelYaml, StringFieldsRejectCollections) {
  EXPECT_EQ(ParseError("- target_label: {a: b}\n"),
            "relabel_configs[0].target_label: line 1, column 17: expected a string, got a mapping");
}

TEST(RelabelYaml, FieldGivenTwiceIsAnError) {
  EXPECT_EQ(ParseError("- target_label: a\n  target_label: b\n"),
            R"(relabel_configs[0]: line 2, column 3: field "target_label" given twice)");
}

TEST(RelabelYaml, NullOrScalarRuleIsAnError) {
  EXPECT_EQ(ParseError("- target_label: a\n-\n"), "relabel_configs[1]: empty or null relabeling rule");
  EXPECT_EQ(ParseError("- keep\n"), "relabel_configs[0]: line 1, column 3: expected a mapping, got a scalar");
}

TEST(RelabelYaml, TopLevelMustBeASequence) {
  EXPECT_EQ(ParseError("target_label: a\n"),
            "relabel_configs: line 1, column 1: expected a sequence of rules, got a mapping");
}

TEST(RelabelYaml, SyntaxErrorHasPosition) {
  std::string err = ParseError("- source_labels: [a\n  target_label: b\n");
  EXPECT_EQ(err.rfind("relabel_configs: line ", 0), 0u) << err;
}

TEST(RelabelYaml, NullFieldsAreZeroNotDefault) {
  // yaml.v2 zeroes a field given as null: regex becomes "" (matches only the
  // empty string), replacement "" (deletes the target).
  auto rules = MustParse("- source_labels: [a]\n  regex:\n  target_label: t\n  replacement:\n");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].regex, "");
  EXPECT_EQ(rules[0].replacement, "");
  Labels out;
  ASSERT_TRUE(Process(Labels::FromStrings({"t", "x", "u", "y"}), rules, &out));
  EXPECT_FALSE(out.Has("t"));  // a="" matched the empty regex; "" deletes t
  ASSERT_TRUE(Process(Labels::FromStrings({"a", "v", "t", "x"}), rules, &out));
  EXPECT_EQ(out.Get("t"), "x");  // "v" does not match the empty regex
}

TEST(RelabelYaml, ScalarsOfOtherTypesAreTheirText) {
  auto rules = MustParse("- {target_label: t, replacement: 123}\n- {target_label: u, replacement: true}\n");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].replacement, "123");
  EXPECT_EQ(rules[1].replacement, "true");
}

TEST(RelabelYaml, EqualActionsRejectAnExplicitRegexEvenTheDefault) {
  EXPECT_EQ(ParseError("- {source_labels: [a], target_label: b, action: keepequal, regex: (.*)}\n"),
            "relabel_configs[0]: line 1, column 3: keepequal action requires only 'source_labels' and "
            "`target_label`, and no other fields");
  EXPECT_EQ(ParseError("- {source_labels: [a], target_label: b, action: dropequal, separator: ';', "
                       "replacement: $1}\n"),
            "");
}

TEST(RelabelYaml, LabelDropRejectsAnEmptySourceList) {
  EXPECT_EQ(ParseError("- {regex: a, action: labeldrop, source_labels: []}\n"),
            "relabel_configs[0]: line 1, column 3: labeldrop action requires only 'regex', and no other fields");
  EXPECT_EQ(ParseError("- {regex: a, action: labeldrop, source_labels: }\n"), "");
}

TEST(RelabelYaml, LoadConfigsTakesANode) {
  YAML::Node root = YAML::Load("scrape:\n  relabel_configs:\n    - {target_label: a, replacement: b}\n");
  auto rules = LoadConfigs(root["scrape"]["relabel_configs"], "relabel_configs");
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].target_label, "a");
  auto none = LoadConfigs(root["scrape"]["missing"], "relabel_configs");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// ---- printing ----

TEST(RelabelToYaml, PrintsPrometheusFieldsInOrder) {
  auto rules = MustParse(
      "- {action: hashmod, target_label: __tmp_hash, modulus: 3, source_labels: [__address__, job]}\n"
      "- {regex: 'x_(.*)', action: labelmap, replacement: 'y_$1'}\n");
  EXPECT_EQ(ToYAML(rules),
            "- source_labels: [__address__, job]\n"
            "  modulus: 3\n"
            "  target_label: __tmp_hash\n"
            "  action: hashmod\n"
            "- regex: \"x_(.*)\"\n"
            "  replacement: \"y_$1\"\n"
            "  action: labelmap\n");
  EXPECT_EQ(ToYAML({}, 2), "  []\n");
}

void ExpectSameRules(const std::vector<Config>& a, const std::vector<Config>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(a[i].source_labels, b[i].source_labels);
    EXPECT_EQ(a[i].separator, b[i].separator);
    EXPECT_EQ(a[i].regex, b[i].regex);
    EXPECT_EQ(a[i].modulus, b[i].modulus);
    EXPECT_EQ(a[i].target_label, b[i].target_label);
    EXPECT_EQ(a[i].replacement, b[i].replacement);
    EXPECT_EQ(a[i].action, b[i].action);
  }
}

TEST(RelabelToYaml, RoundTripsAwkwardStrings) {
  std::vector<Config> rules;
  auto add = [&](Config c) {
    auto made = MakeConfig(std::move(c));
    ASSERT_TRUE(made.ok()) << made.status().message();
    rules.push_back(std::move(made).value());
  };
  add({.source_labels = {"true", "123", "a b", "utf-8.label", "x:y", "ü"}, .separator = "", .regex = "",
       .target_label = "null", .replacement = ""});
  add({.separator = ": ", .regex = "\"quoted\" \\d+ #no-comment 'single'", .target_label = "${1}",
       .replacement = "line1\nline2\ttab\x01"});
  add({.source_labels = {"a"}, .separator = "- ", .regex = "[a-z]+, {2}", .target_label = "yes",
       .replacement = "~"});
  add({.regex = "(.*)", .action = Action::kLabelKeep});
  add({.source_labels = {"a"}, .target_label = "b", .action = Action::kDropEqual});
  add({.source_labels = {"a"}, .target_label = "b", .action = Action::kKeepEqual});
  add({.source_labels = {"a"}, .target_label = "B", .action = Action::kUppercase});
  add({.source_labels = {"a"}, .target_label = "b", .action = Action::kLowercase});
  add({.source_labels = {"a"}, .regex = "x|y", .action = Action::kKeep});
  add({.source_labels = {"a"}, .regex = "-", .action = Action::kDrop});
  add({.source_labels = {"a"}, .modulus = UINT64_MAX, .target_label = "h", .action = Action::kHashMod});
  add({.regex = "@x", .replacement = "*y", .action = Action::kLabelMap});
  ASSERT_EQ(rules.size(), 12u);

  std::string text = ToYAML(rules);
  auto back = ParseConfigs(text, "relabel_configs");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << text;
  ExpectSameRules(rules, *back);

  std::string nested = "relabel_configs:\n" + ToYAML(rules, 4);
  YAML::Node root = YAML::Load(nested);
  auto again = LoadConfigs(root["relabel_configs"], "relabel_configs");
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << nested;
  ExpectSameRules(rules, *again);
}

TEST(RelabelToYaml, ActionNamesAreYamlSpelling) {
  EXPECT_EQ(ActionName(Action::kReplace), "replace");
  EXPECT_EQ(ActionName(Action::kKeepEqual), "keepequal");
  EXPECT_EQ(ActionName(Action::kDropEqual), "dropequal");
  EXPECT_EQ(ActionName(Action::kHashMod), "hashmod");
  EXPECT_EQ(ActionName(Action::kLabelMap), "labelmap");
  EXPECT_EQ(ActionName(Action::kLabelDrop), "labeldrop");
  EXPECT_EQ(ActionName(Action::kLabelKeep), "labelkeep");
  EXPECT_EQ(ActionName(Action::kLowercase), "lowercase");
  EXPECT_EQ(ActionName(Action::kUppercase), "uppercase");
  EXPECT_EQ(ActionName(Action::kKeep), "keep");
  EXPECT_EQ(ActionName(Action::kDrop), "drop");
}

}  // namespace
}  // namespace tsdb::relabel
