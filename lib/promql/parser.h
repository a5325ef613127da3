// Parse PromQL into a typed syntax tree, and print a tree back.
//
// The grammar is Prometheus 3.x's. Type checking follows Prometheus's rules
// (an aggregation over a scalar, a range vector where an instant vector is
// expected, ...), so a tree that parses can be evaluated. Errors read as
// Prometheus's: "1:7: parse error: unexpected <op:*> in ...", and the
// position of the offending token is reported through `error_pos`.
#pragma once

#include <string>
#include <string_view>

#include "model/status.h"
#include "promql/ast.h"

namespace tsdb::promql {

struct ParseOptions {
  // --enable-feature=promql-experimental-functions: functions whose
  // FunctionInfo::feature names it parse; otherwise "function X is
  // experimental and must be enabled with --enable-feature=...".
  bool experimental_functions = false;
  // --enable-feature=promql-duration-expr: arithmetic in durations.
  bool duration_expr = false;
  // --enable-feature=promql-binop-fill-modifiers: `a + fill(0) b`,
  // fill_left(v), fill_right(v); otherwise "binop fill modifiers are
  // experimental and not enabled".
  bool binop_fill_modifiers = false;
};

Result<ExprPtr> ParseExpr(std::string_view query, const ParseOptions& options = {}, PosRange* error_pos = nullptr);

// The canonical single-line form, as Prometheus's String() prints it:
// `sum by (job) (rate(http_requests_total{code="200"}[5m] offset 1h))`.
// ParseExpr(Format(e)) gives a tree equal to e.
std::string Format(const Expr& e);

// A duration expression that uses step() or range(), as the query wrote it
// (operators spaced): `step() * 2`, `min_of(range(), 1h)`.
std::string FormatDurationExpr(const DurationExpr& d);

// A float as PromQL prints number literals: 1, 1.5, 1e+100, NaN, +Inf, -Inf.
std::string FormatNumber(double v);

}  // namespace tsdb::promql
