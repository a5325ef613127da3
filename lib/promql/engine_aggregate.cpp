// Aggregation operators. Groups are fixed once per input series (as
// Prometheus's rangeEvalAgg does); each step then folds the series' values
// at that step into their group.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "model/names.h"
#include "model/quoting.h"
#include "promql/evaluator.h"
#include "promql/functions_internal.h"

namespace tsdb::promql {

namespace {

using internal::GoFormatG;
using internal::KahanInc;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Group {
  bool seen = false;
  double value = 0, mean = 0, kahan = 0, count = 0;
  bool incremental_mean = false;
  bool drop_name = false;
  std::vector<double> values;  // quantile
};

// Folds one sample into a group's accumulator, as Prometheus's
// aggregation() does (Kahan sums, the incremental mean past overflow,
// Welford's variance).
void Fold(AggOp op, Group& g, double f, bool drop_name) {
  if (!g.seen) {
    g.seen = true;
    g.value = f;
    g.mean = f;
    g.kahan = 0;
    g.count = 1;
    g.incremental_mean = false;
    g.drop_name = drop_name;
    switch (op) {
      case AggOp::kStddev: case AggOp::kStdvar:
        g.value = (std::isnan(f) || std::isinf(f)) ? kNaN : 0;
        break;
      case AggOp::kQuantile:
        g.values.assign(1, f);
        break;
      case AggOp::kGroup:
        g.value = 1;
        break;
      default: break;
    }
    return;
  }
  if (drop_name) g.drop_name = true;
  switch (op) {
    case AggOp::kSum:
      KahanInc(f, g.value, g.kahan);
      break;
    case AggOp::kAvg: {
      g.count++;
      if (!g.incremental_mean) {
        double v = g.value, c2 = g.kahan;
        KahanInc(f, v, c2);
        if (!std::isinf(v)) {
          g.value = v;
          g.kahan = c2;
          break;
        }
        // The sum would overflow: continue with the incremental mean.
        g.incremental_mean = true;
        g.mean = g.value / (g.count - 1);
        g.kahan /= g.count - 1;
      }
      double q = (g.count - 1) / g.count;
      double mean = q * g.mean, c2 = q * g.kahan;
      KahanInc(f / g.count, mean, c2);
      g.mean = mean;
      g.kahan = c2;
      break;
    }
    case AggOp::kGroup: break;
    case AggOp::kMax:
      if (g.value < f || std::isnan(g.value)) g.value = f;
      break;
    case AggOp::kMin:
      if (g.value > f || std::isnan(g.value)) g.value = f;
      break;
    case AggOp::kCount:
      g.count++;
      break;
    case AggOp::kStddev: case AggOp::kStdvar:
      if (std::isnan(f) || std::isinf(f)) {
        g.value = kNaN;
      } else {
        g.count++;
        double delta = f - g.mean;
        g.mean += delta / g.count;
        g.value += delta * (f - g.mean);
      }
      break;
    case AggOp::kQuantile:
      g.values.push_back(f);
      break;
    default: break;
  }
}

// A group's value once every sample of the step is folded in.
double Finish(AggOp op, Group& g, double quantile) {
  switch (op) {
    case AggOp::kAvg: return g.incremental_mean ? g.mean + g.kahan : g.value / g.count + g.kahan / g.count;
    case AggOp::kCount: return g.count;
    case AggOp::kStdvar: return g.value / g.count;
    case AggOp::kStddev: return std::sqrt(g.value / g.count);
    case AggOp::kQuantile: return internal::Quantile(quantile, g.values);
    case AggOp::kSum: return g.value + g.kahan;
    default: return g.value;
  }
}

// A grouping key and the group's labels: `by` keeps the listed labels,
// `without` drops them and __name__.
Labels GroupLabels(const Labels& metric, const std::vector<std::string>& grouping, bool without) {
  LabelsBuilder b;
  for (const Label& l : metric) {
    bool listed = std::find(grouping.begin(), grouping.end(), l.name) != grouping.end();
    if (without ? (!listed && l.name != kMetricNameLabel) : listed) b.Set(l.name, l.value);
  }
  return b.Build();
}

// Go's container/heap over samples, so that topk/bottomk/limitk pick the
// same series as Prometheus when values tie.
class SampleHeap {
 public:
  explicit SampleHeap(bool reverse) : reverse_(reverse) {}
  std::vector<Sample> items;
  bool Less(size_t i, size_t j) const {
    if (std::isnan(items[i].f)) return true;
    return reverse_ ? items[i].f > items[j].f : items[i].f < items[j].f;
  }
  void Push(Sample s) {
    items.push_back(std::move(s));
    Up(items.size() - 1);
  }
  void Fix0() {
    if (!Down(0)) Up(0);
  }
  // sort.Sort(sort.Reverse(heap)).
  void SortReverse() {
    std::stable_sort(items.begin(), items.end(), [this](const Sample& a, const Sample& b) {
      auto less = [this](const Sample& x, const Sample& y) {
        if (std::isnan(x.f)) return true;
        return reverse_ ? x.f > y.f : x.f < y.f;
      };
      return less(b, a);
    });
  }

 private:
  void Up(size_t j) {
    while (j > 0) {
      size_t i = (j - 1) / 2;
      if (!Less(j, i)) break;
      std::swap(items[i], items[j]);
      j = i;
    }
  }
  bool Down(size_t i0) {
    size_t i = i0, n = items.size();
    for (;;) {
      size_t j1 = 2 * i + 1;
      if (j1 >= n) break;
      size_t j = j1;
      if (j1 + 1 < n && Less(j1 + 1, j1)) j = j1 + 1;
      if (!Less(j, i)) break;
      std::swap(items[i], items[j]);
      i = j;
    }
    return i > i0;
  }
  bool reverse_;
};

}  // namespace

Evaluator::ParamRange Evaluator::RangeOf(const std::vector<double>& params) {
  ParamRange r;
  for (double p : params) {
    if (std::isnan(p)) r.nan = true;
    r.min = std::min(r.min, p);
    r.max = std::max(r.max, p);
  }
  return r;
}

std::string FormatGoFloatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

uint64_t PrometheusLabelsHash(const Labels& l) {
  std::string b;
  for (const Label& x : l) {
    b += x.name;
    b += '\xff';
    b += x.value;
    b += '\xff';
  }
  return XXH64(b.data(), b.size(), 0);
}

Matrix Evaluator::EvalAggregate(const AggregateExpr& e) {
  std::vector<std::string> grouping = e.grouping;
  std::sort(grouping.begin(), grouping.end());

  if (e.op == AggOp::kCountValues) {
    Matrix input = EvalSteps(*e.expr);
    return EvalCountValues(e, std::move(input));
  }

  // The parameter (k, φ, ratio), one value per step, and its extremes.
  std::vector<double> params;
  ParamRange range;
  if (e.param) {
    params = ScalarPerStep(*e.param);
    range = RangeOf(params);
  }
  Matrix input = EvalSteps(*e.expr);
  if (e.op == AggOp::kTopk || e.op == AggOp::kBottomk || e.op == AggOp::kLimitk || e.op == AggOp::kLimitRatio) {
    return EvalAggregateK(e, std::move(input), params, range);
  }
  if (e.op == AggOp::kQuantile) {
    const double lo = range.min, hi = range.max;
    const bool nan = range.nan;
    std::string pos = FormatPosition(cfg_.query, e.param->pos);
    if (nan) annotations_.AddWarning("PromQL warning: quantile value should be between 0 and 1, got NaN " + pos);
    if (hi > 1) annotations_.AddWarning("PromQL warning: quantile value should be between 0 and 1, got " + GoFormatG(hi) + " " + pos);
    if (lo < 0) annotations_.AddWarning("PromQL warning: quantile value should be between 0 and 1, got " + GoFormatG(lo) + " " + pos);
  }

  // Groups, fixed once per input series.
  std::unordered_multimap<uint64_t, size_t> group_index;
  std::vector<size_t> series_group(input.size());
  Matrix result;
  for (size_t i = 0; i < input.size(); i++) {
    Labels gl = GroupLabels(input[i].metric, grouping, e.without);
    uint64_t h = gl.Hash();
    size_t found = result.size();
    auto [a, b] = group_index.equal_range(h);
    for (auto it = a; it != b; ++it) {
      if (result[it->second].metric == gl) found = it->second;
    }
    if (found == result.size()) {
      group_index.emplace(h, found);
      Series s;
      s.metric = std::move(gl);
      result.push_back(std::move(s));
    }
    series_group[i] = found;
  }
  // Group by group, step by step over the group's own series: one
  // accumulator at a time, and within a step the series fold in input order,
  // as Prometheus's aggregation() folds them.
  const int steps = NumSteps();
  std::vector<std::vector<size_t>> members(result.size());
  for (size_t si = 0; si < input.size(); si++) members[series_group[si]].push_back(si);
  std::vector<size_t> cursor;
  for (size_t gi = 0; gi < result.size(); gi++) {
    if ((++deadline_check_ & 63) == 0) CheckDeadline();
    const std::vector<size_t>& m = members[gi];
    cursor.assign(m.size(), 0);
    Group g;
    for (int step = 0; step < steps; step++) {
      const int64_t ts = StepTime(step);
      g.seen = false;
      for (size_t k = 0; k < m.size(); k++) {
        const std::vector<FPoint>& pts = input[m[k]].floats;
        size_t& c = cursor[k];
        if (c < pts.size() && pts[c].t == ts) Fold(e.op, g, pts[c++].f, input[m[k]].drop_name);
      }
      if (!g.seen) continue;
      if (g.drop_name) result[gi].drop_name = true;
      result[gi].floats.push_back(FPoint{ts, Finish(e.op, g, e.op == AggOp::kQuantile ? params[step] : 0)});
    }
  }
  Matrix out;
  for (Series& s : result) {
    if (s.floats.empty()) continue;
    Hold(static_cast<int64_t>(s.floats.size()));
    out.push_back(std::move(s));
  }
  return out;
}

Matrix Evaluator::EvalCountValues(const AggregateExpr& e, Matrix input) {
  std::string label = EvalString(*e.param);
  if (!IsValidLabelName(label)) Fail(Status::Execution("invalid label name " + GoQuote(label)));
  std::vector<std::string> grouping = e.grouping;
  if (!e.without) grouping.push_back(label);
  std::vector<const Matrix*> args{&input};
  return RangeEval(args, [&](int64_t ts, std::vector<Vector>& v, Vector& out) {
    std::vector<std::pair<Labels, double>> counts;
    std::unordered_multimap<uint64_t, size_t> index;
    for (const Sample& s : v[0]) {
      Labels metric = LabelsBuilder(s.metric).Set(label, FormatGoFloatF(s.f)).Build();
      Labels gl = GroupLabels(metric, grouping, e.without);
      uint64_t h = gl.Hash();
      bool found = false;
      auto [a, b] = index.equal_range(h);
      for (auto it = a; it != b; ++it) {
        if (counts[it->second].first == gl) {
          counts[it->second].second++;
          found = true;
        }
      }
      if (!found) {
        index.emplace(h, counts.size());
        counts.emplace_back(std::move(gl), 1);
      }
    }
    for (auto& [l, n] : counts) out.push_back(Sample{std::move(l), ts, n, nullptr, false});
  });
}

Matrix Evaluator::EvalAggregateK(const AggregateExpr& e, Matrix input, const std::vector<double>& params,
                                 const ParamRange& range) {
  std::vector<std::string> grouping = e.grouping;
  std::sort(grouping.begin(), grouping.end());
  const double pmin = range.min, pmax = range.max;
  const bool nan = range.nan;
  // A NaN fails the query even when nothing is selected (Go's math.Max
  // keeps the NaN that std::max drops, so Prometheus's early returns do not
  // see a k below 1).
  if (e.op == AggOp::kLimitRatio) {
    if (nan) Fail(Status::Execution("Ratio value is NaN"));
    if (pmax == 0 && pmin == 0) return {};
    std::string pos = FormatPosition(cfg_.query, e.param->pos);
    if (pmax > 1.0) {
      annotations_.AddWarning("PromQL warning: ratio value should be between -1 and 1, got " + GoFormatG(pmax) +
                              ", capping to 1 " + pos);
    }
    if (pmin < -1.0) {
      annotations_.AddWarning("PromQL warning: ratio value should be between -1 and 1, got " + GoFormatG(pmin) +
                              ", capping to -1 " + pos);
    }
  } else {
    if (nan) Fail(Status::Execution("Parameter value is NaN"));
    if (pmax < 1) return {};
    if (pmin <= -9.223372036854775808e18) Fail(Status::Execution("Scalar value " + GoFormatG(pmin) + " underflows int64"));
    if (pmax >= 9.223372036854775807e18) Fail(Status::Execution("Scalar value " + GoFormatG(pmax) + " overflows int64"));
  }

  // Group index per series, in order of first appearance.
  std::unordered_multimap<uint64_t, size_t> group_index;
  std::vector<Labels> group_labels;
  std::vector<size_t> series_group(input.size());
  for (size_t i = 0; i < input.size(); i++) {
    Labels gl = GroupLabels(input[i].metric, grouping, e.without);
    uint64_t h = gl.Hash();
    size_t found = group_labels.size();
    auto [a, b] = group_index.equal_range(h);
    for (auto it = a; it != b; ++it) {
      if (group_labels[it->second] == gl) found = it->second;
    }
    if (found == group_labels.size()) {
      group_index.emplace(h, found);
      group_labels.push_back(std::move(gl));
    }
    series_group[i] = found;
  }
  std::vector<uint64_t> ratio_hash;
  if (e.op == AggOp::kLimitRatio) {
    for (const Series& s : input) ratio_hash.push_back(PrometheusLabelsHash(s.metric));
  }

  std::vector<const Matrix*> args{&input};
  // RangeEval gathers the vector; groups are looked up by series position,
  // which is the order RangeEval gathers in.
  std::vector<size_t> cursor(input.size(), 0);
  int step = -1;
  return RangeEval(args, [&](int64_t ts, std::vector<Vector>&, Vector& out) {
    step++;
    double p = params[step];
    int64_t k = 0;
    double ratio = 0;
    if (e.op == AggOp::kLimitRatio) {
      if (p == 0) return;
      ratio = std::clamp(p, -1.0, 1.0);
    } else {
      k = std::min(static_cast<int64_t>(p), static_cast<int64_t>(input.size()));
      if (k < 1) return;
    }
    std::vector<SampleHeap> heaps;
    heaps.reserve(group_labels.size());
    for (size_t g = 0; g < group_labels.size(); g++) heaps.emplace_back(e.op == AggOp::kBottomk);
    std::vector<bool> seen(group_labels.size(), false);
    for (size_t si = 0; si < input.size(); si++) {
      const std::vector<FPoint>& pts = input[si].floats;
      size_t& c = cursor[si];
      if (c >= pts.size() || pts[c].t != ts) continue;
      Sample s{input[si].metric, ts, pts[c++].f, nullptr, input[si].drop_name};
      SampleHeap& heap = heaps[series_group[si]];
      seen[series_group[si]] = true;
      switch (e.op) {
        case AggOp::kTopk:
          if (static_cast<int64_t>(heap.items.size()) < k) {
            heap.Push(std::move(s));
          } else if (heap.items[0].f < s.f || (std::isnan(heap.items[0].f) && !std::isnan(s.f))) {
            heap.items[0] = std::move(s);
            if (k > 1) heap.Fix0();
          }
          break;
        case AggOp::kBottomk:
          if (static_cast<int64_t>(heap.items.size()) < k) {
            heap.Push(std::move(s));
          } else if (heap.items[0].f > s.f || (std::isnan(heap.items[0].f) && !std::isnan(s.f))) {
            heap.items[0] = std::move(s);
            if (k > 1) heap.Fix0();
          }
          break;
        case AggOp::kLimitk:
          if (static_cast<int64_t>(heap.items.size()) < k) heap.Push(std::move(s));
          break;
        case AggOp::kLimitRatio: {
          double offset = static_cast<double>(ratio_hash[si]) / 18446744073709551615.0;
          bool take = ratio >= 0 ? offset < ratio : offset >= 1.0 + ratio;
          if (take) heap.Push(std::move(s));
          break;
        }
        default: break;
      }
    }
    for (size_t g = 0; g < heaps.size(); g++) {
      if (!seen[g]) continue;
      SampleHeap& heap = heaps[g];
      if ((e.op == AggOp::kTopk || e.op == AggOp::kBottomk) && heap.items.size() > 1) heap.SortReverse();
      for (Sample& s : heap.items) out.push_back(std::move(s));
    }
  });
}

}  // namespace tsdb::promql
