// Engine entry points, the evaluator's dispatch, selectors and subqueries.
// Operators, aggregations and function calls live in engine_*.cpp.
#include "promql/engine.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <unordered_map>

#include "model/value.h"
#include "promql/evaluator.h"

namespace tsdb::promql {

namespace {

// The store's samples of one series as points, stale markers left out:
// range functions never see them (Prometheus's matrixIterSlice skips them).
std::vector<FPoint> PointsWithoutStale(const std::vector<block::Sample>& samples) {
  std::vector<FPoint> out;
  out.reserve(samples.size());
  for (const block::Sample& s : samples) {
    if (!IsStaleNaN(s.v)) out.push_back(FPoint{s.t, s.v});
  }
  return out;
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(std::move(options)) {}

Result<QueryResult> Engine::Instant(const store::Store& store, std::string_view query, int64_t ts_ms,
                                    const QueryOptions& qopts) const {
  TSDB_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr(query, options_.parse));
  return Eval(store, *expr, query, ts_ms, ts_ms, 0, true, qopts);
}

Result<QueryResult> Engine::Range(const store::Store& store, std::string_view query, int64_t start_ms,
                                  int64_t end_ms, int64_t step_ms, const QueryOptions& qopts) const {
  TSDB_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr(query, options_.parse));
  return Eval(store, *expr, query, start_ms, end_ms, step_ms, false, qopts);
}

Result<QueryResult> Engine::Eval(const store::Store& store, const Expr& expr, std::string_view query,
                                 int64_t start_ms, int64_t end_ms, int64_t step_ms, bool instant,
                                 const QueryOptions& qopts) const {
  ValueType type = expr.type();
  if (!instant) {
    if (type != ValueType::kVector && type != ValueType::kScalar) {
      return Status::InvalidArgument(std::string("invalid expression type \"") + ValueTypeName(type) +
                                     "\" for range query, must be Scalar or instant Vector");
    }
    if (step_ms <= 0) return Status::InvalidArgument("zero or negative query resolution step widths are not accepted");
    if (end_ms < start_ms) return Status::InvalidArgument("end timestamp must not be before start time");
  }
  Evaluator::Config cfg;
  cfg.store = &store;
  cfg.query = query;
  cfg.start = start_ms;
  cfg.end = instant ? start_ms : end_ms;
  cfg.interval = instant ? 1 : step_ms;
  cfg.query_start = start_ms;
  cfg.query_end = cfg.end;
  cfg.query_step = instant ? 0 : step_ms;
  cfg.lookback_ms = qopts.lookback_delta_ms > 0 ? qopts.lookback_delta_ms : options_.lookback_delta_ms;
  cfg.default_subquery_step = options_.default_subquery_step_ms;
  cfg.max_samples = options_.max_samples;
  cfg.deadline = std::chrono::steady_clock::now() + options_.timeout;
  cfg.cancel = qopts.cancel;
  cfg.range_query = !instant;
  cfg.delayed_name_removal = options_.delayed_name_removal;

  Evaluator ev(cfg);
  QueryResult result;
  try {
    ev.CheckStepCount(cfg.start, cfg.end, cfg.interval);
    switch (type) {
      case ValueType::kString:
        result.type = ValueType::kString;
        result.string = String{start_ms, ev.EvalString(expr)};
        break;
      case ValueType::kScalar: {
        Matrix m = ev.EvalSteps(expr);
        if (instant) {
          result.type = ValueType::kScalar;
          double v = std::numeric_limits<double>::quiet_NaN();
          if (!m.empty() && !m[0].floats.empty()) v = m[0].floats[0].f;
          result.scalar = Scalar{start_ms, v};
        } else {
          result.type = ValueType::kMatrix;
          for (Series& s : m) s.metric = Labels();
          result.matrix = std::move(m);
        }
        break;
      }
      case ValueType::kVector: {
        Matrix m = ev.EvalSteps(expr);
        FinishNames(ev, m);
        if (instant) {
          result.type = ValueType::kVector;
          result.vector.reserve(m.size());
          for (Series& s : m) {
            if (s.floats.empty()) continue;
            result.vector.push_back(Sample{std::move(s.metric), s.floats[0].t, s.floats[0].f, nullptr, false});
          }
        } else {
          result.type = ValueType::kMatrix;
          SortByLabels(m);
          result.matrix = std::move(m);
        }
        break;
      }
      case ValueType::kMatrix: {
        result.type = ValueType::kMatrix;
        Matrix m = ev.EvalRangeAt(expr, start_ms);
        FinishNames(ev, m);
        SortByLabels(m);
        result.matrix = std::move(m);
        break;
      }
      case ValueType::kNone:
        return Status::InvalidArgument("expression has no type");
    }
  } catch (const EvalError& e) {
    return e.status;
  } catch (const std::bad_alloc&) {
    return Status::Execution("query ran out of memory");
  }
  result.annotations = std::move(ev.annotations());
  result.peak_samples = ev.peak_samples();
  result.total_samples = ev.total_samples();
  return result;
}

// Drops the names flagged for removal (delayed name removal) and merges the
// series that become one, failing where two of them have a point at the same
// time, as Prometheus's cleanupMetricLabels does.
void FinishNames(const Evaluator& ev, Matrix& m) {
  bool any = false;
  for (Series& s : m) {
    if (s.drop_name) {
      s.metric = DropMetricName(s.metric);
      s.drop_name = false;
      any = true;
    }
  }
  if (!any || m.size() < 2) return;
  MergeSameLabelsets(ev, m);
}

void MergeSameLabelsets(const Evaluator& ev, Matrix& m) {
  std::unordered_map<uint64_t, std::vector<size_t>> by_hash;
  bool dup = false;
  for (size_t i = 0; i < m.size(); i++) {
    auto& v = by_hash[m[i].metric.Hash()];
    for (size_t j : v) {
      if (m[j].metric == m[i].metric) dup = true;
    }
    v.push_back(i);
  }
  if (!dup) return;
  Matrix merged;
  std::vector<bool> done(m.size(), false);
  for (size_t i = 0; i < m.size(); i++) {
    if (done[i]) continue;
    Series base = std::move(m[i]);
    done[i] = true;
    bool grew = false;
    for (size_t j : by_hash[base.metric.Hash()]) {
      if (done[j] || !(m[j].metric == base.metric)) continue;
      base.floats.insert(base.floats.end(), m[j].floats.begin(), m[j].floats.end());
      done[j] = true;
      grew = true;
    }
    if (grew) {
      std::sort(base.floats.begin(), base.floats.end(), [](const FPoint& a, const FPoint& b) { return a.t < b.t; });
      for (size_t k = 1; k < base.floats.size(); k++) {
        if (base.floats[k].t == base.floats[k - 1].t) {
          ev.Fail(Status::Execution("vector cannot contain metrics with the same labelset"));
        }
      }
    }
    merged.push_back(std::move(base));
  }
  m = std::move(merged);
}

// ---- Evaluator ----

void Evaluator::CheckDeadline() const {
  if (cfg_.cancel != nullptr && cfg_.cancel->load(std::memory_order_relaxed)) {
    Fail(Status::Canceled("query was canceled in expression evaluation"));
  }
  if (std::chrono::steady_clock::now() > cfg_.deadline) {
    Fail(Status::Timeout("query timed out in expression evaluation"));
  }
}

void Evaluator::CheckStepCount(int64_t start, int64_t end, int64_t interval) const {
  // Each step is a point of at least one series: more steps than the query
  // may hold samples cannot succeed (and would not fit an int).
  int64_t steps = (end - start) / interval + 1;
  if (steps > std::min<int64_t>(cfg_.max_samples > 0 ? cfg_.max_samples : INT32_MAX, INT32_MAX)) {
    Fail(Status::Execution("query processing would load too many samples into memory in query execution"));
  }
}

void Evaluator::Hold(int64_t n) {
  current_samples_ += n;
  if (current_samples_ > peak_samples_) peak_samples_ = current_samples_;
  if (cfg_.max_samples > 0 && current_samples_ > cfg_.max_samples) {
    Fail(Status::Execution("query processing would load too many samples into memory in query execution"));
  }
}

void Evaluator::DropName(Labels& metric, bool& drop_flag) const {
  if (cfg_.delayed_name_removal) {
    drop_flag = true;
  } else {
    metric = DropMetricName(metric);
    drop_flag = false;
  }
}

int64_t Evaluator::DurationMs(const DurationExpr& d, bool positive) const {
  double seconds = EvalDuration(d, static_cast<double>(cfg_.query_step) / 1000.0,
                                static_cast<double>(cfg_.query_end - cfg_.query_start) / 1000.0);
  if (!std::isfinite(seconds) || std::fabs(seconds) * 1e9 >= 9.2233720368547758e18) {
    Fail(Status::InvalidArgument("duration expression is NaN, infinite or out of range"));
  }
  // As Go converts it: to nanoseconds, truncated, then to milliseconds.
  int64_t ms = static_cast<int64_t>(seconds * 1e9) / 1'000'000;
  if (positive && ms <= 0 && cfg_.query_step > 0) Fail(Status::InvalidArgument("duration must be greater than 0"));
  return ms;
}

int64_t Evaluator::RefTime(AtModifier at, int64_t at_ms, int64_t offset_ms, int64_t ts) const {
  switch (at) {
    case AtModifier::kNone: return ts - offset_ms;
    case AtModifier::kTimestamp: return at_ms - offset_ms;
    case AtModifier::kStart: return cfg_.query_start - offset_ms;
    case AtModifier::kEnd: return cfg_.query_end - offset_ms;
  }
  return ts - offset_ms;
}

Matrix Evaluator::ScalarSteps(double v) {
  Series s;
  int n = NumSteps();
  Hold(n);  // before allocating: a subquery of a billion steps fails here
  s.floats.reserve(n);
  for (int i = 0; i < n; i++) s.floats.push_back(FPoint{StepTime(i), v});
  Matrix m;
  m.push_back(std::move(s));
  return m;
}

std::vector<double> Evaluator::ScalarPerStep(const Expr& e) {
  Matrix m = EvalSteps(e);
  std::vector<double> values(NumSteps(), std::numeric_limits<double>::quiet_NaN());
  if (!m.empty()) {
    for (const FPoint& p : m[0].floats) values[(p.t - cfg_.start) / cfg_.interval] = p.f;
  }
  return values;
}

std::string Evaluator::EvalString(const Expr& e) {
  const Expr& u = Unparen(e);
  if (u.kind == ExprKind::kString) return As<StringLiteral>(u).value;
  Fail(Status::InvalidArgument("expected a string literal"));
}

Matrix Evaluator::EvalSteps(const Expr& e) {
  CheckDeadline();
  switch (e.kind) {
    case ExprKind::kNumber: return ScalarSteps(As<NumberLiteral>(e).value);
    case ExprKind::kParen: return EvalSteps(*As<ParenExpr>(e).expr);
    case ExprKind::kUnary: return EvalUnary(As<UnaryExpr>(e));
    case ExprKind::kVectorSelector: return EvalVectorSelector(As<VectorSelector>(e));
    case ExprKind::kCall: return EvalCall(As<Call>(e));
    case ExprKind::kBinary: return EvalBinary(As<BinaryExpr>(e));
    case ExprKind::kAggregate: return EvalAggregate(As<AggregateExpr>(e));
    case ExprKind::kStepInvariant: break;
    case ExprKind::kString:
    case ExprKind::kMatrixSelector:
    case ExprKind::kSubquery:
      Fail(Status::InvalidArgument(std::string("unexpected ") + ValueTypeName(e.type()) + " where an instant vector or scalar was expected"));
  }
  Fail(Status::InvalidArgument("unexpected expression"));
}

Matrix Evaluator::EvalUnary(const UnaryExpr& e) {
  Matrix m = EvalSteps(*e.expr);
  if (!e.negate) return m;
  bool vector = e.expr->type() == ValueType::kVector;
  for (Series& s : m) {
    if (vector) DropName(s.metric, s.drop_name);
    for (FPoint& p : s.floats) p.f = -p.f;
  }
  if (vector && !cfg_.delayed_name_removal) MergeSameLabelsets(*this, m);
  return m;
}

Matrix Evaluator::EvalVectorSelector(const VectorSelector& vs, bool sample_times) {
  int n = NumSteps();
  int64_t first_ref = RefTime(vs.at, vs.at_ms, Offset(vs), StepTime(0));
  int64_t last_ref = RefTime(vs.at, vs.at_ms, Offset(vs), StepTime(n - 1));
  auto set_or = cfg_.store->Select(vs.matchers, first_ref - cfg_.lookback_ms + 1, last_ref);
  if (!set_or.ok()) Fail(set_or.status());
  block::SeriesSet& set = **set_or;
  Matrix out;
  while (set.Next()) {
    if ((++deadline_check_ & 255) == 0) CheckDeadline();
    const std::vector<block::Sample>& samples = set.samples();
    total_samples_ += static_cast<int64_t>(samples.size());
    Series series;
    // At most one point per step, and a sample serves at most the steps of
    // one lookback window.
    series.floats.reserve(std::min<size_t>(n, samples.size() * (cfg_.lookback_ms / cfg_.interval + 1)));
    size_t cur = 0;  // samples[cur - 1] is the latest at or before the reference time
    for (int i = 0; i < n; i++) {
      if ((i & 0xffff) == 0xffff) CheckDeadline();
      int64_t ts = StepTime(i);
      int64_t ref = RefTime(vs.at, vs.at_ms, Offset(vs), ts);
      while (cur < samples.size() && samples[cur].t <= ref) cur++;
      if (cur == 0) continue;
      const block::Sample& s = samples[cur - 1];
      if (s.t <= ref - cfg_.lookback_ms || IsStaleNaN(s.v)) continue;
      series.floats.push_back(FPoint{ts, sample_times ? static_cast<double>(s.t) / 1000.0 : s.v});
    }
    if (series.floats.empty()) continue;
    Hold(static_cast<int64_t>(series.floats.size()));
    series.metric = set.labels();
    out.push_back(std::move(series));
  }
  if (!set.status().ok()) Fail(set.status());
  return out;
}

Matrix Evaluator::EvalSubquery(const SubqueryExpr& sq) {
  int64_t sub_end, outer_start;
  if (sq.at == AtModifier::kNone) {
    sub_end = cfg_.end - Offset(sq);
    outer_start = cfg_.start - Offset(sq);
  } else {
    sub_end = RefTime(sq.at, sq.at_ms, Offset(sq), cfg_.start);
    outer_start = sub_end;
  }
  Config sub = cfg_;
  sub.interval = Step(sq) > 0 ? Step(sq) : cfg_.default_subquery_step;
  int64_t low = outer_start - Range(sq);
  // The first step after `low` that is a multiple of the step (Go's
  // truncating division, as Prometheus computes it).
  sub.start = sub.interval * (low / sub.interval);
  if (sub.start <= low) sub.start += sub.interval;
  sub.end = sub_end;
  sub.range_query = true;
  if (sub.start > sub.end) return {};
  CheckStepCount(sub.start, sub.end, sub.interval);
  Evaluator inner(sub);
  inner.current_samples_ = current_samples_;
  Matrix m;
  try {
    m = inner.EvalSteps(*sq.expr);
  } catch (...) {
    annotations_.Merge(inner.annotations_);
    throw;
  }
  annotations_.Merge(inner.annotations_);
  total_samples_ += inner.total_samples_;
  peak_samples_ = std::max(peak_samples_, inner.peak_samples_);
  current_samples_ = inner.current_samples_;
  return m;
}

Matrix Evaluator::EvalRangeAt(const Expr& e, int64_t ts) {
  const Expr& u = Unparen(e);
  if (u.kind == ExprKind::kSubquery) {
    const SubqueryExpr& sq = As<SubqueryExpr>(u);
    Matrix m = EvalSubquery(sq);
    int64_t ref = RefTime(sq.at, sq.at_ms, Offset(sq), ts);
    Matrix out;
    for (Series& s : m) {
      std::erase_if(s.floats, [&](const FPoint& p) { return p.t <= ref - Range(sq) || p.t > ref; });
      if (!s.floats.empty()) out.push_back(std::move(s));
    }
    return out;
  }
  if (u.kind != ExprKind::kMatrixSelector) Fail(Status::InvalidArgument("expected a range vector"));
  const MatrixSelector& ms = As<MatrixSelector>(u);
  const VectorSelector& vs = As<VectorSelector>(*ms.vector_selector);
  int64_t ref = RefTime(vs.at, vs.at_ms, Offset(vs), ts);
  auto set_or = cfg_.store->Select(vs.matchers, ref - Range(ms) + 1, ref);
  if (!set_or.ok()) Fail(set_or.status());
  block::SeriesSet& set = **set_or;
  Matrix out;
  while (set.Next()) {
    total_samples_ += static_cast<int64_t>(set.samples().size());
    Series s;
    s.floats = PointsWithoutStale(set.samples());
    if (s.floats.empty()) continue;
    Hold(static_cast<int64_t>(s.floats.size()));
    s.metric = set.labels();
    out.push_back(std::move(s));
  }
  if (!set.status().ok()) Fail(set.status());
  return out;
}

// ---- helpers shared by the evaluator's files ----

bool ShouldDropMetricName(BinOp op) {
  switch (op) {
    case BinOp::kAdd: case BinOp::kSub: case BinOp::kMul: case BinOp::kDiv:
    case BinOp::kPow: case BinOp::kMod: case BinOp::kAtan2:
      return true;
    default:
      return false;
  }
}

// Prometheus drops the metric's metadata labels with its name: __type__ and
// __unit__ (type-and-unit labels) describe the metric the name names.
Labels DropMetricName(const Labels& l) {
  if (!l.Has(kMetricNameLabel) && !l.Has("__type__") && !l.Has("__unit__")) return l;
  LabelsBuilder b(l);
  DelMetricName(b);
  return b.Build();
}

void DelMetricName(LabelsBuilder& b) { b.Del(kMetricNameLabel).Del("__type__").Del("__unit__"); }

void SortByLabels(Matrix& m) {
  std::sort(m.begin(), m.end(), [](const Series& a, const Series& b) { return a.metric < b.metric; });
}

}  // namespace tsdb::promql
