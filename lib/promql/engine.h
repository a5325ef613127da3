// Engine: evaluates PromQL over a Store with Prometheus 3.x semantics.
//
// An instant query is a range query with one step. Vector-valued
// expressions are evaluated step by step; a range-vector function reads
// each selected series once over the whole query range and slides its
// window along the steps, so memory holds one series' raw samples at a time
// (plus the result). Range selectors are left-open, (t - range, t]; an
// instant selector looks back `lookback_delta` for the latest sample, and a
// stale marker ends a series.
//
// Errors: Status kInvalidArgument for a query that does not parse or an
// invalid parameter, kExecution for failures while evaluating (many-to-many
// matching, duplicate label sets, too many samples), kTimeout, kCanceled,
// and the Store's own errors.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/status.h"
#include "promql/ast.h"
#include "promql/parser.h"
#include "promql/value.h"
#include "store/store.h"

namespace tsdb::promql {

struct EngineOptions {
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // Most samples a query may hold at once (Prometheus's --query.max-samples).
  int64_t max_samples = 50'000'000;
  std::chrono::milliseconds timeout = std::chrono::minutes(2);
  ParseOptions parse;  // experimental functions, duration expressions
  // --enable-feature=promql-delayed-name-removal (Prometheus 3's flag, off by
  // default there too): __name__ is dropped when the result is complete
  // rather than by each function and operator, so label_replace and
  // comparisons downstream still see it. Prometheus's PromQL test scripts
  // run with it on.
  bool delayed_name_removal = false;
  // Step of a subquery written without one (`x[1h:]`): Prometheus's global
  // evaluation interval.
  int64_t default_subquery_step_ms = 60 * 1000;
};

struct QueryOptions {
  int64_t lookback_delta_ms = 0;           // 0: the engine's
  const std::atomic<bool>* cancel = nullptr;  // set true to cancel
};

struct QueryResult {
  // kVector for instant queries of instant-vector expressions, kMatrix for
  // range queries (and instant queries of range-vector expressions), kScalar,
  // kString.
  ValueType type = ValueType::kNone;
  Vector vector;   // in the order the query defines (sort(), topk) or as computed
  Matrix matrix;   // series sorted by labels
  Scalar scalar;
  String string;
  Annotations annotations;
  int64_t peak_samples = 0;     // most samples held at once
  int64_t total_samples = 0;    // samples read from the store
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});

  Result<QueryResult> Instant(const store::Store& store, std::string_view query, int64_t ts_ms,
                              const QueryOptions& qopts = {}) const;
  // Steps start, start+step, ..., up to end. A range query of a scalar
  // expression gives a one-series matrix without labels, as Prometheus does;
  // a range-vector or string expression is an error.
  Result<QueryResult> Range(const store::Store& store, std::string_view query, int64_t start_ms, int64_t end_ms,
                            int64_t step_ms, const QueryOptions& qopts = {}) const;

  // The same over an already-parsed tree (`query` is its text, for
  // annotation positions).
  Result<QueryResult> Eval(const store::Store& store, const Expr& expr, std::string_view query, int64_t start_ms,
                           int64_t end_ms, int64_t step_ms, bool instant, const QueryOptions& qopts = {}) const;

  const EngineOptions& options() const { return options_; }

 private:
  EngineOptions options_;
};

}  // namespace tsdb::promql
