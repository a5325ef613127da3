// The PromQL syntax tree, as the parser builds it and the engine and the
// printer walk it.
//
// Nodes are plain structs owned through ExprPtr (unique_ptr); each carries the
// byte range of the query it was parsed from, for error positions. The type
// of an expression (ValueType) is known after parsing: the parser checks types
// with Prometheus's rules, so the engine can rely on them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/matcher.h"

namespace tsdb::promql {

enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };
// "scalar", "instant vector", "range vector", "string", as Prometheus names them in errors.
const char* ValueTypeName(ValueType t);
// "scalar", "vector", "matrix", "string": the API's resultType.
const char* ValueTypeApiName(ValueType t);

// Byte offsets [start, end) into the query text.
struct PosRange {
  int start = 0;
  int end = 0;
};

enum class ExprKind {
  kNumber, kString, kParen, kUnary, kBinary, kAggregate, kCall, kVectorSelector, kMatrixSelector, kSubquery,
  kStepInvariant,  // reserved: the engine may wrap @-pinned subtrees
};

// Binary operators, in Prometheus's precedence groups (lowest first):
// or; and unless; == != <= < >= >; + -; * / % atan2; ^.
enum class BinOp { kOr, kAnd, kUnless, kEql, kNeq, kLte, kLss, kGte, kGtr, kAdd, kSub, kMul, kDiv, kMod, kAtan2, kPow };
const char* BinOpName(BinOp op);  // "+", "and", "atan2", ...
bool IsComparison(BinOp op);      // == != <= < >= >
bool IsSetOperator(BinOp op);     // and or unless

enum class AggOp {
  kSum, kAvg, kCount, kMin, kMax, kGroup, kStddev, kStdvar, kTopk, kBottomk, kCountValues, kQuantile,
  kLimitk, kLimitRatio,
};
const char* AggOpName(AggOp op);  // "sum", "count_values", ...
bool AggOpTakesParam(AggOp op);   // topk bottomk count_values quantile limitk limit_ratio

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  ExprKind kind;
  PosRange pos;
  ValueType type() const;
};

struct NumberLiteral : Expr {
  NumberLiteral() : Expr(ExprKind::kNumber) {}
  double value = 0;
};

struct StringLiteral : Expr {
  StringLiteral() : Expr(ExprKind::kString) {}
  std::string value;  // unquoted
};

struct ParenExpr : Expr {
  ParenExpr() : Expr(ExprKind::kParen) {}
  ExprPtr expr;
};

// -x or +x.
struct UnaryExpr : Expr {
  UnaryExpr() : Expr(ExprKind::kUnary) {}
  bool negate = true;  // false for unary plus
  ExprPtr expr;
};

// How two vectors' elements pair up: on(...)/ignoring(...), group_left/right.
struct VectorMatching {
  enum class Card { kOneToOne, kManyToOne, kOneToMany, kManyToMany };
  Card card = Card::kOneToOne;
  std::vector<std::string> labels;  // the on/ignoring list
  bool on = false;                  // true: on(labels); false: ignoring(labels)
  std::vector<std::string> include; // group_left(include...) / group_right(include...)
  // The query said on()/ignoring() (even with an empty list): printing keeps it.
  bool explicit_matching = false;
  // fill(v) sets both, fill_left(v) / fill_right(v) one (experimental,
  // ParseOptions::binop_fill_modifiers): the value standing in for a series
  // missing on that side. As in Prometheus, the sides are those after
  // group_right swaps them: fill_lhs fills the "many" side, fill_rhs the "one".
  std::optional<double> fill_lhs, fill_rhs;
};

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(ExprKind::kBinary) {}
  BinOp op = BinOp::kAdd;
  ExprPtr lhs, rhs;
  bool return_bool = false;  // comparison with `bool`
  // Set when both sides are vectors (set operators: many-to-many).
  std::optional<VectorMatching> matching;
};

struct AggregateExpr : Expr {
  AggregateExpr() : Expr(ExprKind::kAggregate) {}
  AggOp op = AggOp::kSum;
  ExprPtr expr;
  ExprPtr param;                     // topk's k, quantile's q, count_values' label, ...
  std::vector<std::string> grouping; // by/without labels
  bool without = false;
  bool by = false;                   // `by` was written (even empty): printing keeps it
};

struct FunctionInfo;  // functions.h

struct Call : Expr {
  Call() : Expr(ExprKind::kCall) {}
  const FunctionInfo* func = nullptr;
  std::vector<ExprPtr> args;
};

// A duration that depends on the query: step() or range() inside an
// experimental duration expression (`x[step() * 2]`, `offset range()`). The
// engine computes it when the query runs, in place of the fixed *_ms field
// beside it; durations without step() or range() are folded by the parser.
struct DurationExpr {
  enum class Op { kNumber, kStep, kRange, kAdd, kSub, kMul, kDiv, kMod, kPow, kNeg, kMinOf, kMaxOf };
  Op op = Op::kNumber;
  double seconds = 0;    // kNumber
  bool wrapped = false;  // written in parentheses (kept for printing)
  std::shared_ptr<const DurationExpr> lhs, rhs;  // kNeg uses rhs only
};
using DurationExprPtr = std::shared_ptr<const DurationExpr>;
// Its value in seconds for a query with this step and range (both 0 for an
// instant query).
double EvalDuration(const DurationExpr& d, double step_seconds, double range_seconds);

// start() / end() as an @ modifier value.
enum class AtModifier { kNone, kTimestamp, kStart, kEnd };

struct VectorSelector : Expr {
  VectorSelector() : Expr(ExprKind::kVectorSelector) {}
  std::string name;               // the metric name if written outside the braces, else ""
  std::vector<Matcher> matchers;  // including __name__="name" when a name was given
  int64_t offset_ms = 0;          // may be negative
  DurationExprPtr offset_expr;    // set instead when the offset uses step()/range()
  AtModifier at = AtModifier::kNone;
  int64_t at_ms = 0;              // for AtModifier::kTimestamp
};

struct MatrixSelector : Expr {
  MatrixSelector() : Expr(ExprKind::kMatrixSelector) {}
  ExprPtr vector_selector;        // a VectorSelector (offset and @ live there)
  int64_t range_ms = 0;
  DurationExprPtr range_expr;     // set instead when the range uses step()/range()
};

struct SubqueryExpr : Expr {
  SubqueryExpr() : Expr(ExprKind::kSubquery) {}
  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;            // 0: the default evaluation interval
  int64_t offset_ms = 0;
  DurationExprPtr range_expr, step_expr, offset_expr;  // step()/range() durations, as above
  AtModifier at = AtModifier::kNone;
  int64_t at_ms = 0;
};

// Casts for code that has checked `kind` (no RTTI needed).
template <typename T>
const T& As(const Expr& e) { return static_cast<const T&>(e); }
template <typename T>
T& As(Expr& e) { return static_cast<T&>(e); }

// Drops ParenExpr wrappers.
const Expr& Unparen(const Expr& e);

}  // namespace tsdb::promql
