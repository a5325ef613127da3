// A recursive-descent parser for Prometheus's yacc grammar
// (promql/parser/generated_parser.y). Operator precedence is climbed in
// ParseBinary; `offset`, `@` and `[...]` bind tightest, to the expression
// just before them, as in the yacc grammar. The first error wins, as
// Prometheus reports the first of its collected errors.
#include "promql/parser.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/labels.h"
#include "model/names.h"
#include "model/quoting.h"
#include "promql/functions.h"
#include "promql/lexer.h"
#include "promql/parse_internal.h"

namespace tsdb::promql {
namespace {

using internal::kMaxDepth;
using internal::ParseError;

// A parsed subtree and its height, so that long operator chains (which the
// parser builds in a loop, not by recursion) cannot grow too deep either.
struct Node {
  ExprPtr e;
  int depth = 0;
  explicit operator bool() const { return e != nullptr; }
};

// A duration expression's value (seconds) while it is folded.
struct Duration {
  double seconds = 0;
  PosRange pos;
  bool literal = false;      // a (signed) literal, not arithmetic
  bool exact = false;        // exact_ns is the literal's exact value
  int64_t exact_ns = 0;
  // Set when the value depends on the query (step(), range()): the tree the
  // engine computes; `seconds` is then meaningless.
  std::shared_ptr<DurationExpr> tree;
};

// The tree of a duration: its own, or a constant.
std::shared_ptr<DurationExpr> TreeOf(const Duration& d) {
  if (d.tree) return d.tree;
  auto n = std::make_shared<DurationExpr>();
  n->seconds = d.exact ? static_cast<double>(d.exact_ns) / 1e9 : d.seconds;
  return n;
}

std::shared_ptr<DurationExpr> DurationNode(DurationExpr::Op op, std::shared_ptr<DurationExpr> lhs,
                                           std::shared_ptr<DurationExpr> rhs) {
  auto n = std::make_shared<DurationExpr>();
  n->op = op;
  n->lhs = std::move(lhs);
  n->rhs = std::move(rhs);
  return n;
}

bool BinaryOpOf(Tok t, BinOp* op, int* prec) {
  switch (t) {
    case Tok::kLor: *op = BinOp::kOr, *prec = 1; return true;
    case Tok::kLand: *op = BinOp::kAnd, *prec = 2; return true;
    case Tok::kLunless: *op = BinOp::kUnless, *prec = 2; return true;
    case Tok::kEqlc: *op = BinOp::kEql, *prec = 3; return true;
    case Tok::kNeq: *op = BinOp::kNeq, *prec = 3; return true;
    case Tok::kLte: *op = BinOp::kLte, *prec = 3; return true;
    case Tok::kLss: *op = BinOp::kLss, *prec = 3; return true;
    case Tok::kGte: *op = BinOp::kGte, *prec = 3; return true;
    case Tok::kGtr: *op = BinOp::kGtr, *prec = 3; return true;
    case Tok::kAdd: *op = BinOp::kAdd, *prec = 4; return true;
    case Tok::kSub: *op = BinOp::kSub, *prec = 4; return true;
    case Tok::kMul: *op = BinOp::kMul, *prec = 5; return true;
    case Tok::kDiv: *op = BinOp::kDiv, *prec = 5; return true;
    case Tok::kMod: *op = BinOp::kMod, *prec = 5; return true;
    case Tok::kAtan2: *op = BinOp::kAtan2, *prec = 5; return true;
    case Tok::kPow: *op = BinOp::kPow, *prec = 6; return true;
    default: return false;
  }
}
constexpr int kPowPrec = 6;  // unary minus binds looser than ^ only

bool AggOpOf(std::string_view text, AggOp* op) {
  static constexpr AggOp kAll[] = {AggOp::kSum,    AggOp::kAvg,    AggOp::kCount,      AggOp::kMin,
                                   AggOp::kMax,    AggOp::kGroup,  AggOp::kStddev,     AggOp::kStdvar,
                                   AggOp::kTopk,   AggOp::kBottomk, AggOp::kCountValues, AggOp::kQuantile,
                                   AggOp::kLimitk, AggOp::kLimitRatio};
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (AggOp a : kAll) {
    if (lower == AggOpName(a)) {
      *op = a;
      return true;
    }
  }
  return false;
}

// Tokens that may name a metric (yacc's metric_identifier).
bool IsMetricIdentifier(Tok t) {
  switch (t) {
    case Tok::kIdentifier: case Tok::kMetricIdentifier: case Tok::kAggregator: case Tok::kBy:
    case Tok::kWithout: case Tok::kOffset: case Tok::kLand: case Tok::kLor: case Tok::kLunless:
    case Tok::kStart: case Tok::kEnd: case Tok::kStep: case Tok::kRange: case Tok::kMaxOf: case Tok::kMinOf:
    case Tok::kFill: case Tok::kFillLeft: case Tok::kFillRight:
      return true;
    default:
      return false;
  }
}

// Tokens that may be a label in by(...), on(...), group_left(...) (maybe_label).
bool IsMaybeLabel(Tok t) {
  if (IsMetricIdentifier(t)) return true;
  switch (t) {
    case Tok::kBool: case Tok::kGroupLeft: case Tok::kGroupRight: case Tok::kIgnoring: case Tok::kOn:
    case Tok::kAtan2:
      return true;
    default:
      return false;
  }
}

bool StartsDuration(Tok t) {
  switch (t) {
    case Tok::kNumber: case Tok::kDuration: case Tok::kAdd: case Tok::kSub: case Tok::kLeftParen:
    case Tok::kStep: case Tok::kRange: case Tok::kMaxOf: case Tok::kMinOf:
      return true;
    default:
      return false;
  }
}

// Go's %f.
std::string GoFormatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  std::snprintf(buf, sizeof buf, "%f", v);
  return buf;
}

std::string PositionString(std::string_view query, int pos) {
  if (query.empty()) return "unknown position";
  if (pos < 0 || pos > static_cast<int>(query.size())) return "invalid position";
  int line = 1, last_break = -1;
  for (int i = 0; i < pos; ++i) {
    if (query[i] == '\n') line++, last_break = i;
  }
  return std::to_string(line) + ":" + std::to_string(pos - last_break);
}

class Parser {
 public:
  Parser(std::string_view query, const ParseOptions& options) : in_(query), lex_(query), opt_(options) {}

  Result<ExprPtr> Run(PosRange* error_pos) {
    ExprPtr result;
    if (Cur().type == Tok::kEOF) {
      Fail({0, 0}, "no expression found in input");
    } else if (Node n = ParseBinary(1)) {
      if (Cur().type != Tok::kEOF) {
        Unexpected(Cur(), "", "");
      } else {
        ParseError check;
        if (!internal::CheckTypes(*n.e, in_, &check)) {
          Fail(check.pos, check.message);
        } else {
          result = std::move(n.e);
        }
      }
    }
    if (result) return result;
    if (!err_) Fail({0, 0}, "unexpected error");  // every failing path records an error
    if (error_pos) *error_pos = err_->pos;
    return Status::InvalidArgument(PositionString(in_, err_->pos.start) + ": parse error: " + err_->message);
  }

 private:
  // ---- tokens ----
  const Token& Cur() { return At(0); }
  const Token& Peek() { return At(1); }
  const Token& At(int i) {
    while (nbuf_ <= i) {
      buf_[nbuf_] = lex_.Next();
      if (buf_[nbuf_].type == Tok::kError) Fail({buf_[nbuf_].pos, static_cast<int>(in_.size())}, buf_[nbuf_].message);
      ++nbuf_;
    }
    return buf_[i];
  }
  Token Take() {
    Cur();
    Token t = std::move(buf_[0]);
    buf_[0] = std::move(buf_[1]);
    --nbuf_;
    if (t.type != Tok::kEOF && t.type != Tok::kError) prev_end_ = t.end();
    return t;
  }
  bool Expect(Tok type, const char* context, const char* expected, Token* out = nullptr) {
    if (Cur().type != type) return Unexpected(Cur(), context, expected);
    Token t = Take();
    if (out) *out = std::move(t);
    return true;
  }

  // ---- errors ----
  bool Fail(PosRange pos, std::string message) {
    if (!err_) err_ = ParseError{pos, std::move(message)};
    return false;
  }
  bool Unexpected(const Token& t, std::string_view context, std::string_view expected) {
    if (t.type == Tok::kError) return false;  // the lexer's error is already recorded
    std::string msg = "unexpected " + DescribeToken(t);
    if (!context.empty()) msg += " in " + std::string(context);
    if (!expected.empty()) msg += ", expected " + std::string(expected);
    return Fail({t.pos, t.end()}, std::move(msg));
  }
  bool TooDeep(int pos) {
    return Fail({pos, pos}, "expression nests too deeply (more than " + std::to_string(kMaxDepth) + " levels)");
  }

  // Counts recursion so that a deeply nested query fails instead of
  // overflowing the stack.
  struct Recursion {
    explicit Recursion(Parser* p) : p(p) { ++p->recursion_; }
    ~Recursion() { --p->recursion_; }
    bool ok() const { return p->recursion_ <= kMaxDepth || p->TooDeep(p->Cur().pos); }
    Parser* p;
  };

  // ---- expressions ----
  Node ParseBinary(int min_prec) {
    Recursion guard(this);
    if (!guard.ok()) return {};
    Node lhs = ParseUnary();
    if (!lhs) return {};
    for (;;) {
      BinOp op;
      int prec;
      if (!BinaryOpOf(Cur().type, &op, &prec) || prec < min_prec) return lhs;
      Take();
      auto bin = std::make_unique<BinaryExpr>();
      bin->op = op;
      if (!ParseBinModifiers(bin.get())) return {};
      Node rhs = ParseBinary(op == BinOp::kPow ? prec : prec + 1);
      if (!rhs) return {};
      bin->pos = {lhs.e->pos.start, rhs.e->pos.end};
      if (!opt_.binop_fill_modifiers && (bin->matching->fill_lhs || bin->matching->fill_rhs)) {
        return Fail(bin->pos, "binop fill modifiers are experimental and not enabled"), Node{};
      }
      int depth = std::max(lhs.depth, rhs.depth) + 1;
      if (depth > kMaxDepth) return TooDeep(bin->pos.end), Node{};
      bin->lhs = std::move(lhs.e);
      bin->rhs = std::move(rhs.e);
      lhs = Node{std::move(bin), depth};
    }
  }

  bool ParseBinModifiers(BinaryExpr* bin) {
    VectorMatching vm;
    if (Cur().type == Tok::kBool) {
      Take();
      bin->return_bool = true;
    }
    if (Cur().type == Tok::kOn || Cur().type == Tok::kIgnoring) {
      vm.on = Take().type == Tok::kOn;
      vm.explicit_matching = true;
      if (!ParseGroupingLabels(&vm.labels)) return false;
      if (Cur().type == Tok::kGroupLeft || Cur().type == Tok::kGroupRight) {
        vm.card = Take().type == Tok::kGroupLeft ? VectorMatching::Card::kManyToOne
                                                 : VectorMatching::Card::kOneToMany;
        if (Cur().type == Tok::kLeftParen && !ParseGroupingLabels(&vm.include)) return false;
      }
    }
    // fill(v), or fill_left(v) and fill_right(v), one or both in either order.
    if (Cur().type == Tok::kFill) {
      Take();
      double v;
      if (!ParseFillValue(&v)) return false;
      vm.fill_lhs = vm.fill_rhs = v;
    } else if (Cur().type == Tok::kFillLeft || Cur().type == Tok::kFillRight) {
      const bool left_first = Take().type == Tok::kFillLeft;
      double v;
      if (!ParseFillValue(&v)) return false;
      (left_first ? vm.fill_lhs : vm.fill_rhs) = v;
      if (Cur().type == (left_first ? Tok::kFillRight : Tok::kFillLeft)) {
        Take();
        if (!ParseFillValue(&v)) return false;
        (left_first ? vm.fill_rhs : vm.fill_lhs) = v;
      }
    }
    bin->matching = std::move(vm);  // the type checker drops it where a side is not a vector
    return true;
  }

  // A fill modifier's `(v)`: a number or a duration (in seconds), optionally
  // signed (yacc's fill_value).
  bool ParseFillValue(double* out) {
    if (!Expect(Tok::kLeftParen, "", "")) return false;
    bool negate = false;
    if (Cur().type == Tok::kAdd || Cur().type == Tok::kSub) negate = Take().type == Tok::kSub;
    const Tok type = Cur().type;
    if (type != Tok::kNumber && type != Tok::kDuration) return Unexpected(Cur(), "", "");
    Token tok = Take();
    std::string why;
    if (type == Tok::kNumber) {
      if (!internal::ParseNumberText(tok.text, out, &why)) return Fail({tok.pos, tok.end()}, "error parsing number: " + why);
    } else {
      int64_t ns;
      if (!internal::ParseDurationText(tok.text, &ns, &why)) return Fail({tok.pos, tok.end()}, why);
      *out = static_cast<double>(ns) / 1e9;
    }
    if (negate) *out = -*out;
    return Expect(Tok::kRightParen, "", "");
  }

  Node ParseUnary() {
    if (Cur().type != Tok::kAdd && Cur().type != Tok::kSub) {
      Node e = ParsePrimary();
      if (!e) return {};
      return ParsePostfix(std::move(e));
    }
    Token op = Take();
    Node inner = ParseBinary(kPowPrec);
    if (!inner) return {};
    const bool negate = op.type == Tok::kSub;
    if (inner.e->kind == ExprKind::kNumber) {
      // -1 is a number literal, not an operation, as in Prometheus.
      auto& num = As<NumberLiteral>(*inner.e);
      if (negate) num.value = -num.value;
      num.pos.start = op.pos;
      return inner;
    }
    auto u = std::make_unique<UnaryExpr>();
    u->negate = negate;
    u->pos = {op.pos, inner.e->pos.end};
    u->expr = std::move(inner.e);
    if (inner.depth + 1 > kMaxDepth) return TooDeep(op.pos), Node{};
    return Node{std::move(u), inner.depth + 1};
  }

  // `[range]`, `[range:step]`, `offset d` and `@ t` after an expression.
  Node ParsePostfix(Node e) {
    for (;;) {
      bool ok = true;
      switch (Cur().type) {
        case Tok::kLeftBracket: ok = ParseRangeOrSubquery(&e); break;
        case Tok::kOffset: ok = ParseOffset(e.e.get()); break;
        case Tok::kAt: ok = ParseAt(e.e.get()); break;
        default: return e;
      }
      if (!ok) return {};
    }
  }

  Node ParsePrimary() {
    const Token& t = Cur();
    switch (t.type) {
      case Tok::kNumber: {
        Token tok = Take();
        double v;
        std::string why;
        if (!internal::ParseNumberText(tok.text, &v, &why)) return Fail({tok.pos, tok.end()}, "error parsing number: " + why), Node{};
        return Number(v, {tok.pos, tok.end()});
      }
      case Tok::kDuration: {
        Token tok = Take();
        int64_t ns;
        std::string why;
        if (!internal::ParseDurationText(tok.text, &ns, &why)) return Fail({tok.pos, tok.end()}, why), Node{};
        return Number(static_cast<double>(ns) / 1e9, {tok.pos, tok.end()});
      }
      case Tok::kString: {
        Token tok = Take();
        auto s = std::make_unique<StringLiteral>();
        if (!Unquote(tok, &s->value)) return {};
        s->pos = {tok.pos, tok.end()};
        return Node{std::move(s), 1};
      }
      case Tok::kLeftParen: {
        Token lp = Take();
        Node inner = ParseBinary(1);
        if (!inner) return {};
        Token rp;
        if (!Expect(Tok::kRightParen, "", "", &rp)) return {};
        auto p = std::make_unique<ParenExpr>();
        p->pos = {lp.pos, rp.end()};
        p->expr = std::move(inner.e);
        if (inner.depth + 1 > kMaxDepth) return TooDeep(lp.pos), Node{};
        return Node{std::move(p), inner.depth + 1};
      }
      case Tok::kLeftBrace: return ParseVectorSelector();
      case Tok::kAggregator:
        if (Peek().type == Tok::kLeftParen || Peek().type == Tok::kBy || Peek().type == Tok::kWithout) {
          return ParseAggregate();
        }
        return ParseVectorSelector();
      case Tok::kIdentifier: case Tok::kStart: case Tok::kEnd: case Tok::kStep: case Tok::kRange:
      case Tok::kMaxOf: case Tok::kMinOf:
        if (Peek().type == Tok::kLeftParen) return ParseCall();
        return ParseVectorSelector();
      default:
        if (IsMetricIdentifier(t.type)) return ParseVectorSelector();
        Unexpected(t, "", "");
        return {};
    }
  }

  static Node Number(double v, PosRange pos) {
    auto n = std::make_unique<NumberLiteral>();
    n->value = v;
    n->pos = pos;
    return Node{std::move(n), 1};
  }

  bool Unquote(const Token& tok, std::string* out) {
    auto s = GoUnquote(tok.text);
    if (!s.ok()) {
      return Fail({tok.pos, tok.end()}, "error unquoting string " + GoQuote(tok.text) + ": " + s.status().message());
    }
    *out = std::move(s).value();
    return true;
  }

  // ---- selectors ----
  Node ParseVectorSelector() {
    auto vs = std::make_unique<VectorSelector>();
    int start = Cur().pos;
    int end = Cur().end();
    if (Cur().type != Tok::kLeftBrace) {
      Token name = Take();
      vs->name = std::string(name.text);
      if (!AddMatcher(vs.get(), Matcher::Type::kEqual, std::string(kMetricNameLabel), vs->name, {name.pos, name.end()})) {
        return {};
      }
    }
    if (Cur().type == Tok::kLeftBrace) {
      Take();
      if (!ParseMatchers(vs.get())) return {};
      end = prev_end_;
    }
    vs->pos = {start, end};
    return Node{std::move(vs), 1};
  }

  bool AddMatcher(VectorSelector* vs, Matcher::Type type, std::string name, std::string value, PosRange pos) {
    auto m = Matcher::Make(type, std::move(name), std::move(value));
    if (!m.ok()) return Fail(pos, m.status().message());
    vs->matchers.push_back(std::move(m).value());
    return true;
  }

  static bool MatchOp(Tok t, Matcher::Type* type) {
    switch (t) {
      case Tok::kEql: *type = Matcher::Type::kEqual; return true;
      case Tok::kNeq: *type = Matcher::Type::kNotEqual; return true;
      case Tok::kEqlRegex: *type = Matcher::Type::kRegexMatch; return true;
      case Tok::kNeqRegex: *type = Matcher::Type::kRegexNoMatch; return true;
      default: return false;
    }
  }

  // After '{': matchers up to and including '}'.
  bool ParseMatchers(VectorSelector* vs) {
    if (Cur().type == Tok::kRightBrace) return Take(), true;
    for (;;) {
      if (Cur().type != Tok::kIdentifier && Cur().type != Tok::kString) {
        return Unexpected(Cur(), "label matching", "identifier or \"}\"");
      }
      Token name_tok = Take();
      std::string name;
      if (name_tok.type == Tok::kString) {
        if (!Unquote(name_tok, &name)) return false;
      } else {
        name = std::string(name_tok.text);
      }
      Matcher::Type type;
      if (MatchOp(Cur().type, &type)) {
        Take();
        Token value_tok;
        if (!Expect(Tok::kString, "label matching", "string", &value_tok)) return false;
        std::string value;
        if (!Unquote(value_tok, &value)) return false;
        if (!AddMatcher(vs, type, std::move(name), std::move(value), {name_tok.pos, value_tok.end()})) return false;
      } else if (name_tok.type == Tok::kString) {
        // {"my.metric"}: a lone string names the metric.
        if (!AddMatcher(vs, Matcher::Type::kEqual, std::string(kMetricNameLabel), std::move(name),
                        {name_tok.pos, name_tok.end()})) {
          return false;
        }
      } else {
        return Unexpected(Cur(), "label matching", "label matching operator");
      }
      if (Cur().type == Tok::kComma) {
        Take();
        if (Cur().type == Tok::kRightBrace) return Take(), true;
        continue;
      }
      if (Cur().type == Tok::kRightBrace) return Take(), true;
      return Unexpected(Cur(), "label matching", "\",\" or \"}\"");
    }
  }

  // '(' label, ... ')' for by/without/on/ignoring/group_x.
  bool ParseGroupingLabels(std::vector<std::string>* out) {
    if (!Expect(Tok::kLeftParen, "grouping opts", "\"(\"")) return false;
    if (Cur().type == Tok::kRightParen) return Take(), true;
    for (;;) {
      const Token& t = Cur();
      std::string label;
      if (t.type == Tok::kString) {
        Token s = Take();
        if (!Unquote(s, &label)) return false;
        if (!IsValidLabelName(label)) return Fail({s.pos, s.end()}, "invalid label name for grouping: " + GoQuote(label));
      } else if (IsMaybeLabel(t.type)) {
        Token s = Take();
        label = std::string(s.text);
        if (!IsValidLabelName(label)) return Fail({s.pos, s.end()}, "invalid label name for grouping: " + GoQuote(label));
      } else {
        return Unexpected(t, "grouping opts", "label");
      }
      out->push_back(std::move(label));
      if (Cur().type == Tok::kComma) {
        Take();
        if (Cur().type == Tok::kRightParen) return Take(), true;
        continue;
      }
      if (Cur().type == Tok::kRightParen) return Take(), true;
      return Unexpected(Cur(), "grouping opts", "\",\" or \")\"");
    }
  }

  // ---- calls and aggregations ----
  bool ParseArgs(std::vector<Node>* args, const char* context) {
    if (!Expect(Tok::kLeftParen, context, "")) return false;
    if (Cur().type == Tok::kRightParen) return Take(), true;
    for (;;) {
      Node a = ParseBinary(1);
      if (!a) return false;
      args->push_back(std::move(a));
      if (Cur().type == Tok::kComma) {
        Token comma = Take();
        if (Cur().type == Tok::kRightParen) {
          return Fail({comma.pos, comma.end()}, "trailing commas not allowed in function call args");
        }
        continue;
      }
      return Expect(Tok::kRightParen, "", "");
    }
  }

  static int MaxDepth(const std::vector<Node>& args) {
    int d = 0;
    for (const Node& a : args) d = std::max(d, a.depth);
    return d;
  }

  Node ParseCall() {
    Token name = Take();
    std::vector<Node> args;
    if (!ParseArgs(&args, "")) return {};
    auto call = std::make_unique<Call>();
    call->pos = {name.pos, prev_end_};
    call->func = LookupFunction(name.text);
    if (call->func == nullptr) {
      return Fail({name.pos, name.end()}, "unknown function with name " + GoQuote(name.text)), Node{};
    }
    if (!call->func->feature.empty() && !opt_.experimental_functions) {
      return Fail({name.pos, name.end()}, "function " + GoQuote(name.text) + " is not enabled"), Node{};
    }
    int depth = MaxDepth(args) + 1;
    for (Node& a : args) call->args.push_back(std::move(a.e));
    if (depth > kMaxDepth) return TooDeep(name.pos), Node{};
    return Node{std::move(call), depth};
  }

  bool ParseAggModifier(AggregateExpr* agg) {
    agg->without = Take().type == Tok::kWithout;
    agg->by = !agg->without;
    return ParseGroupingLabels(&agg->grouping);
  }

  Node ParseAggregate() {
    Token op_tok = Take();
    auto agg = std::make_unique<AggregateExpr>();
    AggOpOf(op_tok.text, &agg->op);
    bool have_modifier = false;
    if (Cur().type == Tok::kBy || Cur().type == Tok::kWithout) {
      if (!ParseAggModifier(agg.get())) return {};
      have_modifier = true;
    }
    std::vector<Node> args;
    if (!ParseArgs(&args, "aggregation")) return {};
    if (!have_modifier && (Cur().type == Tok::kBy || Cur().type == Tok::kWithout)) {
      if (!ParseAggModifier(agg.get())) return {};
    }
    agg->pos = {op_tok.pos, prev_end_};
    if (args.empty()) return Fail(agg->pos, "no arguments for aggregate expression provided"), Node{};
    size_t want = 1;
    if (AggOpTakesParam(agg->op)) {
      if (!opt_.experimental_functions && (agg->op == AggOp::kLimitk || agg->op == AggOp::kLimitRatio)) {
        return Fail(agg->pos, std::string(AggOpName(agg->op)) +
                                  "() is experimental and must be enabled with "
                                  "--enable-feature=promql-experimental-functions"),
               Node{};
      }
      want = 2;
    }
    if (args.size() != want) {
      return Fail(agg->pos, "wrong number of arguments for aggregate expression provided, expected " +
                                std::to_string(want) + ", got " + std::to_string(args.size())),
             Node{};
    }
    int depth = MaxDepth(args) + 1;
    if (want == 2) agg->param = std::move(args[0].e);
    agg->expr = std::move(args[want - 1].e);
    if (depth > kMaxDepth) return TooDeep(op_tok.pos), Node{};
    return Node{std::move(agg), depth};
  }

  // ---- durations, ranges, offset, @ ----
  bool RequireDurationExpr(PosRange pos) {
    if (opt_.duration_expr) return true;
    return Fail(pos, "experimental duration expression is not enabled");
  }

  // Duration arithmetic, folded to a value (the tree has no node for it).
  bool ParseDurationExpr(int min_prec, Duration* out) {
    Recursion guard(this);
    if (!guard.ok()) return false;
    Duration lhs;
    if (!ParseDurationUnary(&lhs)) return false;
    for (;;) {
      Tok t = Cur().type;
      int prec;
      if (t == Tok::kAdd || t == Tok::kSub) prec = 1;
      else if (t == Tok::kMul || t == Tok::kDiv || t == Tok::kMod) prec = 2;
      else if (t == Tok::kPow) prec = 3;
      else break;
      if (prec < min_prec) break;
      if (!RequireDurationExpr(lhs.pos)) return false;
      Token op = Take();
      Duration rhs;
      if (!ParseDurationExpr(t == Tok::kPow ? prec : prec + 1, &rhs)) return false;
      if (lhs.tree || rhs.tree) {
        // Depends on the query: kept as a tree for the engine.
        if (!rhs.tree && rhs.seconds == 0 && (t == Tok::kDiv || t == Tok::kMod)) {
          return Fail({op.pos, op.end()}, t == Tok::kDiv ? "division by zero" : "modulo by zero");
        }
        DurationExpr::Op dop = t == Tok::kAdd   ? DurationExpr::Op::kAdd
                               : t == Tok::kSub ? DurationExpr::Op::kSub
                               : t == Tok::kMul ? DurationExpr::Op::kMul
                               : t == Tok::kDiv ? DurationExpr::Op::kDiv
                               : t == Tok::kMod ? DurationExpr::Op::kMod
                                                : DurationExpr::Op::kPow;
        Duration d{0, {lhs.pos.start, rhs.pos.end}, false, false, 0};
        d.tree = DurationNode(dop, TreeOf(lhs), TreeOf(rhs));
        lhs = d;
        continue;
      }
      double a = lhs.seconds, b = rhs.seconds, v = 0;
      switch (t) {
        case Tok::kAdd: v = a + b; break;
        case Tok::kSub: v = a - b; break;
        case Tok::kMul: v = a * b; break;
        case Tok::kDiv:
          if (b == 0) return Fail({op.pos, op.end()}, "division by zero");
          v = a / b;
          break;
        case Tok::kMod:
          if (b == 0) return Fail({op.pos, op.end()}, "modulo by zero");
          v = std::fmod(a, b);
          break;
        default: v = std::pow(a, b); break;
      }
      lhs = Duration{v, {lhs.pos.start, rhs.pos.end}, false, false, 0};
    }
    *out = lhs;
    return true;
  }

  bool ParseDurationUnary(Duration* out) {
    if (Cur().type != Tok::kAdd && Cur().type != Tok::kSub) return ParseDurationAtom(out);
    Token op = Take();
    if (!ParseDurationExpr(3, out)) return false;
    if (op.type == Tok::kSub) {
      out->seconds = -out->seconds;
      out->exact_ns = -out->exact_ns;
      if (out->tree) out->tree = DurationNode(DurationExpr::Op::kNeg, nullptr, out->tree);
    }
    out->pos.start = op.pos;
    return true;
  }

  bool DurationLiteral(const Token& tok, Duration* out) {
    out->pos = {tok.pos, tok.end()};
    out->literal = true;
    std::string why;
    if (tok.type == Tok::kDuration) {
      if (!internal::ParseDurationText(tok.text, &out->exact_ns, &why)) return Fail(out->pos, why);
      out->exact = true;
      out->seconds = static_cast<double>(out->exact_ns) / 1e9;
      return true;
    }
    if (!internal::ParseNumberText(tok.text, &out->seconds, &why)) return Fail(out->pos, "error parsing number: " + why);
    if (!(std::fabs(out->seconds) * 1e9 < 9.2233720368547758e18)) return Fail(out->pos, "duration out of range");
    return true;
  }

  bool ParseDurationAtom(Duration* out) {
    const Token& t = Cur();
    switch (t.type) {
      case Tok::kNumber: case Tok::kDuration: return DurationLiteral(Take(), out);
      case Tok::kLeftParen: {
        Token lp = Take();
        Duration inner;
        if (!ParseDurationExpr(1, &inner)) return false;
        Token rp;
        if (!Expect(Tok::kRightParen, "", "", &rp)) return false;
        if (!RequireDurationExpr(inner.pos)) return false;
        *out = Duration{inner.seconds, {lp.pos, rp.end()}, false, false, 0};
        if (inner.tree) {
          out->tree = std::make_shared<DurationExpr>(*inner.tree);
          out->tree->wrapped = true;
        }
        return true;
      }
      case Tok::kStep: case Tok::kRange: {
        Token kw = Take();
        Token rp;
        if (!Expect(Tok::kLeftParen, "", "") || !Expect(Tok::kRightParen, "", "", &rp)) return false;
        PosRange pos{kw.pos, rp.end()};
        if (!RequireDurationExpr(pos)) return false;
        *out = Duration{0, pos, false, false, 0};
        out->tree = DurationNode(kw.type == Tok::kStep ? DurationExpr::Op::kStep : DurationExpr::Op::kRange, nullptr,
                                 nullptr);
        return true;
      }
      case Tok::kMaxOf: case Tok::kMinOf: {
        Token kw = Take();
        Duration a, b;
        Token rp;
        if (!Expect(Tok::kLeftParen, "", "") || !ParseDurationExpr(1, &a) || !Expect(Tok::kComma, "", "") ||
            !ParseDurationExpr(1, &b) || !Expect(Tok::kRightParen, "", "", &rp)) {
          return false;
        }
        PosRange pos{kw.pos, rp.end()};
        if (!RequireDurationExpr(pos)) return false;
        double v = kw.type == Tok::kMaxOf ? std::fmax(a.seconds, b.seconds) : std::fmin(a.seconds, b.seconds);
        *out = Duration{v, pos, false, false, 0};
        if (a.tree || b.tree) {
          out->tree = DurationNode(kw.type == Tok::kMaxOf ? DurationExpr::Op::kMaxOf : DurationExpr::Op::kMinOf,
                                   TreeOf(a), TreeOf(b));
        }
        return true;
      }
      default:
        return Unexpected(t, "", "");
    }
  }

  // Milliseconds of a folded duration, as Prometheus converts literals
  // (rounded to nanoseconds, then truncated) and expressions (truncated).
  bool ToMillis(const Duration& d, bool positive, int64_t* ms) {
    if (d.tree) {  // computed by the engine for each query
      *ms = 0;
      return true;
    }
    if (std::isnan(d.seconds) || std::isinf(d.seconds)) return Fail(d.pos, "duration is NaN or infinite");
    if (!(std::fabs(d.seconds) * 1e9 < 9.2233720368547758e18)) return Fail(d.pos, "duration out of range");
    if (d.literal) {
      int64_t ns = d.exact ? d.exact_ns : std::llround(d.seconds * 1e9);
      *ms = ns / 1000000;
    } else {
      *ms = static_cast<int64_t>(d.seconds * 1000);
    }
    if (positive && (d.seconds <= 0 || *ms <= 0)) return Fail(d.pos, "duration must be greater than 0");
    return true;
  }

  bool ParseRangeOrSubquery(Node* e) {
    Token lb = Take();
    if (!StartsDuration(Cur().type)) {
      return Unexpected(Cur(), "subquery or range selector", "number, duration, step(), or range()");
    }
    Duration range;
    int64_t range_ms;
    if (!ParseDurationExpr(1, &range) || !ToMillis(range, true, &range_ms)) return false;
    if (Cur().type == Tok::kRightBracket) {
      Token rb = Take();
      PosRange brackets{lb.pos, rb.end()};
      if (e->e->kind != ExprKind::kVectorSelector) return Fail(brackets, "ranges only allowed for vector selectors");
      const auto& vs = As<VectorSelector>(*e->e);
      if (vs.offset_ms != 0 || vs.offset_expr) return Fail(brackets, "no offset modifiers allowed before range");
      if (vs.at != AtModifier::kNone) return Fail(brackets, "no @ modifiers allowed before range");
      auto m = std::make_unique<MatrixSelector>();
      m->pos = {vs.pos.start, rb.end()};
      m->range_ms = range_ms;
      m->range_expr = range.tree;
      m->vector_selector = std::move(e->e);
      *e = Node{std::move(m), 2};
      return true;
    }
    if (Cur().type != Tok::kColon) return Unexpected(Cur(), "subquery or range", "\":\" or \"]\"");
    Take();
    int64_t step_ms = 0;
    DurationExprPtr step_expr;
    if (Cur().type != Tok::kRightBracket) {
      if (!StartsDuration(Cur().type)) {
        return Unexpected(Cur(), "subquery selector", "number, duration, step(), range(), or \"]\"");
      }
      Duration step;
      if (!ParseDurationExpr(1, &step) || !ToMillis(step, true, &step_ms)) return false;
      step_expr = step.tree;
    }
    Token rb;
    if (!Expect(Tok::kRightBracket, "subquery selector", "\"]\"", &rb)) return false;
    auto sq = std::make_unique<SubqueryExpr>();
    sq->pos = {e->e->pos.start, rb.end()};
    sq->range_ms = range_ms;
    sq->step_ms = step_ms;
    sq->range_expr = range.tree;
    sq->step_expr = step_expr;
    sq->expr = std::move(e->e);
    if (e->depth + 1 > kMaxDepth) return TooDeep(lb.pos);
    *e = Node{std::move(sq), e->depth + 1};
    return true;
  }

  // Where an offset or @ lands: the selector (of a range) or the subquery.
  struct Modifiable {
    int64_t* offset_ms = nullptr;
    DurationExprPtr* offset_expr = nullptr;
    AtModifier* at = nullptr;
    int64_t* at_ms = nullptr;
    int* end = nullptr;
  };
  static bool ModifiableOf(Expr* e, Modifiable* m) {
    switch (e->kind) {
      case ExprKind::kVectorSelector: {
        auto& vs = As<VectorSelector>(*e);
        *m = {&vs.offset_ms, &vs.offset_expr, &vs.at, &vs.at_ms, &vs.pos.end};
        return true;
      }
      case ExprKind::kMatrixSelector: {
        auto& ms = As<MatrixSelector>(*e);
        auto& vs = As<VectorSelector>(*ms.vector_selector);
        *m = {&vs.offset_ms, &vs.offset_expr, &vs.at, &vs.at_ms, &ms.pos.end};
        return true;
      }
      case ExprKind::kSubquery: {
        auto& sq = As<SubqueryExpr>(*e);
        *m = {&sq.offset_ms, &sq.offset_expr, &sq.at, &sq.at_ms, &sq.pos.end};
        return true;
      }
      default:
        return false;
    }
  }

  bool ParseOffset(Expr* e) {
    Take();
    // Only a signed literal or a parenthesised/function duration: `foo offset
    // 5m - 8` is (foo offset 5m) - 8, as in Prometheus.
    std::vector<Token> signs;
    while (Cur().type == Tok::kAdd || Cur().type == Tok::kSub) signs.push_back(Take());
    if (!StartsDuration(Cur().type)) {
      return Unexpected(Cur(), "offset", "number, duration, step(), or range()");
    }
    Duration d;
    if (!ParseDurationAtom(&d)) return false;
    for (auto it = signs.rbegin(); it != signs.rend(); ++it) {
      if (it->type == Tok::kSub) {
        d.seconds = -d.seconds, d.exact_ns = -d.exact_ns;
        if (d.tree) d.tree = DurationNode(DurationExpr::Op::kNeg, nullptr, d.tree);
      }
      d.pos.start = it->pos;
    }
    int64_t ms;
    if (!ToMillis(d, false, &ms)) return false;
    Modifiable m;
    if (!ModifiableOf(e, &m)) {
      return Fail(e->pos,
                  "offset modifier must be preceded by an instant vector selector or range vector selector or a "
                  "subquery");
    }
    if (*m.offset_ms != 0 || *m.offset_expr) return Fail(e->pos, "offset may not be set multiple times");
    *m.offset_ms = ms;
    *m.offset_expr = d.tree;
    *m.end = prev_end_;
    return true;
  }

  bool ParseAt(Expr* e) {
    Take();
    AtModifier kind = AtModifier::kTimestamp;
    double ts = 0;
    if (Cur().type == Tok::kStart || Cur().type == Tok::kEnd) {
      kind = Take().type == Tok::kStart ? AtModifier::kStart : AtModifier::kEnd;
      if (!Expect(Tok::kLeftParen, "@", "timestamp") || !Expect(Tok::kRightParen, "@", "timestamp")) return false;
    } else {
      bool negate = false;
      if ((Cur().type == Tok::kAdd || Cur().type == Tok::kSub) &&
          (Peek().type == Tok::kNumber || Peek().type == Tok::kDuration)) {
        negate = Take().type == Tok::kSub;
      }
      if (Cur().type != Tok::kNumber && Cur().type != Tok::kDuration) return Unexpected(Cur(), "@", "timestamp");
      Token num = Take();
      std::string why;
      if (num.type == Tok::kNumber) {
        if (!internal::ParseNumberText(num.text, &ts, &why)) {
          return Fail({num.pos, num.end()}, "error parsing number: " + why);
        }
      } else {
        int64_t ns;
        if (!internal::ParseDurationText(num.text, &ns, &why)) return Fail({num.pos, num.end()}, why);
        ts = static_cast<double>(ns) / 1e9;
      }
      if (negate) ts = -ts;
      // Beyond 2^53 ms a timestamp no longer survives printing and parsing
      // (and Prometheus's own int64 conversion overflows long before its
      // bound of MaxInt64 seconds).
      if (!(std::fabs(ts * 1000) <= 9007199254740992.0)) {
        return Fail(e->pos, "timestamp out of bounds for @ modifier: " + GoFormatF(ts));
      }
    }
    Modifiable m;
    if (!ModifiableOf(e, &m)) {
      return Fail(e->pos,
                  "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    }
    if (*m.at != AtModifier::kNone) return Fail(e->pos, "@ <timestamp> may not be set multiple times");
    *m.at = kind;
    *m.at_ms = kind == AtModifier::kTimestamp ? std::llround(ts * 1000) : 0;
    *m.end = prev_end_;
    return true;
  }

  std::string_view in_;
  Lexer lex_;
  const ParseOptions& opt_;
  Token buf_[2];
  int nbuf_ = 0;
  int prev_end_ = 0;
  int recursion_ = 0;
  std::optional<ParseError> err_;
};

}  // namespace

Result<ExprPtr> ParseExpr(std::string_view query, const ParseOptions& options, PosRange* error_pos) {
  return Parser(query, options).Run(error_pos);
}

}  // namespace tsdb::promql
