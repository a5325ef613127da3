// The type checker: Prometheus's checkAST (promql/parser/parse.go), in the
// same order, so that the first error is the one Prometheus reports.
#include <string>

#include "model/labels.h"
#include "model/quoting.h"
#include "promql/functions.h"
#include "promql/parse_internal.h"

namespace tsdb::promql::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Checker {
 public:
  explicit Checker(std::string_view query) : in_(query) {}

  bool failed() const { return failed_; }
  const ParseError& error() const { return error_; }

  ValueType Check(Expr& e, bool bypass_empty_matcher_check = false) {
    ValueType type = e.type();
    switch (e.kind) {
      case ExprKind::kAggregate: CheckAggregate(As<AggregateExpr>(e)); break;
      case ExprKind::kBinary: CheckBinary(As<BinaryExpr>(e)); break;
      case ExprKind::kCall: CheckCall(As<Call>(e)); break;
      case ExprKind::kParen: Check(*As<ParenExpr>(e).expr); break;
      case ExprKind::kUnary: {
        ValueType t = Check(*As<UnaryExpr>(e).expr);
        if (t != ValueType::kScalar && t != ValueType::kVector) {
          Error(e.pos, std::string("unary expression only allowed on expressions of type scalar or instant vector, got \"") +
                           ValueTypeName(t) + "\"");
        }
        break;
      }
      case ExprKind::kSubquery: {
        ValueType t = Check(*As<SubqueryExpr>(e).expr);
        if (t != ValueType::kVector) {
          Error(e.pos, std::string("subquery is only allowed on instant vector, got ") + ValueTypeApiName(t) +
                           " instead");
        }
        break;
      }
      case ExprKind::kMatrixSelector: Check(*As<MatrixSelector>(e).vector_selector); break;
      case ExprKind::kVectorSelector: CheckSelector(As<VectorSelector>(e), bypass_empty_matcher_check); break;
      case ExprKind::kNumber: case ExprKind::kString: case ExprKind::kStepInvariant: break;
    }
    return type;
  }

 private:
  void Error(PosRange pos, std::string message) {
    if (failed_) return;
    failed_ = true;
    error_ = ParseError{pos, std::move(message)};
  }

  void ExpectType(Expr& e, ValueType want, const std::string& context) {
    ValueType t = Check(e);
    if (t != want) {
      Error(e.pos, std::string("expected type ") + ValueTypeName(want) + " in " + context + ", got " + ValueTypeName(t));
    }
  }

  void CheckAggregate(AggregateExpr& a) {
    ExpectType(*a.expr, ValueType::kVector, "aggregation expression");
    switch (a.op) {
      case AggOp::kTopk: case AggOp::kBottomk: case AggOp::kQuantile: case AggOp::kLimitk: case AggOp::kLimitRatio:
        ExpectType(*a.param, ValueType::kScalar, "aggregation parameter");
        break;
      case AggOp::kCountValues:
        ExpectType(*a.param, ValueType::kString, "aggregation parameter");
        break;
      default:
        break;
    }
  }

  // The operator between the operands, without the spaces around it.
  PosRange OpRange(const BinaryExpr& b) const {
    const int n = static_cast<int>(in_.size());
    PosRange r{b.lhs->pos.end, b.rhs->pos.start - 1};
    while (r.start < n && IsSpace(in_[r.start])) ++r.start;
    while (r.end > 0 && r.end < n && IsSpace(in_[r.end])) --r.end;
    return r;
  }

  void CheckBinary(BinaryExpr& b) {
    ValueType lt = Check(*b.lhs);
    ValueType rt = Check(*b.rhs);
    if (b.return_bool && !IsComparison(b.op)) {
      Error(OpRange(b), "bool modifier can only be used on comparison operators");
    }
    if (IsComparison(b.op) && !b.return_bool && lt == ValueType::kScalar && rt == ValueType::kScalar) {
      Error(OpRange(b), "comparisons between scalars must use BOOL modifier");
    }
    if (b.matching) {
      VectorMatching& vm = *b.matching;
      if (IsSetOperator(b.op) && vm.card == VectorMatching::Card::kOneToOne) vm.card = VectorMatching::Card::kManyToMany;
      if (vm.on) {
        for (const std::string& l1 : vm.labels) {
          for (const std::string& l2 : vm.include) {
            if (l1 == l2) Error(OpRange(b), "label " + GoQuote(l1) + " must not occur in ON and GROUP clause at once");
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      Error(b.lhs->pos, "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      Error(b.rhs->pos, "binary expression must contain only scalar and instant vector types");
    }
    const bool filled = b.matching && (b.matching->fill_lhs || b.matching->fill_rhs);
    if ((lt != ValueType::kVector || rt != ValueType::kVector) && b.matching) {
      if (!b.matching->labels.empty()) Error(b.pos, "vector matching only allowed between instant vectors");
      if (filled) Error(b.pos, "filling in missing series only allowed between instant vectors");
      b.matching.reset();
    } else if (IsSetOperator(b.op) && b.matching) {
      auto card = b.matching->card;
      if (card == VectorMatching::Card::kOneToMany || card == VectorMatching::Card::kManyToOne) {
        Error(b.pos, std::string("no grouping allowed for \"") + BinOpName(b.op) + "\" operation");
      }
      if (filled) Error(b.pos, "filling in missing series not allowed for set operators");
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOperator(b.op)) {
      Error(b.pos, std::string("set operator \"") + BinOpName(b.op) + "\" not allowed in binary scalar expression");
    }
  }

  void CheckCall(Call& c) {
    const FunctionInfo& f = *c.func;
    const std::string name = GoQuote(f.name);
    const size_t nargs = f.arg_types.size();
    const size_t got = c.args.size();
    auto count = [&](const char* what, size_t n) {
      Error(c.pos, std::string("expected ") + what + std::to_string(n) + " argument(s) in call to " + name + ", got " +
                       std::to_string(got));
    };
    if (f.variadic == 0) {
      if (nargs != got) count("", nargs);
    } else {
      // n > 0: the last n types are optional; -1: the last one repeats (or is absent).
      size_t optional = f.variadic > 0 ? static_cast<size_t>(f.variadic) : 1;
      size_t min = nargs >= optional ? nargs - optional : 0;
      if (got < min) {
        count("at least ", min);
      } else if (f.variadic > 0 && got > nargs) {
        count("at most ", nargs);
      }
    }
    bool info_selector = false;
    if (f.name == "info" && got > 1) {
      Expr& arg = *c.args[1];
      if (arg.type() != ValueType::kVector) {
        Error(c.pos, std::string("expected type instant vector in call to function ") + name + ", got " +
                         ValueTypeName(arg.type()));
      }
      if (arg.kind == ExprKind::kVectorSelector && !As<VectorSelector>(arg).name.empty()) {
        Error(arg.pos, "expected label selectors only, got vector selector instead");
      } else if (arg.kind == ExprKind::kVectorSelector) {
        info_selector = true;  // info(x, {}) may select everything
      } else {
        Error(arg.pos, "expected label selectors only");
      }
    }
    for (size_t i = 0; i < got; ++i) {
      size_t k = i;
      if (k >= nargs) {
        if (f.variadic == 0 || nargs == 0) break;
        k = nargs - 1;
      }
      ValueType t = Check(*c.args[i], info_selector && i == 1);
      if (t != f.arg_types[k]) {
        Error(c.args[i]->pos, std::string("expected type ") + ValueTypeName(f.arg_types[k]) + " in call to function " +
                                  name + ", got " + ValueTypeName(t));
      }
    }
  }

  void CheckSelector(const VectorSelector& vs, bool bypass_empty_matcher_check) {
    if (!vs.name.empty()) {
      // The first matcher is the name written outside the braces.
      for (size_t i = 1; i < vs.matchers.size(); ++i) {
        if (vs.matchers[i].name() == kMetricNameLabel) {
          Error(vs.pos, "metric name must not be set twice: " + GoQuote(vs.name) + " or " +
                            GoQuote(vs.matchers[i].value()));
        }
      }
      return;
    }
    if (bypass_empty_matcher_check) return;
    for (const Matcher& m : vs.matchers) {
      if (!m.Matches(std::string_view())) return;
    }
    Error(vs.pos, "vector selector must contain at least one non-empty matcher");
  }

  std::string_view in_;
  bool failed_ = false;
  ParseError error_;
};

}  // namespace

bool CheckTypes(Expr& e, std::string_view query, ParseError* error) {
  Checker c(query);
  c.Check(e);
  if (c.failed()) *error = c.error();
  return !c.failed();
}

}  // namespace tsdb::promql::internal
