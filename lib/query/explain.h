// Explain: a PromQL syntax tree for people (`tsdb-query --explain`), one
// node per line, children indented two spaces under their parent, each with
// what it is, what it holds and the type it evaluates to:
//
//   AggregateExpr sum by (job) -> instant vector
//     Call rate -> instant vector
//       MatrixSelector [5m] -> range vector
//         VectorSelector http_requests_total{code="200"} -> instant vector
//
// Children come in the order the query writes them (an aggregation's
// parameter before its argument).
#pragma once

#include <string>

#include "promql/ast.h"

namespace tsdb::query {

std::string Explain(const promql::Expr& e);

}  // namespace tsdb::query
