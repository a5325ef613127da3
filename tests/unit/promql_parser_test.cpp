#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "promql/functions.h"
#include "promql/parser.h"

namespace tsdb::promql {
namespace {

// The tree with every operation in parentheses, to check precedence.
std::string Dump(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary: {
      const auto& b = As<BinaryExpr>(e);
      return "(" + Dump(*b.lhs) + " " + BinOpName(b.op) + " " + Dump(*b.rhs) + ")";
    }
    case ExprKind::kUnary: {
      const auto& u = As<UnaryExpr>(e);
      return std::string(u.negate ? "(-" : "(+") + Dump(*u.expr) + ")";
    }
    case ExprKind::kParen: return "[" + Dump(*As<ParenExpr>(e).expr) + "]";
    default: return Format(e);
  }
}

ParseOptions AllFeatures() {
  ParseOptions o;
  o.experimental_functions = true;
  o.duration_expr = true;
  return o;
}

ExprPtr MustParse(const std::string& q, const ParseOptions& o = {}) {
  auto r = ParseExpr(q, o);
  EXPECT_TRUE(r.ok()) << q << ": " << r.status().message();
  if (!r.ok()) return nullptr;
  return std::move(r).value();
}

TEST(PromqlParser, PrecedenceAndAssociativity) {
  struct Case {
    const char* in;
    const char* tree;
  };
  const Case cases[] = {
      {"1 + 2 * 3", "(1 + (2 * 3))"},
      {"1 * 2 + 3", "((1 * 2) + 3)"},
      {"a - b - c", "((a - b) - c)"},
      {"2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"},
      {"-2 ^ 2", "(-(2 ^ 2))"},
      {"-1 ^ -2", "(-(1 ^ -2))"},
      {"-a * b", "((-a) * b)"},
      {"-a ^ b", "(-(a ^ b))"},
      {"a * -b ^ c", "(a * (-(b ^ c)))"},
      {"+1 + -2 * 1", "(1 + (-2 * 1))"},
      {"a or b and c", "(a or (b and c))"},
      {"a and b unless c", "((a and b) unless c)"},
      {"a unless b or c", "((a unless b) or c)"},
      {"a + b > bool c", "((a + b) > c)"},
      {"a atan2 b * c", "((a atan2 b) * c)"},
      {"a % b ^ c", "(a % (b ^ c))"},
      {"a == b or c == d", "((a == b) or (c == d))"},
      {"1 < bool 2 - 1 * 2", "(1 < (2 - (1 * 2)))"},
      {"foo offset 5s - 8", "(foo offset 5s - 8)"},
      {"foo offset -1 ^ 1", "(foo offset -1s ^ 1)"},
      {"-foo offset 5m", "(-foo offset 5m)"},
      {"a + b offset 1m", "(a + b offset 1m)"},
      {"(a + b) * c", "([(a + b)] * c)"},
  };
  for (const Case& c : cases) {
    auto e = MustParse(c.in);
    if (e) {
      EXPECT_EQ(Dump(*e), c.tree) << c.in;
    }
  }
}

TEST(PromqlParser, NumberLiteralForms) {
  struct Case {
    const char* in;
    double value;
  };
  const Case cases[] = {
      {"1", 1},         {".5", 0.5},      {"5.", 5},          {"123.4567", 123.4567}, {"5e-3", 0.005},
      {"5e3", 5000},    {"0xc", 12},      {"0755", 493},      {"-0755", -493},        {"+5.5e-3", 0.0055},
      {"1_000", 1000},  {"0x_1F", 31},    {"08", 8},          {"1e+2", 100},          {"5m", 300},
      {"1h30m", 5400},  {"-Inf", -INFINITY}, {"+inf", INFINITY},
  };
  for (const Case& c : cases) {
    auto e = MustParse(c.in);
    if (!e) continue;
    ASSERT_EQ(e->kind, ExprKind::kNumber) << c.in;
    EXPECT_EQ(As<NumberLiteral>(*e).value, c.value) << c.in;
    EXPECT_EQ(e->type(), ValueType::kScalar);
  }
  auto nan = MustParse("NaN");
  ASSERT_TRUE(nan);
  EXPECT_TRUE(std::isnan(As<NumberLiteral>(*nan).value));
}

TEST(PromqlParser, StringLiteralsWithEscapes) {
  struct Case {
    const char* in;
    std::string value;
  };
  const Case cases[] = {
      {R"("double \" quote")", "double \" quote"},
      {R"('single \' quote')", "single ' quote"},
      {"`raw \\n string`", "raw \\n string"},
      {R"("\a\b\f\n\r\t\v\\")", "\a\b\f\n\r\t\v\\"},
      {R"("\x41\101\u263a\U0001F600")", "AA\u263a\U0001F600"},
      {R"("\xff")", "\xff"},
  };
  for (const Case& c : cases) {
    auto e = MustParse(c.in);
    if (!e) continue;
    ASSERT_EQ(e->kind, ExprKind::kString) << c.in;
    EXPECT_EQ(As<StringLiteral>(*e).value, c.value) << c.in;
    EXPECT_EQ(e->type(), ValueType::kString);
  }
}

TEST(PromqlParser, VectorSelectorFields) {
  auto e = MustParse(R"(foo:bar{a="b", c=~"d.*"} offset -5m @ 1.5)");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::kVectorSelector);
  const auto& vs = As<VectorSelector>(*e);
  EXPECT_EQ(vs.name, "foo:bar");
  ASSERT_EQ(vs.matchers.size(), 3u);
  EXPECT_EQ(vs.matchers[0].name(), "__name__");
  EXPECT_EQ(vs.matchers[0].value(), "foo:bar");
  EXPECT_EQ(vs.matchers[2].type(), Matcher::Type::kRegexMatch);
  EXPECT_EQ(vs.offset_ms, -300000);
  EXPECT_EQ(vs.at, AtModifier::kTimestamp);
  EXPECT_EQ(vs.at_ms, 1500);
  EXPECT_EQ(vs.pos.start, 0);
  EXPECT_EQ(vs.pos.end, 41);
}

TEST(PromqlParser, Utf8NamesInBraces) {
  auto e = MustParse(R"({"my.metric", "a.b"="c"})");
  ASSERT_TRUE(e);
  const auto& vs = As<VectorSelector>(*e);
  EXPECT_EQ(vs.name, "");
  ASSERT_EQ(vs.matchers.size(), 2u);
  EXPECT_EQ(vs.matchers[0].name(), "__name__");
  EXPECT_EQ(vs.matchers[0].value(), "my.metric");
  EXPECT_EQ(vs.matchers[1].name(), "a.b");
  EXPECT_EQ(Format(*e), R"({"a.b"="c",__name__="my.metric"})");
  auto g = MustParse(R"(sum by ("foo bar", baz) ({"some.metric"}))");
  ASSERT_TRUE(g);
  EXPECT_EQ(As<AggregateExpr>(*g).grouping, (std::vector<std::string>{"foo bar", "baz"}));
  EXPECT_EQ(Format(*g), R"(sum by ("foo bar", baz) ({__name__="some.metric"}))");
}

TEST(PromqlParser, RangesSubqueriesAndModifiers) {
  auto m = MustParse("foo[5m] offset 1h @ end()");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->kind, ExprKind::kMatrixSelector);
  EXPECT_EQ(As<MatrixSelector>(*m).range_ms, 300000);
  const auto& vs = As<VectorSelector>(*As<MatrixSelector>(*m).vector_selector);
  EXPECT_EQ(vs.offset_ms, 3600000);
  EXPECT_EQ(vs.at, AtModifier::kEnd);
  EXPECT_EQ(m->type(), ValueType::kMatrix);

  auto s = MustParse("rate(x[1m])[1h:5m] @ 100 offset 10m");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->kind, ExprKind::kSubquery);
  const auto& sq = As<SubqueryExpr>(*s);
  EXPECT_EQ(sq.range_ms, 3600000);
  EXPECT_EQ(sq.step_ms, 300000);
  EXPECT_EQ(sq.at_ms, 100000);
  EXPECT_EQ(sq.offset_ms, 600000);
  EXPECT_EQ(sq.pos.end, 35);

  auto d = MustParse("foo[1h:]");
  ASSERT_TRUE(d);
  EXPECT_EQ(As<SubqueryExpr>(*d).step_ms, 0);

  auto plain = MustParse("foo[600] offset 5");
  ASSERT_TRUE(plain);
  EXPECT_EQ(As<MatrixSelector>(*plain).range_ms, 600000);
  EXPECT_EQ(As<VectorSelector>(*As<MatrixSelector>(*plain).vector_selector).offset_ms, 5000);
}

TEST(PromqlParser, AggregationForms) {
  auto a = MustParse("sum(x) by (a, b)");
  auto b = MustParse("sum by (a, b) (x)");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(Format(*a), "sum by (a, b) (x)");
  EXPECT_EQ(Format(*b), "sum by (a, b) (x)");
  auto t = MustParse("topk without (inst) (3, x)");
  ASSERT_TRUE(t);
  const auto& agg = As<AggregateExpr>(*t);
  EXPECT_EQ(agg.op, AggOp::kTopk);
  EXPECT_TRUE(agg.without);
  ASSERT_TRUE(agg.param);
  EXPECT_EQ(As<NumberLiteral>(*agg.param).value, 3);
  auto cv = MustParse(R"(count_values("v", x))");
  ASSERT_TRUE(cv);
  EXPECT_EQ(As<StringLiteral>(*As<AggregateExpr>(*cv).param).value, "v");
  // Aggregation names are metric names where no '(' or by/without follows.
  auto sel = MustParse("sum + avg{a=\"b\"} * min");
  ASSERT_TRUE(sel);
  EXPECT_EQ(Dump(*sel), "(sum + (avg{a=\"b\"} * min))");
  EXPECT_FALSE(ParseExpr("limitk(2, x)").ok());
  EXPECT_TRUE(ParseExpr("limitk(2, x)", AllFeatures()).ok());
}

TEST(PromqlParser, VectorMatching) {
  auto e = MustParse("a + on (b) group_left (c) d");
  ASSERT_TRUE(e);
  const auto& bin = As<BinaryExpr>(*e);
  ASSERT_TRUE(bin.matching.has_value());
  EXPECT_TRUE(bin.matching->on);
  EXPECT_EQ(bin.matching->card, VectorMatching::Card::kManyToOne);
  EXPECT_EQ(bin.matching->labels, std::vector<std::string>{"b"});
  EXPECT_EQ(bin.matching->include, std::vector<std::string>{"c"});
  auto set = MustParse("a and b");
  ASSERT_TRUE(set);
  EXPECT_EQ(As<BinaryExpr>(*set).matching->card, VectorMatching::Card::kManyToMany);
  auto scalar = MustParse("a * 2");
  ASSERT_TRUE(scalar);
  EXPECT_FALSE(As<BinaryExpr>(*scalar).matching.has_value());
  auto cmp = MustParse("1 == bool 2");
  ASSERT_TRUE(cmp);
  EXPECT_TRUE(As<BinaryExpr>(*cmp).return_bool);
  EXPECT_EQ(cmp->type(), ValueType::kScalar);
}

TEST(PromqlParser, CanonicalFormat) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"sum(x) without(instance)", "sum without (instance) (x)"},
      {"a+on(b)group_left(c)d", "a + on (b) group_left (c) d"},
      {"a*on(b)group_right d", "a * on (b) group_right () d"},
      {"foo and ignoring() bar", "foo and ignoring () bar"},
      {"x[5m]offset 1h", "x[5m] offset 1h"},
      {"x @ 100", "x @ 100.000"},
      {"x offset 1h @ 100", "x @ 100.000 offset 1h"},
      {"foo[60m:300s]", "foo[1h:5m]"},
      {"foo[1h:]", "foo[1h:]"},
      {"foo{b=\"1\",a=\"2\"}", "foo{a=\"2\",b=\"1\"}"},
      {"foo offset -7m", "foo offset -7m"},
      {"1e100", "10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
      {"0.1+1e-7", "0.1 + 0.0000001"},
      {"-Inf", "-Inf"},
      {"'a\\'b'", "\"a'b\""},
      {"rate(x[90s])", "rate(x[1m30s])"},
      {"sum by () (x)", "sum by () (x)"},
      {"topk(5,x)", "topk(5, x)"},
      {"foo[4.018] @ 2.345", "foo[4s18ms] @ 2.345"},
      {"test{a=\"b\"}[5y] OFFSET 3d", "test{a=\"b\"}[5y] offset 3d"},
      {"sum by (\"inf\") (x)", "sum by (\"inf\") (x)"},
      {"--foo", "--foo"},
      {"foo @ -3.3e1", "foo @ -33.000"},
  };
  for (const Case& c : cases) {
    auto e = MustParse(c.in);
    if (e) {
      EXPECT_EQ(Format(*e), c.out) << c.in;
    }
  }
}

TEST(PromqlParser, FormatNumberAsGoDoes) {
  EXPECT_EQ(FormatNumber(1), "1");
  EXPECT_EQ(FormatNumber(1.5), "1.5");
  EXPECT_EQ(FormatNumber(-0.25), "-0.25");
  EXPECT_EQ(FormatNumber(123456789012), "123456789012");
  EXPECT_EQ(FormatNumber(NAN), "NaN");
  EXPECT_EQ(FormatNumber(INFINITY), "+Inf");
  EXPECT_EQ(FormatNumber(-INFINITY), "-Inf");
  EXPECT_EQ(FormatNumber(1e21), "1000000000000000000000");
  EXPECT_EQ(FormatNumber(5e-324), "0." + std::string(323, '0') + "5");
}

TEST(PromqlParser, RoundTrips) {
  const char* queries[] = {
      "up",
      "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))",
      "foo / ignoring (test, blub) group_left (bar) bar",
      "bar + on (foo) bla / on (baz, buz) group_right (test) blub",
      "foo and on () bar or baz unless qux",
      "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] offset 4m)[4m:3s]",
      "(foo + bar{nm=\"val\"} @ 1234)[5m:] @ 1603775019",
      "some_metric offset 1m @ 123 [10m:5s]",
      "some_metric[10m:5s] offset 1m @ 123",
      "sum without (and, by, avg, count, alert, annotations) (some_metric) [30m:10s]",
      "quantile by (le) (0.9, x)",
      "count_values without (a) (\"label\", x)",
      "label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\")",
      "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))",
      "-some_metric ^ 2",
      "+some_metric",
      "2 ^ -1 * 3",
      "1 - -1",
      "time() > bool 5",
      "vector(1) atan2 scalar(up)",
      "{\"foo\", a=\"bc\"}",
      "{__name__=~\"bar\", __name__!~\"baz\"}",
      "{__name__=\"bar\", __name__=\"baz\"}",
      "start{end=\"foo\"}",
      "offset{step=\"1s\"}[5m]",
      "foo unless on (start) bar",
      "\"\\xff\\u00e9\"",
      "sum(sum)",
      "a + sum",
      "-(-foo)",
      "(((1)))",
      "foo offset -0.5",
      "foo @ start()",
      "hour()",
      "round(x, 5)",
      "label_join(up, \"d\", \",\", \"a\", \"b\", \"c\")",
      "-inf ^ 1",
      "inf ^ 2 * -inf",
  };
  for (const char* q : queries) {
    auto e = MustParse(q);
    if (!e) continue;
    std::string once = Format(*e);
    auto again = ParseExpr(once);
    ASSERT_TRUE(again.ok()) << q << " -> " << once << ": " << again.status().message();
    EXPECT_EQ(Format(**again), once) << q;
    EXPECT_EQ(Dump(**again), Dump(*e)) << q;
  }
}

TEST(PromqlParser, PositionsOfNodes) {
  auto e = MustParse("sum(rate(x[5m])) by (a) + -foo");
  ASSERT_TRUE(e);
  const auto& bin = As<BinaryExpr>(*e);
  EXPECT_EQ(bin.pos.start, 0);
  EXPECT_EQ(bin.pos.end, 30);
  EXPECT_EQ(bin.lhs->pos.end, 23);
  EXPECT_EQ(bin.rhs->pos.start, 26);
  const auto& call = As<AggregateExpr>(*bin.lhs).expr;
  EXPECT_EQ(call->pos.start, 4);
  EXPECT_EQ(call->pos.end, 15);
}

struct ErrorCase {
  const char* in;
  const char* message;  // the full message, "LINE:COL: parse error: ..."
  int start;
  int end;
};

void ExpectErrors(const std::vector<ErrorCase>& cases, const ParseOptions& options = {}) {
  for (const ErrorCase& c : cases) {
    PosRange pos{-1, -1};
    auto r = ParseExpr(c.in, options, &pos);
    ASSERT_FALSE(r.ok()) << c.in;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.message) << c.in;
    EXPECT_EQ(pos.start, c.start) << c.in;
    EXPECT_EQ(pos.end, c.end) << c.in;
  }
}

TEST(PromqlParser, SyntaxErrorsReadAsPrometheus) {
  ExpectErrors({
      {"", "unknown position: parse error: no expression found in input", 0, 0},
      {"# just a comment\n\n", "1:1: parse error: no expression found in input", 0, 0},
      {"1+", "1:3: parse error: unexpected end of input", 2, 2},
      {".", "1:1: parse error: unexpected character: '.'", 0, 1},
      {"2.5.", "1:1: parse error: bad number or duration syntax: \"2.5.\"", 0, 4},
      {"100..4", "1:1: parse error: bad number or duration syntax: \"100..\"", 0, 6},
      {"0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\"", 0, 9},
      {"*1", "1:1: parse error: unexpected <op:*>", 0, 1},
      {"(1))", "1:5: parse error: unexpected right parenthesis ')'", 4, 4},
      {"((1)", "1:5: parse error: unclosed left parenthesis", 4, 4},
      {"(", "1:2: parse error: unclosed left parenthesis", 1, 1},
      {"1 !~ 1", "1:3: parse error: unexpected character after '!': '~'", 2, 6},
      {"1 =~ 1", "1:3: parse error: unexpected character after '=': '~'", 2, 6},
      {"@@", "1:1: parse error: unexpected <op:@>", 0, 1},
      {"a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>", 10, 18},
      {"foo + group_left(baz) bar", "1:7: parse error: unexpected <group_left>", 6, 16},
      {"{", "1:2: parse error: unexpected end of input inside braces", 1, 1},
      {"}", "1:1: parse error: unexpected character: '}'", 0, 1},
      {"some_metric{a=b}", "1:15: parse error: unexpected identifier \"b\" in label matching, expected string", 14, 15},
      {"some_metric{a:b=\"b\"}", "1:14: parse error: unexpected character inside braces: ':'", 13, 20},
      {"foo{gibberish}", "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator", 13, 14},
      {"foo{1}", "1:5: parse error: unexpected character inside braces: '1'", 4, 6},
      {"foo{,}", "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\"", 4, 5},
      {"foo{__name__=\"bar\" lol}", "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or \"}\"", 19, 22},
      {"some_metric{a=\"\xff\"}", "1:15: parse error: invalid UTF-8 rune", 14, 18},
      {"foo[5mm]", "1:5: parse error: bad number or duration syntax: \"5mm\"", 4, 8},
      {"foo[5y1hs]", "1:5: parse error: unknown unit \"hs\" in duration \"5y1hs\"", 4, 9},
      {"foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\"", 4, 8},
      {"foo[0m]", "1:5: parse error: duration must be greater than 0", 4, 6},
      {"foo[-1]", "1:5: parse error: duration must be greater than 0", 4, 6},
      {"foo[\"5m\"]", "1:5: parse error: unexpected character in duration expression: '\"'", 4, 9},
      {"foo[]", "1:5: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or range()", 4, 5},
      {"some_metric[5m] OFFSET", "1:23: parse error: unexpected end of input in offset, expected number, duration, step(), or range()", 22, 22},
      {"some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range", 21, 25},
      {"some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp", 17, 17},
      {"some_metric @ 1234 [5m]", "1:20: parse error: no @ modifiers allowed before range", 19, 23},
      {"(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors", 11, 15},
      {"sum by (\"foo)(some_metric{})", "1:9: parse error: unterminated quoted string", 8, 28},
      {"sum without(==)(some_metric)", "1:13: parse error: unexpected <op:==> in grouping opts, expected label", 12, 14},
      {"sum without(foo,,)(some_metric)", "1:17: parse error: unexpected \",\" in grouping opts, expected label", 16, 17},
      {"sum some_metric by (test)", "1:5: parse error: unexpected identifier \"some_metric\"", 4, 15},
      {"sum (some_metric) by test", "1:22: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\"", 21, 25},
      {"sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided", 0, 16},
      {"sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>", 33, 35},
      {"topk(some_metric)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1", 0, 17},
      {"topk(some_metric,)", "1:17: parse error: trailing commas not allowed in function call args", 16, 17},
      {"-=", "1:2: parse error: unexpected \"=\"", 1, 2},
      {"++-++-+-+-<", "1:11: parse error: unexpected <op:<>", 10, 11},
      {"a>b()", "1:3: parse error: unknown function with name \"b\"", 2, 3},
      {"`\\``", "1:4: parse error: unterminated raw string", 3, 4},
      {"\"\\", "1:1: parse error: escape sequence not terminated", 0, 2},
      {"\"\\c\"", "1:1: parse error: unknown escape sequence U+0063 'c'", 0, 4},
      {"\"\\x.\"", "1:1: parse error: illegal character U+002E '.' in escape sequence", 0, 5},
      {"foo{bar=\"baz\"}[", "1:16: parse error: unexpected end of input in duration expression", 15, 15},
      {"foo[5s x 5s]", "1:8: parse error: unexpected character: 'x', expected ':'", 7, 12},
      {"foo offset 9.5e10", "1:12: parse error: duration out of range", 11, 17},
      {"sum(rate(", "1:10: parse error: unclosed left parenthesis", 9, 9},
      {"foo\n  + {}", "2:5: parse error: vector selector must contain at least one non-empty matcher", 8, 10},
      {"foo[5m+1m]", "1:5: parse error: experimental duration expression is not enabled", 4, 6},
      {"foo offset (1h)", "1:13: parse error: experimental duration expression is not enabled", 12, 14},
      {"sort_by_label(x, \"a\")", "1:1: parse error: function \"sort_by_label\" is not enabled", 0, 13},
      {"limitk(2, x)", "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions", 0, 12},
      {"foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN", 0, 3},
      {"foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf", 0, 3},
  });
}

TEST(PromqlParser, TypeErrorsReadAsPrometheus) {
  ExpectErrors({
      {"1 and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression", 0, 7},
      {"1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier", 2, 3},
      {"foo or 1", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression", 0, 8},
      {"-\"string\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"", 0, 9},
      {"-test[5m]", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"", 0, 9},
      {"1 offset 1d", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 1},
      {"foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times", 0, 13},
      {"1 or on(bar) foo", "1:1: parse error: vector matching only allowed between instant vectors", 0, 16},
      {"foo and on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for \"and\" operation", 0, 35},
      {"http_requests{group=\"production\"} + on(instance) group_left(job,instance) cpu_count{type=\"smp\"}",
       "1:35: parse error: label \"instance\" must not occur in ON and GROUP clause at once", 34, 72},
      {"foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators", 4, 9},
      {"foo and bool 10", "1:5: parse error: bool modifier can only be used on comparison operators", 4, 11},
      {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher", 0, 2},
      {"{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher", 0, 9},
      {"foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"", 0, 19},
      {"topk(some_metric, other_metric)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector", 5, 16},
      {"count_values(5, other_metric)", "1:14: parse error: expected type string in aggregation parameter, got scalar", 13, 14},
      {"sum(x[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector", 4, 9},
      {"rate(some_metric[5m]) @ 1234", "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 21},
      {"floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0", 0, 7},
      {"floor(some_metric, 1)", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2", 0, 21},
      {"floor(1)", "1:7: parse error: expected type instant vector in call to function \"floor\", got scalar", 6, 7},
      {"hour(some_metric, some_metric, some_metric)", "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 3", 0, 43},
      {"label_join(up)", "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1", 0, 14},
      {"time(some_metric)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1", 0, 17},
      {"non_existent_function_far_bar()", "1:1: parse error: unknown function with name \"non_existent_function_far_bar\"", 0, 29},
      {"rate(some_metric)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector", 5, 16},
      {"test[5d] OFFSET 10s [10m:5s]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead", 0, 28},
      {"rate(food[1m])[1h] offset 1h", "1:15: parse error: ranges only allowed for vector selectors", 14, 18},
      {"x[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types", 0, 5},
  });
}

TEST(PromqlParser, DurationExpressionsWhenEnabled) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"foo[5m+1m]", "foo[6m]"},
      {"foo[11s+10s-5*2^2]", "foo[1s]"},
      {"foo[-(10s-5s)+20s]", "foo[15s]"},
      {"foo offset (1h * 2)", "foo offset 2h"},
      {"foo offset -(5)", "foo offset -5s"},
      {"foo[max_of(1m, 2m)]", "foo[2m]"},
      {"foo[4s+4s:1s*2] offset (5s-8)", "foo[8s:2s] offset -3s"},
      {"foo offset -2 ^ 2", "foo offset -2s ^ 2"},
      // step() and range() stay in the tree for the engine, printed as written.
      {"foo[step()]", "foo[step()]"},
      {"foo[(step())+1]", "foo[(step()) + 1s]"},
      {"foo[1+(STep()-5)*2]", "foo[1s + (step() - 5s) * 2s]"},
      {"foo[min_of(step()+1,1h):range()]", "foo[min_of(step() + 1s, 1h):range()]"},
      {"foo offset -step()*2", "foo offset -step() * 2"},
      {"foo offset (-step()*2)", "foo offset (-step() * 2s)"},
  };
  for (const Case& c : cases) {
    auto e = MustParse(c.in, AllFeatures());
    if (e) {
      EXPECT_EQ(Format(*e), c.out) << c.in;
    }
  }
  ExpectErrors({{"foo[5s/0d]", "1:7: parse error: division by zero", 6, 7},
                {"foo[5s%0d]", "1:7: parse error: modulo by zero", 6, 7},
                {"foo[step()/0]", "1:11: parse error: division by zero", 10, 11}},
               AllFeatures());
  // The tree the engine computes: (step() - 5s) * 2 + 1s for a 10 s step is 11 s.
  auto e = MustParse("foo[1+(step()-5)*2]", AllFeatures());
  ASSERT_TRUE(e);
  const auto& m = As<MatrixSelector>(*e);
  ASSERT_TRUE(m.range_expr);
  EXPECT_EQ(EvalDuration(*m.range_expr, 10, 0), 11);
}

ParseOptions FillEnabled() {
  ParseOptions o;
  o.binop_fill_modifiers = true;
  return o;
}

TEST(PromqlParser, FillModifiersSetTheValueOfEachSide) {
  auto e = MustParse("a + on(b) group_left fill_right(-1) c", FillEnabled());
  ASSERT_TRUE(e);
  const VectorMatching& m = *As<BinaryExpr>(*e).matching;
  EXPECT_EQ(m.card, VectorMatching::Card::kManyToOne);
  EXPECT_FALSE(m.fill_lhs.has_value());
  ASSERT_TRUE(m.fill_rhs.has_value());
  EXPECT_EQ(*m.fill_rhs, -1);

  e = MustParse("a + fill (5m) b", FillEnabled());
  ASSERT_TRUE(e);
  const VectorMatching& both = *As<BinaryExpr>(*e).matching;
  ASSERT_TRUE(both.fill_lhs && both.fill_rhs);
  EXPECT_EQ(*both.fill_lhs, 300);
  EXPECT_EQ(*both.fill_rhs, 300);

  e = MustParse("a > bool fill_right(1) fill_left(-Inf) b", FillEnabled());
  ASSERT_TRUE(e);
  const auto& cmp = As<BinaryExpr>(*e);
  EXPECT_TRUE(cmp.return_bool);
  ASSERT_TRUE(cmp.matching->fill_lhs && cmp.matching->fill_rhs);
  EXPECT_EQ(*cmp.matching->fill_lhs, -INFINITY);
  EXPECT_EQ(*cmp.matching->fill_rhs, 1);
}

TEST(PromqlParser, FillKeywordsAreMetricNamesWithoutParenthesis) {
  // Only a following '(' makes fill, fill_left and fill_right keywords.
  auto e = MustParse("fill + fill_left - fill_right", FillEnabled());
  ASSERT_TRUE(e);
  EXPECT_EQ(Dump(*e), "((fill + fill_left) - fill_right)");
  e = MustParse("fill + fill(0) fill", FillEnabled());
  ASSERT_TRUE(e);
  const auto& b = As<BinaryExpr>(*e);
  EXPECT_EQ(As<VectorSelector>(*b.lhs).name, "fill");
  EXPECT_EQ(As<VectorSelector>(*b.rhs).name, "fill");
  EXPECT_EQ(*b.matching->fill_lhs, 0);
  EXPECT_TRUE(MustParse("sum by (fill, fill_left) (fill_right{fill=\"x\"})"));
}

TEST(PromqlParser, FillModifiersPrintAsPrometheus) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      // promql/parser/printer_test.go
      {"a + fill(-23) b", "a + fill (-23) b"},
      {"a + fill_left(-23) b", "a + fill_left (-23) b"},
      {"a + fill_right(42) b", "a + fill_right (42) b"},
      {"a + fill_left(-23) fill_right(42) b", "a + fill_left (-23) fill_right (42) b"},
      {"a + fill_left(5) fill_right(5) b", "a + fill (5) b"},
      {"a + on(b) group_left fill(-23) c", "a + on (b) group_left () fill (-23) c"},
      // Go's %v of the value; NaN is never equal to itself.
      {"a+fill_right(2)fill_left(1)b", "a + fill_left (1) fill_right (2) b"},
      {"a + fill(1e6) b", "a + fill (1e+06) b"},
      {"a + fill(0.00001) b", "a + fill (1e-05) b"},
      {"a + fill(1m30s) b", "a + fill (90) b"},
      {"a + fill(+Inf) b", "a + fill (+Inf) b"},
      {"a + fill(NaN) b", "a + fill_left (NaN) fill_right (NaN) b"},
      {"a == bool ignoring(x) fill(0) b", "a == bool ignoring (x) fill (0) b"},
      {"a / on(x) group_right(y) fill_left(1) b", "a / on (x) group_right (y) fill_left (1) b"},
  };
  for (const Case& c : cases) {
    auto e = MustParse(c.in, FillEnabled());
    if (!e) continue;
    std::string once = Format(*e);
    EXPECT_EQ(once, c.out) << c.in;
    auto again = ParseExpr(once, FillEnabled());
    ASSERT_TRUE(again.ok()) << once << ": " << again.status().message();
    EXPECT_EQ(Format(**again), once) << c.in;
  }
}

TEST(PromqlParser, FillModifierErrorsReadAsPrometheus) {
  ExpectErrors({{"a + fill(0) b", "1:1: parse error: binop fill modifiers are experimental and not enabled", 0, 13},
                {"x + (a + fill_left(1) b)", "1:6: parse error: binop fill modifiers are experimental and not enabled", 5, 23}});
  ExpectErrors({
      {"a and fill(0) b", "1:1: parse error: filling in missing series not allowed for set operators", 0, 15},
      {"a or on(x) fill_left(0) b", "1:1: parse error: filling in missing series not allowed for set operators", 0, 25},
      {"a + fill(0) 1", "1:1: parse error: filling in missing series only allowed between instant vectors", 0, 13},
      {"1 < bool fill_right(0) a", "1:1: parse error: filling in missing series only allowed between instant vectors", 0, 24},
      {"a + fill() b", "1:10: parse error: unexpected \")\"", 9, 10},
      {"a + fill(x) b", "1:10: parse error: unexpected identifier \"x\"", 9, 10},
      {"a + fill(0 b", "1:12: parse error: unexpected identifier \"b\"", 11, 12},
      {"a + fill(0) on(b) c", "1:13: parse error: unexpected <on>", 12, 14},
      {"a + fill_left(1) fill_left(2) b", "1:27: parse error: unexpected \"(\"", 26, 27},
  }, FillEnabled());
}

TEST(PromqlParser, DeepNestingFailsCleanly) {
  std::string deep(100000, '(');
  auto r = ParseExpr(deep);
  EXPECT_FALSE(r.ok());
  std::string unary(100000, '-');
  unary += "1";
  EXPECT_FALSE(ParseExpr(unary).ok());
  std::string chain = "1";
  for (int i = 0; i < 100000; ++i) chain += "+1";
  auto c = ParseExpr(chain);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("nests too deeply"), std::string::npos);
  std::string sub = "foo";
  for (int i = 0; i < 2000; ++i) sub += "[1m:]";
  EXPECT_FALSE(ParseExpr(sub).ok());
  std::string ok_nesting = std::string(100, '(') + "1" + std::string(100, ')');
  EXPECT_TRUE(ParseExpr(ok_nesting).ok());
}

}  // namespace
}  // namespace tsdb::promql
