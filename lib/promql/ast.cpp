#include "promql/ast.h"

#include <cmath>

#include "promql/functions.h"

namespace tsdb::promql {

const char* ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNone: return "none";
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "instant vector";
    case ValueType::kMatrix: return "range vector";
    case ValueType::kString: return "string";
  }
  return "none";
}

const char* ValueTypeApiName(ValueType t) {
  switch (t) {
    case ValueType::kNone: return "none";
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "vector";
    case ValueType::kMatrix: return "matrix";
    case ValueType::kString: return "string";
  }
  return "none";
}

const char* BinOpName(BinOp op) {
  switch (op) {
    case BinOp::kOr: return "or";
    case BinOp::kAnd: return "and";
    case BinOp::kUnless: return "unless";
    case BinOp::kEql: return "==";
    case BinOp::kNeq: return "!=";
    case BinOp::kLte: return "<=";
    case BinOp::kLss: return "<";
    case BinOp::kGte: return ">=";
    case BinOp::kGtr: return ">";
    case BinOp::kAdd: return "+";
    case BinOp::kSub: return "-";
    case BinOp::kMul: return "*";
    case BinOp::kDiv: return "/";
    case BinOp::kMod: return "%";
    case BinOp::kAtan2: return "atan2";
    case BinOp::kPow: return "^";
  }
  return "?";
}

bool IsComparison(BinOp op) {
  switch (op) {
    case BinOp::kEql: case BinOp::kNeq: case BinOp::kLte: case BinOp::kLss: case BinOp::kGte: case BinOp::kGtr:
      return true;
    default:
      return false;
  }
}

bool IsSetOperator(BinOp op) { return op == BinOp::kAnd || op == BinOp::kOr || op == BinOp::kUnless; }

const char* AggOpName(AggOp op) {
  switch (op) {
    case AggOp::kSum: return "sum";
    case AggOp::kAvg: return "avg";
    case AggOp::kCount: return "count";
    case AggOp::kMin: return "min";
    case AggOp::kMax: return "max";
    case AggOp::kGroup: return "group";
    case AggOp::kStddev: return "stddev";
    case AggOp::kStdvar: return "stdvar";
    case AggOp::kTopk: return "topk";
    case AggOp::kBottomk: return "bottomk";
    case AggOp::kCountValues: return "count_values";
    case AggOp::kQuantile: return "quantile";
    case AggOp::kLimitk: return "limitk";
    case AggOp::kLimitRatio: return "limit_ratio";
  }
  return "?";
}

bool AggOpTakesParam(AggOp op) {
  switch (op) {
    case AggOp::kTopk: case AggOp::kBottomk: case AggOp::kCountValues: case AggOp::kQuantile:
    case AggOp::kLimitk: case AggOp::kLimitRatio:
      return true;
    default:
      return false;
  }
}

ValueType Expr::type() const {
  switch (kind) {
    case ExprKind::kNumber: return ValueType::kScalar;
    case ExprKind::kString: return ValueType::kString;
    case ExprKind::kParen: {
      const auto& p = As<ParenExpr>(*this);
      return p.expr ? p.expr->type() : ValueType::kNone;
    }
    case ExprKind::kUnary: {
      const auto& u = As<UnaryExpr>(*this);
      return u.expr ? u.expr->type() : ValueType::kNone;
    }
    case ExprKind::kBinary: {
      const auto& b = As<BinaryExpr>(*this);
      if (b.lhs && b.rhs && b.lhs->type() == ValueType::kScalar && b.rhs->type() == ValueType::kScalar) {
        return ValueType::kScalar;
      }
      return ValueType::kVector;
    }
    case ExprKind::kAggregate: return ValueType::kVector;
    case ExprKind::kCall: {
      const auto& c = As<Call>(*this);
      return c.func ? c.func->return_type : ValueType::kNone;
    }
    case ExprKind::kVectorSelector: return ValueType::kVector;
    case ExprKind::kMatrixSelector: return ValueType::kMatrix;
    case ExprKind::kSubquery: return ValueType::kMatrix;
    case ExprKind::kStepInvariant:
      // ast.h declares no node for it; whoever wraps a subtree knows its type.
      return ValueType::kNone;
  }
  return ValueType::kNone;
}

const Expr& Unparen(const Expr& e) {
  const Expr* p = &e;
  while (p->kind == ExprKind::kParen && As<ParenExpr>(*p).expr) p = As<ParenExpr>(*p).expr.get();
  return *p;
}

}  // namespace tsdb::promql

namespace tsdb::promql {

double EvalDuration(const DurationExpr& d, double step_seconds, double range_seconds) {
  auto eval = [&](const DurationExprPtr& x) { return x ? EvalDuration(*x, step_seconds, range_seconds) : 0.0; };
  switch (d.op) {
    case DurationExpr::Op::kNumber: return d.seconds;
    case DurationExpr::Op::kStep: return step_seconds;
    case DurationExpr::Op::kRange: return range_seconds;
    case DurationExpr::Op::kAdd: return eval(d.lhs) + eval(d.rhs);
    case DurationExpr::Op::kSub: return eval(d.lhs) - eval(d.rhs);
    case DurationExpr::Op::kMul: return eval(d.lhs) * eval(d.rhs);
    case DurationExpr::Op::kDiv: return eval(d.lhs) / eval(d.rhs);
    case DurationExpr::Op::kMod: return std::fmod(eval(d.lhs), eval(d.rhs));
    case DurationExpr::Op::kPow: return std::pow(eval(d.lhs), eval(d.rhs));
    case DurationExpr::Op::kNeg: return -eval(d.rhs);
    case DurationExpr::Op::kMinOf: return std::fmin(eval(d.lhs), eval(d.rhs));
    case DurationExpr::Op::kMaxOf: return std::fmax(eval(d.lhs), eval(d.rhs));
  }
  return 0;
}

}  // namespace tsdb::promql
