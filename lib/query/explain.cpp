#include "query/explain.h"

#include <cstdio>
#include <string_view>
#include <vector>

#include "model/timeutil.h"
#include "promql/functions.h"
#include "promql/parser.h"

namespace tsdb::query {
namespace {

using promql::Expr;
using promql::ExprKind;

std::string SignedDuration(int64_t ms) { return ms < 0 ? "-" + FormatDuration(-ms) : FormatDuration(ms); }

std::string Join(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) s += ", ";
    s += names[i];
  }
  return s;
}

// " offset 5m @ 1700000000.000", as PromQL writes the modifiers.
std::string Modifiers(int64_t offset_ms, promql::AtModifier at, int64_t at_ms) {
  std::string s;
  if (offset_ms != 0) s += " offset " + SignedDuration(offset_ms);
  switch (at) {
    case promql::AtModifier::kNone: break;
    case promql::AtModifier::kStart: s += " @ start()"; break;
    case promql::AtModifier::kEnd: s += " @ end()"; break;
    case promql::AtModifier::kTimestamp: {
      char buf[48];
      std::snprintf(buf, sizeof buf, " @ %.3f", static_cast<double>(at_ms) / 1000.0);
      s += buf;
      break;
    }
  }
  return s;
}

std::string Describe(const Expr& e, std::vector<const Expr*>* children) {
  switch (e.kind) {
    case ExprKind::kNumber:
      return "NumberLiteral " + promql::FormatNumber(promql::As<promql::NumberLiteral>(e).value);
    case ExprKind::kString: return "StringLiteral " + promql::Format(e);
    case ExprKind::kParen:
      children->push_back(promql::As<promql::ParenExpr>(e).expr.get());
      return "ParenExpr";
    case ExprKind::kUnary: {
      const auto& u = promql::As<promql::UnaryExpr>(e);
      children->push_back(u.expr.get());
      return std::string("UnaryExpr ") + (u.negate ? "-" : "+");
    }
    case ExprKind::kBinary: {
      const auto& b = promql::As<promql::BinaryExpr>(e);
      std::string s = std::string("BinaryExpr ") + promql::BinOpName(b.op);
      if (b.return_bool) s += " bool";
      if (b.matching) {
        const promql::VectorMatching& m = *b.matching;
        if (m.explicit_matching || !m.labels.empty()) s += (m.on ? " on(" : " ignoring(") + Join(m.labels) + ")";
        using Card = promql::VectorMatching::Card;
        if (m.card == Card::kManyToOne) s += " group_left(" + Join(m.include) + ")";
        if (m.card == Card::kOneToMany) s += " group_right(" + Join(m.include) + ")";
        if (m.fill_lhs) s += " fill_left(" + promql::FormatNumber(*m.fill_lhs) + ")";
        if (m.fill_rhs) s += " fill_right(" + promql::FormatNumber(*m.fill_rhs) + ")";
      }
      children->push_back(b.lhs.get());
      children->push_back(b.rhs.get());
      return s;
    }
    case ExprKind::kAggregate: {
      const auto& a = promql::As<promql::AggregateExpr>(e);
      std::string s = std::string("AggregateExpr ") + promql::AggOpName(a.op);
      if (a.without) {
        s += " without (" + Join(a.grouping) + ")";
      } else if (a.by || !a.grouping.empty()) {
        s += " by (" + Join(a.grouping) + ")";
      }
      if (a.param) children->push_back(a.param.get());
      children->push_back(a.expr.get());
      return s;
    }
    case ExprKind::kCall: {
      const auto& c = promql::As<promql::Call>(e);
      for (const auto& arg : c.args) children->push_back(arg.get());
      return "Call " + std::string(c.func != nullptr ? c.func->name : "?");
    }
    case ExprKind::kVectorSelector: return "VectorSelector " + promql::Format(e);
    case ExprKind::kMatrixSelector: {
      const auto& m = promql::As<promql::MatrixSelector>(e);
      children->push_back(m.vector_selector.get());
      return "MatrixSelector [" + (m.range_expr ? promql::FormatDurationExpr(*m.range_expr) : FormatDuration(m.range_ms)) + "]";
    }
    case ExprKind::kSubquery: {
      const auto& q = promql::As<promql::SubqueryExpr>(e);
      children->push_back(q.expr.get());
      std::string step = q.step_expr ? promql::FormatDurationExpr(*q.step_expr)
                         : q.step_ms != 0 ? FormatDuration(q.step_ms) : "";
      std::string range = q.range_expr ? promql::FormatDurationExpr(*q.range_expr) : FormatDuration(q.range_ms);
      return "SubqueryExpr [" + range + ":" + step + "]" +
             Modifiers(q.offset_ms, q.at, q.at_ms);
    }
    case ExprKind::kStepInvariant: return "StepInvariantExpr";
  }
  return "?";
}

void Walk(const Expr& e, int depth, std::string* out) {
  std::vector<const Expr*> children;
  std::string what = Describe(e, &children);
  out->append(static_cast<size_t>(depth) * 2, ' ');
  out->append(what);
  out->append(" -> ");
  out->append(promql::ValueTypeName(e.type()));
  out->push_back('\n');
  for (const Expr* c : children) {
    if (c != nullptr) Walk(*c, depth + 1, out);
  }
}

}  // namespace

std::string Explain(const promql::Expr& e) {
  std::string out;
  Walk(e, 0, &out);
  return out;
}

}  // namespace tsdb::query
