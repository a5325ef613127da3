// Function calls: range-vector functions slide a window over each series,
// the others run once per step on their arguments' vectors; a few that need
// the syntax tree or raw sample times are evaluated here by name.
#include <cmath>
#include <limits>
#include <numbers>

#include "model/value.h"
#include "promql/evaluator.h"
#include "promql/window_sums.h"

namespace tsdb::promql {

namespace {

// The labels absent() gives its one sample: the selector's equality
// matchers, less __name__ and any name matched more than once (Prometheus's
// historic behaviour for absent(x{job="a",job="b"})).
Labels AbsentLabels(const Expr& arg) {
  const std::vector<Matcher>* matchers = nullptr;
  if (arg.kind == ExprKind::kVectorSelector) {
    matchers = &As<VectorSelector>(arg).matchers;
  } else if (arg.kind == ExprKind::kMatrixSelector) {
    matchers = &As<VectorSelector>(*As<MatrixSelector>(arg).vector_selector).matchers;
  }
  if (matchers == nullptr) return Labels();
  LabelsBuilder b;
  std::vector<std::string> seen;
  for (const Matcher& m : *matchers) {
    if (m.name() == kMetricNameLabel) continue;
    bool had = std::find(seen.begin(), seen.end(), m.name()) != seen.end();
    if (m.type() == Matcher::Type::kEqual && !had) {
      b.Set(m.name(), m.value());
      seen.push_back(m.name());
    } else {
      b.Del(m.name());
    }
  }
  return b.Build();
}

}  // namespace

Matrix Evaluator::EvalCall(const Call& call) {
  const FunctionInfo& info = *call.func;
  std::string_view name = info.name;
  if (name == "time") {
    Matrix m = ScalarSteps(0);
    for (FPoint& p : m[0].floats) p.f = static_cast<double>(p.t) / 1000.0;
    return m;
  }
  if (name == "pi") return ScalarSteps(std::numbers::pi);
  // The query's own shape, in seconds (experimental functions); an instant
  // query has a step and a range of 0.
  if (call.args.empty()) {
    if (name == "start") return ScalarSteps(static_cast<double>(cfg_.query_start) / 1000.0);
    if (name == "end") return ScalarSteps(static_cast<double>(cfg_.query_end) / 1000.0);
    if (name == "range") return ScalarSteps(static_cast<double>(cfg_.query_end - cfg_.query_start) / 1000.0);
    if (name == "step") return ScalarSteps(static_cast<double>(cfg_.query_step) / 1000.0);
  }
  if (name == "absent" || name == "absent_over_time") return EvalAbsent(call);
  if (name == "timestamp") return EvalTimestamp(call);
  if (name == "info") return EvalInfo(call);
  if (name == "vector") {
    Matrix m = EvalSteps(*call.args[0]);
    for (Series& s : m) s.metric = Labels();
    return m;
  }
  if (name == "scalar") {
    Matrix arg = EvalSteps(*call.args[0]);
    std::vector<const Matrix*> args{&arg};
    Matrix m = RangeEval(args, [](int64_t ts, std::vector<Vector>& v, Vector& out) {
      double f = v[0].size() == 1 ? v[0][0].f : std::numeric_limits<double>::quiet_NaN();
      out.push_back(Sample{Labels(), ts, f, nullptr, false});
    });
    return m;
  }
  for (size_t i = 0; i < call.args.size(); i++) {
    ValueType t = call.args[i]->type();
    if (t == ValueType::kMatrix) return EvalRangeFunction(call, static_cast<int>(i));
  }
  return EvalInstantFunction(call);
}

FunctionContext Evaluator::ContextFor(const Call& call, Status* error) {
  FunctionContext ctx;
  ctx.call = &call;
  ctx.query = cfg_.query;
  ctx.annotations = &annotations_;
  ctx.range_query = cfg_.range_query;
  ctx.error = error;
  return ctx;
}

Matrix Evaluator::EvalInstantFunction(const Call& call) {
  const FunctionInfo& info = *call.func;
  if (info.instant == nullptr) {
    Fail(Status::Execution("function \"" + std::string(info.name) + "\" is not implemented"));
  }
  // Vector and scalar arguments become step matrices; strings are read once.
  std::vector<Matrix> values(call.args.size());
  std::vector<std::string> strings(call.args.size());
  std::vector<const Matrix*> stepped;
  std::vector<int> stepped_arg;
  for (size_t i = 0; i < call.args.size(); i++) {
    ValueType t = call.args[i]->type();
    if (t == ValueType::kString) {
      strings[i] = EvalString(*call.args[i]);
    } else {
      values[i] = EvalSteps(*call.args[i]);
      stepped_arg.push_back(static_cast<int>(i));
    }
  }
  for (int i : stepped_arg) stepped.push_back(&values[i]);
  std::vector<ArgValue> argv(call.args.size());
  for (size_t i = 0; i < call.args.size(); i++) {
    argv[i].type = call.args[i]->type();
    if (argv[i].type == ValueType::kString) argv[i].string = strings[i];
  }
  Status error;
  FunctionContext ctx = ContextFor(call, &error);
  Matrix m = RangeEval(stepped, [&](int64_t ts, std::vector<Vector>& v, Vector& out) {
    for (size_t k = 0; k < stepped_arg.size(); k++) {
      ArgValue& a = argv[stepped_arg[k]];
      if (a.type == ValueType::kScalar) {
        a.scalar = v[k].empty() ? std::numeric_limits<double>::quiet_NaN() : v[k][0].f;
      } else {
        a.vector = &v[k];
      }
    }
    ctx.ts = ts;
    Status st = info.instant(argv, out, ctx);
    if (!st.ok()) Fail(st);
    if (!error.ok()) Fail(error);
    for (Sample& s : out) {
      s.t = ts;
      if (info.drops_name) DropName(s.metric, s.drop_name);
    }
  });
  return m;
}

Matrix Evaluator::EvalRangeFunction(const Call& call, int matrix_arg) {
  const FunctionInfo& info = *call.func;
  if (info.range == nullptr) {
    Fail(Status::Execution("function \"" + std::string(info.name) + "\" is not implemented"));
  }
  // The other arguments are scalars (quantile_over_time's φ, ...), one value per step.
  const int n = NumSteps();
  std::vector<std::vector<double>> scalars(n);
  for (size_t i = 0; i < call.args.size(); i++) {
    if (static_cast<int>(i) == matrix_arg) continue;
    std::vector<double> values = ScalarPerStep(*call.args[i]);
    for (int step = 0; step < n; step++) scalars[step].push_back(values[step]);
  }

  Status error;
  FunctionContext ctx = ContextFor(call, &error);

  Matrix out;
  // One series: its points (no stale markers), slid along the steps.
  auto run_series = [&](const Labels& metric, bool input_drop_name, const std::vector<FPoint>& points,
                        AtModifier at, int64_t at_ms, int64_t offset_ms, int64_t range_ms) {
    Series series;
    // At most one point per step; a point is in the windows of at most
    // range/interval + 1 steps.
    series.floats.reserve(std::min<size_t>(n, points.size() * (range_ms / cfg_.interval + 1)));
    std::optional<WindowSums> sums;
    if (info.window_sum != FunctionInfo::WindowSum::kNone) sums.emplace(points);
    size_t lo = 0, hi = 0;
    for (int i = 0; i < n; i++) {
      if ((i & 0xffff) == 0xffff) CheckDeadline();
      int64_t ts = StepTime(i);
      int64_t ref = RefTime(at, at_ms, offset_ms, ts);
      int64_t start = ref - range_ms;
      while (hi < points.size() && points[hi].t <= ref) hi++;
      while (lo < hi && points[lo].t <= start) lo++;
      if (lo == hi) continue;
      RangeWindow w;
      w.metric = &metric;
      w.floats = std::span<const FPoint>(points.data() + lo, hi - lo);
      w.start = start;
      w.end = ref;
      ctx.ts = ts;
      if (sums) {
        if (std::optional<WindowSums::Pair> s = sums->Sum(lo, hi)) {
          // As Prometheus finishes its Kahan sums: sum + c, or sum/n + c/n.
          double count = static_cast<double>(hi - lo);
          double v = info.window_sum == FunctionInfo::WindowSum::kSum ? s->hi + s->lo : s->hi / count + s->lo / count;
          series.floats.push_back(FPoint{ts, v});
          continue;
        }
      }
      std::optional<double> v = info.range(w, scalars[i], ctx);
      if (!error.ok()) Fail(error);
      if (v) series.floats.push_back(FPoint{ts, *v});
    }
    if (series.floats.empty()) return;
    Hold(static_cast<int64_t>(series.floats.size()));
    series.metric = metric;
    series.drop_name = input_drop_name;
    if (info.drops_name || input_drop_name) DropName(series.metric, series.drop_name);
    out.push_back(std::move(series));
  };

  const Expr& arg = Unparen(*call.args[matrix_arg]);
  if (arg.kind == ExprKind::kSubquery) {
    const SubqueryExpr& sq = As<SubqueryExpr>(arg);
    Matrix input = EvalSubquery(sq);
    for (Series& s : input) {
      if ((++deadline_check_ & 255) == 0) CheckDeadline();
      run_series(s.metric, s.drop_name, s.floats, sq.at, sq.at_ms, Offset(sq), Range(sq));
    }
  } else {
    const MatrixSelector& ms = As<MatrixSelector>(arg);
    const VectorSelector& vs = As<VectorSelector>(*ms.vector_selector);
    int64_t first_ref = RefTime(vs.at, vs.at_ms, Offset(vs), StepTime(0));
    int64_t last_ref = RefTime(vs.at, vs.at_ms, Offset(vs), StepTime(n - 1));
    auto set_or = cfg_.store->Select(vs.matchers, first_ref - Range(ms) + 1, last_ref);
    if (!set_or.ok()) Fail(set_or.status());
    block::SeriesSet& set = **set_or;
    std::vector<FPoint> points;
    while (set.Next()) {
      if ((++deadline_check_ & 255) == 0) CheckDeadline();
      const std::vector<block::Sample>& samples = set.samples();
      total_samples_ += static_cast<int64_t>(samples.size());
      points.clear();
      for (const block::Sample& s : samples) {
        if (!IsStaleNaN(s.v)) points.push_back(FPoint{s.t, s.v});
      }
      // The series' raw samples are held while its windows are computed.
      Hold(static_cast<int64_t>(points.size()));
      run_series(set.labels(), false, points, vs.at, vs.at_ms, Offset(vs), Range(ms));
      Release(static_cast<int64_t>(points.size()));
    }
    if (!set.status().ok()) Fail(set.status());
  }
  if (!cfg_.delayed_name_removal) MergeSameLabelsets(*this, out);
  return out;
}

Matrix Evaluator::EvalAbsent(const Call& call) {
  const Expr& arg = *call.args[0];
  Labels labels = AbsentLabels(arg);
  const int n = NumSteps();
  std::vector<bool> present(n, false);
  if (call.func->name == "absent") {
    Matrix m = EvalSteps(arg);
    for (const Series& s : m) {
      for (const FPoint& p : s.floats) present[(p.t - cfg_.start) / cfg_.interval] = true;
    }
  } else {
    // absent_over_time: whether any series has a point in the window.
    const Expr& u = Unparen(arg);
    Matrix input;
    AtModifier at;
    int64_t at_ms, offset_ms, range_ms;
    if (u.kind == ExprKind::kSubquery) {
      const SubqueryExpr& sq = As<SubqueryExpr>(u);
      input = EvalSubquery(sq);
      at = sq.at, at_ms = sq.at_ms, offset_ms = Offset(sq), range_ms = Range(sq);
    } else {
      const MatrixSelector& ms = As<MatrixSelector>(u);
      const VectorSelector& vs = As<VectorSelector>(*ms.vector_selector);
      at = vs.at, at_ms = vs.at_ms, offset_ms = Offset(vs), range_ms = Range(ms);
      int64_t first_ref = RefTime(at, at_ms, offset_ms, StepTime(0));
      int64_t last_ref = RefTime(at, at_ms, offset_ms, StepTime(n - 1));
      auto set_or = cfg_.store->Select(vs.matchers, first_ref - range_ms + 1, last_ref);
      if (!set_or.ok()) Fail(set_or.status());
      while ((*set_or)->Next()) {
        Series s;
        for (const block::Sample& x : (*set_or)->samples()) {
          if (!IsStaleNaN(x.v)) s.floats.push_back(FPoint{x.t, x.v});
        }
        input.push_back(std::move(s));
      }
      if (!(*set_or)->status().ok()) Fail((*set_or)->status());
    }
    for (const Series& s : input) {
      size_t lo = 0, hi = 0;
      for (int i = 0; i < n; i++) {
        int64_t ref = RefTime(at, at_ms, offset_ms, StepTime(i));
        while (hi < s.floats.size() && s.floats[hi].t <= ref) hi++;
        while (lo < hi && s.floats[lo].t <= ref - range_ms) lo++;
        if (lo < hi) present[i] = true;
      }
    }
  }
  Series out;
  out.metric = labels;
  for (int i = 0; i < n; i++) {
    if (!present[i]) out.floats.push_back(FPoint{StepTime(i), 1});
  }
  Matrix m;
  if (!out.floats.empty()) {
    Hold(static_cast<int64_t>(out.floats.size()));
    m.push_back(std::move(out));
  }
  return m;
}

// timestamp(v): the time of each sample. For a plain selector that is the
// time the sample was written, not the step (Prometheus evaluates the
// selector keeping the original timestamps).
Matrix Evaluator::EvalTimestamp(const Call& call) {
  const Expr& arg = Unparen(*call.args[0]);
  Matrix m;
  if (arg.kind == ExprKind::kVectorSelector) {
    m = EvalVectorSelector(As<VectorSelector>(arg), true);
  } else {
    m = EvalSteps(arg);
    for (Series& s : m) {
      for (FPoint& p : s.floats) p.f = static_cast<double>(p.t) / 1000.0;
    }
  }
  for (Series& s : m) DropName(s.metric, s.drop_name);
  if (!cfg_.delayed_name_removal) MergeSameLabelsets(*this, m);
  return m;
}

}  // namespace tsdb::promql
