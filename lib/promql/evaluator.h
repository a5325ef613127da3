// Evaluator: one query's evaluation state (internal to lib/promql).
//
// Values between nodes are "step matrices": for an instant-vector or scalar
// expression, a Matrix whose series hold one point per step at which they
// have a value (a scalar is one series without labels). Operators and
// functions gather each step's vector from their arguments' step matrices,
// as Prometheus's rangeEval does. An instant query is a range of one step.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <limits>
#include <unordered_map>
#include <vector>

#include "model/status.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/functions.h"
#include "promql/value.h"
#include "store/store.h"

namespace tsdb::promql {

// Evaluation errors unwind the recursion as this exception and become a
// Status at Engine::Eval (as Prometheus's evaluator panics and recovers);
// nothing outside lib/promql sees it.
struct EvalError {
  Status status;
};

class Evaluator {
 public:
  struct Config {
    const store::Store* store = nullptr;
    std::string_view query;
    int64_t start = 0, end = 0, interval = 1;  // steps start, start+interval, ..., <= end
    int64_t query_start = 0, query_end = 0;    // for @ start() / end()
    int64_t query_step = 0;                    // the query's step; 0 for an instant query
    int64_t lookback_ms = 5 * 60 * 1000;
    int64_t default_subquery_step = 60 * 1000;
    int64_t max_samples = 0;
    std::chrono::steady_clock::time_point deadline;
    const std::atomic<bool>* cancel = nullptr;
    bool range_query = false;
    bool delayed_name_removal = false;
  };

  explicit Evaluator(Config config) : cfg_(config) {}

  // Instant-vector or scalar expression: its step matrix.
  Matrix EvalSteps(const Expr& e);
  // A range-vector expression evaluated at one instant (top level of an
  // instant query): the raw points of each series in its window.
  Matrix EvalRangeAt(const Expr& e, int64_t ts);
  std::string EvalString(const Expr& e);

  Annotations& annotations() { return annotations_; }
  int64_t peak_samples() const { return peak_samples_; }
  int64_t total_samples() const { return total_samples_; }

  [[noreturn]] void Fail(Status st) const { throw EvalError{std::move(st)}; }
  void CheckDeadline() const;
  // Counts samples held by the query; fails past max_samples.
  void Hold(int64_t n);
  void Release(int64_t n) { current_samples_ -= n; }
  // Fails a range of steps that no query could hold.
  void CheckStepCount(int64_t start, int64_t end, int64_t interval) const;

  int NumSteps() const { return static_cast<int>((cfg_.end - cfg_.start) / cfg_.interval) + 1; }
  int64_t StepTime(int i) const { return cfg_.start + cfg_.interval * i; }
  const Config& config() const { return cfg_; }

 private:
  // sample_times: each point's value is the time of the sample it stands
  // for, in seconds (timestamp()).
  Matrix EvalVectorSelector(const VectorSelector& vs, bool sample_times = false);
  Matrix EvalCall(const Call& call);
  Matrix EvalRangeFunction(const Call& call, int matrix_arg);
  Matrix EvalInstantFunction(const Call& call);
  // What a function of `call` is told besides its arguments; it reports an
  // execution error through *error.
  FunctionContext ContextFor(const Call& call, Status* error);
  Matrix EvalAbsent(const Call& call);
  Matrix EvalInfo(const Call& call);
  Matrix EvalTimestamp(const Call& call);
  Matrix EvalBinary(const BinaryExpr& e);
  Matrix EvalAggregate(const AggregateExpr& e);
  Matrix EvalCountValues(const AggregateExpr& e, Matrix input);
  // The smallest and largest parameter over the steps (NaNs left out) and
  // whether any was NaN: Prometheus validates them once per query.
  struct ParamRange {
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    bool nan = false;
  };
  static ParamRange RangeOf(const std::vector<double>& params);
  Matrix EvalAggregateK(const AggregateExpr& e, Matrix input, const std::vector<double>& params,
                        const ParamRange& range);
  Matrix EvalUnary(const UnaryExpr& e);
  Matrix ScalarSteps(double v);
  // A scalar expression's value at every step (NaN where it has none):
  // topk's k, quantile's φ, quantile_over_time's φ, ...
  std::vector<double> ScalarPerStep(const Expr& e);
  // The raw series a subquery yields over [start - offset - range, end - offset].
  Matrix EvalSubquery(const SubqueryExpr& sq);

  // Offsets, ranges and steps, computed for this query where they are
  // duration expressions with step() or range().
  int64_t Offset(const VectorSelector& vs) const { return vs.offset_expr ? DurationMs(*vs.offset_expr, false) : vs.offset_ms; }
  int64_t Offset(const SubqueryExpr& sq) const { return sq.offset_expr ? DurationMs(*sq.offset_expr, false) : sq.offset_ms; }
  int64_t Range(const MatrixSelector& ms) const { return ms.range_expr ? DurationMs(*ms.range_expr, true) : ms.range_ms; }
  int64_t Range(const SubqueryExpr& sq) const { return sq.range_expr ? DurationMs(*sq.range_expr, true) : sq.range_ms; }
  int64_t Step(const SubqueryExpr& sq) const { return sq.step_expr ? DurationMs(*sq.step_expr, true) : sq.step_ms; }
  int64_t DurationMs(const DurationExpr& d, bool positive) const;

  // The time an @/offset-modified selector reads at step time `ts`.
  int64_t RefTime(AtModifier at, int64_t at_ms, int64_t offset_ms, int64_t ts) const;

  // Applies a per-step function over the arguments' step matrices.
  template <typename Fn>
  Matrix RangeEval(const std::vector<const Matrix*>& args, Fn fn);

  // Marks a result sample or series as having lost __name__: drops it now,
  // or flags it for the end of the query with delayed name removal.
  void DropName(Labels& metric, bool& drop_flag) const;

  Config cfg_;
  Annotations annotations_;
  int64_t current_samples_ = 0, peak_samples_ = 0, total_samples_ = 0;
  int deadline_check_ = 0;
};

// Helpers shared by the evaluator's files.
bool ShouldDropMetricName(BinOp op);
// __name__ and the metadata labels that go with it (__type__, __unit__).
Labels DropMetricName(const Labels& l);
void DelMetricName(LabelsBuilder& b);
// Go's strconv.FormatFloat(v, 'f', -1, 64): count_values' labels.
std::string FormatGoFloatF(double v);
// Prometheus's labels.Hash (xxhash64 of name\xff value\xff ...), for limit_ratio.
uint64_t PrometheusLabelsHash(const Labels& l);
// Series of `m` in label order.
void SortByLabels(Matrix& m);
// Merges series whose label sets became equal (after dropping __name__) when
// their points do not collide; fails "vector cannot contain metrics with the
// same labelset" when they do.
void MergeSameLabelsets(const Evaluator& ev, Matrix& m);
// The end of a query with delayed name removal: drops flagged names, merges.
void FinishNames(const Evaluator& ev, Matrix& m);

// Calls fn(ts, vectors, out) once per step with each argument's vector at
// that step (a scalar argument is a one-sample vector), and gathers the
// outputs into series. Two outputs with one label set at one step fail.
template <typename Fn>
Matrix Evaluator::RangeEval(const std::vector<const Matrix*>& args, Fn fn) {
  const size_t n = args.size();
  std::vector<std::vector<size_t>> cursors(n);
  for (size_t i = 0; i < n; i++) cursors[i].assign(args[i]->size(), 0);
  std::vector<Vector> vecs(n);
  Vector out;
  Matrix result;
  std::unordered_multimap<uint64_t, size_t> index;
  const int steps = NumSteps();
  for (int step = 0; step < steps; step++) {
    const int64_t ts = StepTime(step);
    if ((++deadline_check_ & 63) == 0) CheckDeadline();
    for (size_t i = 0; i < n; i++) {
      Vector& v = vecs[i];
      v.clear();
      const Matrix& m = *args[i];
      for (size_t j = 0; j < m.size(); j++) {
        size_t& c = cursors[i][j];
        const std::vector<FPoint>& f = m[j].floats;
        if (c < f.size() && f[c].t == ts) {
          v.push_back(Sample{m[j].metric, ts, f[c].f, nullptr, m[j].drop_name});
          c++;
        }
      }
    }
    out.clear();
    fn(ts, vecs, out);
    Hold(static_cast<int64_t>(out.size()));
    if (steps == 1) {
      // One step: keep the function's order (sort, topk); two outputs with
      // one label set still fail.
      if (out.size() > 1) {
        std::unordered_multimap<uint64_t, const Labels*> seen;
        for (const Sample& s : out) {
          uint64_t h = s.metric.Hash();
          auto [lo, hi] = seen.equal_range(h);
          for (auto it = lo; it != hi; ++it) {
            if (*it->second == s.metric) Fail(Status::Execution("vector cannot contain metrics with the same labelset"));
          }
          seen.emplace(h, &s.metric);
        }
      }
      result.reserve(out.size());
      for (Sample& s : out) {
        Series series;
        series.metric = std::move(s.metric);
        series.drop_name = s.drop_name;
        series.floats.push_back(FPoint{ts, s.f});
        result.push_back(std::move(series));
      }
      return result;
    }
    for (Sample& s : out) {
      uint64_t h = s.metric.Hash();
      auto [lo, hi] = index.equal_range(h);
      Series* found = nullptr;
      for (auto it = lo; it != hi; ++it) {
        if (result[it->second].metric == s.metric) found = &result[it->second];
      }
      if (found == nullptr) {
        index.emplace(h, result.size());
        Series series;
        series.metric = std::move(s.metric);
        series.drop_name = s.drop_name;
        result.push_back(std::move(series));
        found = &result.back();
      } else if (!found->floats.empty() && found->floats.back().t == ts) {
        Fail(Status::Execution("vector cannot contain metrics with the same labelset"));
      }
      found->floats.push_back(FPoint{ts, s.f});
    }
  }
  return result;
}

}  // namespace tsdb::promql
