// The function table: every PromQL function's signature and implementation.
//
// The engine evaluates a call in one of two ways, chosen by the signature:
// - a function with a range-vector argument is a RangeFn, called once per
//   series and step with that series' points in the window (start, end];
// - every other function is an InstantFn, called once per step with its
//   arguments' values at that step.
// A few need the syntax tree or raw sample times (absent, absent_over_time,
// timestamp, scalar, vector, time): the engine handles those by name and
// their entries have no implementation.
#pragma once

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "promql/ast.h"
#include "promql/value.h"

namespace tsdb::promql {

// What a function needs besides its arguments.
struct FunctionContext {
  const Call* call = nullptr;  // for argument positions in annotations
  std::string_view query;      // the whole query text, for "(line:col)" in annotations
  Annotations* annotations = nullptr;
  int64_t ts = 0;              // the step's evaluation time (ms)
  bool range_query = false;    // sort* warn that they are ineffective in range queries
  // Where a RangeFn reports an execution error (double_exponential_smoothing's
  // "invalid smoothing factor ..."): the engine sets it, and stops the query
  // with this status once the call returns with it non-OK.
  Status* error = nullptr;
};

// "(1:7)": the position of byte offset `pos.start` of `query`, as
// Prometheus appends it to annotations.
std::string FormatPosition(std::string_view query, PosRange pos);

// A series' points inside one step's window (start, end], in time order.
struct RangeWindow {
  const Labels* metric = nullptr;
  std::span<const FPoint> floats;
  std::span<const HPoint> histograms;
  int64_t start = 0;  // exclusive
  int64_t end = 0;    // inclusive
};

// Returns no value when the function yields no sample for this window.
// `scalars` holds the values of the call's scalar arguments at this step, in
// argument order (quantile_over_time's φ, predict_linear's t, ...).
using RangeFn = std::optional<double> (*)(const RangeWindow& window, std::span<const double> scalars,
                                          FunctionContext& ctx);

// One argument's value at a step.
struct ArgValue {
  ValueType type = ValueType::kNone;
  const Vector* vector = nullptr;  // kVector
  double scalar = 0;               // kScalar
  std::string_view string;         // kString
};

// Appends the result to `out`; a function returning a scalar (pi, time,
// scalar, min_of, max_of) appends one sample with empty labels holding it.
// Output samples carry the input's drop_name
// flag; the engine sets it on every output sample of a function whose
// `drops_name` is true. A non-OK status is an execution error (e.g.
// label_replace's "invalid regular expression").
using InstantFn = Status (*)(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx);

struct FunctionInfo {
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types; n > 0: the last n of arg_types are optional;
  // -1: the last type repeats any number of times (label_join, sort_by_label).
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
  // The --enable-feature flag that unlocks it ("promql-experimental-functions"), or "".
  std::string_view feature;
  bool drops_name = true;  // false: label_replace, label_join, sort*, last_over_time, first_over_time, ...
  RangeFn range = nullptr;
  InstantFn instant = nullptr;
  // sum_over_time and avg_over_time: the engine may compute every step's
  // window of a series from prefix sums (window_sums.h) instead of calling
  // `range`, where that gives the same value.
  enum class WindowSum { kNone, kSum, kAvg };
  WindowSum window_sum = WindowSum::kNone;
};

// nullptr when there is no such function.
const FunctionInfo* LookupFunction(std::string_view name);
// Every function, for completions and `--explain`.
std::span<const FunctionInfo> AllFunctions();

}  // namespace tsdb::promql
