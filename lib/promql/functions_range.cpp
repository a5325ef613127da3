// Range-vector functions: rate and friends, regression, resets/changes, the
// *_over_time family and double_exponential_smoothing, ported from
// Prometheus's promql/functions.go for float samples. Native-histogram points
// are not stored yet; where Prometheus warns about a mix of floats and
// histograms, so do these, but histograms are never aggregated.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "model/quoting.h"
#include "promql/functions_internal.h"

namespace tsdb::promql::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string MetricName(const RangeWindow& w) {
  return w.metric ? std::string(w.metric->MetricName()) : std::string();
}

// A range with both floats and histograms: Prometheus drops the element of
// functions that cannot combine them, with this warning.
bool WarnIfMixed(const RangeWindow& w, FunctionContext& ctx, int arg) {
  if (w.floats.empty() || w.histograms.empty()) return false;
  AddWarning(ctx, "encountered a mix of histograms and floats for metric name " + GoQuote(MetricName(w)), arg);
  return true;
}

// The info for functions that use the floats of a mixed range and ignore
// its histograms.
void InfoIfHistogramsIgnored(const RangeWindow& w, FunctionContext& ctx, int arg) {
  if (w.histograms.empty()) return;
  AddInfo(ctx, "ignored histograms in a range containing both floats and histograms for metric name " +
                   GoQuote(MetricName(w)),
          arg);
}

// rate() and increase() on a metric whose name does not say "counter". The
// engine of Prometheus checks once per series that produced a float; adding
// it at every step that produced one gives the same (deduplicated) set.
void InfoIfNotCounterName(const RangeWindow& w, FunctionContext& ctx) {
  // Called at every step: no copy of the name unless there is something to say.
  if (w.metric == nullptr) return;
  std::string_view name = w.metric->MetricName();
  if (name.empty()) return;
  for (std::string_view suffix : {"_total", "_sum", "_count", "_bucket"}) {
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) return;
  }
  AddInfo(ctx, "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: " + GoQuote(name), 0);
}

// Prometheus's extrapolatedRate for floats (no anchored/smoothed selectors,
// no start timestamps): the increase between the first and last sample,
// corrected for counter resets, extrapolated towards the window's ends.
std::optional<double> ExtrapolatedRate(const RangeWindow& w, FunctionContext& ctx, bool is_counter, bool is_rate) {
  if (WarnIfMixed(w, ctx, 0)) return std::nullopt;
  auto f = w.floats;
  if (f.size() < 2) return std::nullopt;  // one sample gives no increase
  const size_t n_minus_one = f.size() - 1;
  const int64_t first_t = f.front().t;
  const int64_t last_t = f.back().t;
  double result = f.back().f - f.front().f;
  if (is_counter) {
    for (size_t i = 1; i < f.size(); ++i) {
      if (f[i].f < f[i - 1].f) result += f[i - 1].f;
    }
  }
  double duration_to_start = static_cast<double>(first_t - w.start) / 1000;
  double duration_to_end = static_cast<double>(w.end - last_t) / 1000;
  const double sampled_interval = static_cast<double>(last_t - first_t) / 1000;
  const double average_between_samples = sampled_interval / static_cast<double>(n_minus_one);
  // Samples "close enough" to a boundary (up to 10% more than the average
  // spacing) extrapolate all the way to it; otherwise the series is assumed
  // to start or end inside the window, half an average spacing away.
  const double threshold = average_between_samples * 1.1;
  if (duration_to_start >= threshold) duration_to_start = average_between_samples / 2;
  if (is_counter) {
    // A counter cannot go below zero: do not extrapolate past the point
    // where the line through the samples reaches zero.
    double duration_to_zero = duration_to_start;
    if (result > 0 && f.front().f >= 0) duration_to_zero = sampled_interval * (f.front().f / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }
  if (duration_to_end >= threshold) duration_to_end = average_between_samples / 2;
  double factor = 1;
  if (sampled_interval != 0) factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
  if (is_rate) factor /= static_cast<double>(w.end - w.start) / 1000;
  return result * factor;
}

// irate and idelta: the last two samples only.
std::optional<double> InstantValue(const RangeWindow& w, FunctionContext& ctx, bool is_rate) {
  if (w.floats.size() + w.histograms.size() < 2) return std::nullopt;
  if (!w.histograms.empty()) {
    // Only a pair of floats is computed; a float beside a histogram is a mix.
    if (!w.floats.empty()) {
      AddWarning(ctx, "encountered a mix of histograms and floats for metric name " + GoQuote(MetricName(w)), 0);
    }
    return std::nullopt;
  }
  const FPoint& prev = w.floats[w.floats.size() - 2];
  const FPoint& last = w.floats.back();
  const int64_t interval = last.t - prev.t;
  if (interval == 0) return std::nullopt;
  double result = last.f;
  // A counter that went down was reset: its last value is the increase.
  // (NaN compares false, so a NaN counter takes the difference: NaN.)
  if (!is_rate || !(last.f < prev.f)) result = last.f - prev.f;
  if (is_rate) result /= static_cast<double>(interval) / 1000;
  return result;
}

struct Regression {
  double slope;
  double intercept;
};

// Least squares over the samples, x in seconds relative to intercept_time
// (close to the samples, for precision), with Kahan summation.
Regression LinearRegression(std::span<const FPoint> samples, int64_t intercept_time) {
  double n = 0, sum_x = 0, c_x = 0, sum_y = 0, c_y = 0, sum_xy = 0, c_xy = 0, sum_x2 = 0, c_x2 = 0;
  const double init_y = samples[0].f;
  bool const_y = true;
  for (size_t i = 0; i < samples.size(); ++i) {
    const FPoint& s = samples[i];
    if (const_y && i > 0 && s.f != init_y) const_y = false;
    n += 1;
    double x = static_cast<double>(s.t - intercept_time) / 1e3;
    KahanInc(x, sum_x, c_x);
    KahanInc(s.f, sum_y, c_y);
    KahanInc(x * s.f, sum_xy, c_xy);
    KahanInc(x * x, sum_x2, c_x2);
  }
  if (const_y) {
    if (std::isinf(init_y)) return {kNaN, kNaN};
    return {0, init_y};
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;
  double cov_xy = sum_xy - sum_x * sum_y / n;
  double var_x = sum_x2 - sum_x * sum_x / n;
  double slope = cov_xy / var_x;
  return {slope, sum_y / n - slope * sum_x / n};
}

// max_over_time, min_over_time and their ts_of_ twins: the first sample wins
// ties unless `or_equal`, and any value replaces a NaN.
template <typename Better>
std::optional<double> CompareOverTime(const RangeWindow& w, FunctionContext& ctx, Better better, bool timestamp) {
  if (w.floats.empty()) return std::nullopt;
  InfoIfHistogramsIgnored(w, ctx, 0);
  double best = w.floats[0].f;
  int64_t best_t = w.floats[0].t;
  for (const FPoint& p : w.floats) {
    if (better(p.f, best) || std::isnan(best)) {
      best = p.f;
      best_t = p.t;
    }
  }
  return timestamp ? static_cast<double>(best_t) / 1000 : best;
}

// Welford's online variance with Kahan-compensated mean and sum of squares.
std::optional<double> VarianceOverTime(const RangeWindow& w, FunctionContext& ctx, bool stddev) {
  if (w.floats.empty()) return std::nullopt;
  InfoIfHistogramsIgnored(w, ctx, 0);
  double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
  for (const FPoint& p : w.floats) {
    count++;
    double delta = p.f - (mean + c_mean);
    KahanInc(delta / count, mean, c_mean);
    KahanInc(delta * (p.f - (mean + c_mean)), aux, c_aux);
  }
  double variance = (aux + c_aux) / count;
  return stddev ? std::sqrt(variance) : variance;
}

}  // namespace

std::optional<double> Rate(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  auto r = ExtrapolatedRate(w, ctx, true, true);
  if (r) InfoIfNotCounterName(w, ctx);
  return r;
}

std::optional<double> Increase(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  auto r = ExtrapolatedRate(w, ctx, true, false);
  if (r) InfoIfNotCounterName(w, ctx);
  return r;
}

std::optional<double> Delta(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  return ExtrapolatedRate(w, ctx, false, false);
}

std::optional<double> Irate(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  return InstantValue(w, ctx, true);
}

std::optional<double> Idelta(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  return InstantValue(w, ctx, false);
}

std::optional<double> Deriv(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  if (w.floats.size() < 2) {
    if (w.floats.size() == 1) InfoIfHistogramsIgnored(w, ctx, 0);
    return std::nullopt;
  }
  InfoIfHistogramsIgnored(w, ctx, 0);
  // Relative to the first sample's time, against floating-point loss
  // (prometheus/prometheus#2674).
  return LinearRegression(w.floats, w.floats[0].t).slope;
}

std::optional<double> PredictLinear(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx) {
  if (s.empty()) return std::nullopt;
  if (w.floats.size() < 2) {
    if (w.floats.size() == 1) InfoIfHistogramsIgnored(w, ctx, 0);
    return std::nullopt;
  }
  InfoIfHistogramsIgnored(w, ctx, 0);
  // The intercept is the value at the step's evaluation time (not the
  // window's end, which an offset moves).
  Regression r = LinearRegression(w.floats, ctx.ts);
  return r.slope * s[0] + r.intercept;
}

std::optional<double> Resets(const RangeWindow& w, std::span<const double>, FunctionContext&) {
  if (w.floats.empty() && w.histograms.empty()) return std::nullopt;
  // A switch between float and histogram counts as a reset in Prometheus;
  // with floats only, a reset is a decrease.
  int resets = 0;
  for (size_t i = 1; i < w.floats.size(); ++i) {
    if (w.floats[i].f < w.floats[i - 1].f) ++resets;
  }
  return resets;
}

std::optional<double> Changes(const RangeWindow& w, std::span<const double>, FunctionContext&) {
  if (w.floats.empty() && w.histograms.empty()) return std::nullopt;
  int changes = 0;
  for (size_t i = 1; i < w.floats.size(); ++i) {
    double prev = w.floats[i - 1].f, cur = w.floats[i].f;
    // NaN to NaN is no change, though NaN != NaN.
    if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) ++changes;
  }
  return changes;
}

std::optional<double> AvgOverTime(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  if (WarnIfMixed(w, ctx, 0) || w.floats.empty()) return std::nullopt;
  // Direct mean (Kahan sum / count) is the more accurate, but the sum can
  // overflow where an incremental mean does not: switch to the incremental
  // mean once the running sum would become infinite.
  double sum = w.floats[0].f, count = 1, mean = 0, c = 0;
  bool incremental = false;
  for (size_t i = 1; i < w.floats.size(); ++i) {
    double f = w.floats[i].f;
    count = static_cast<double>(i + 1);
    if (!incremental) {
      double new_sum = sum, new_c = c;
      KahanInc(f, new_sum, new_c);
      if (!std::isinf(new_sum)) {
        sum = new_sum;
        c = new_c;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= (count - 1);
    }
    double q = (count - 1) / count;
    double m = q * mean, mc = q * c;
    KahanInc(f / count, m, mc);
    mean = m;
    c = mc;
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

std::optional<double> MinOverTime(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  return CompareOverTime(w, ctx, [](double cur, double best) { return cur < best; }, false);
}

std::optional<double> MaxOverTime(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  return CompareOverTime(w, ctx, [](double cur, double best) { return cur > best; }, false);
}

// The ts_of_ variants take the last of equal extremes.
std::optional<double> TsOfMinOverTime(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  return CompareOverTime(w, ctx, [](double cur, double best) { return cur <= best; }, true);
}

std::optional<double> TsOfMaxOverTime(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  return CompareOverTime(w, ctx, [](double cur, double best) { return cur >= best; }, true);
}

std::optional<double> SumOverTime(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  if (WarnIfMixed(w, ctx, 0) || w.floats.empty()) return std::nullopt;
  double sum = 0, c = 0;
  for (const FPoint& p : w.floats) KahanInc(p.f, sum, c);
  if (std::isinf(sum)) return sum;
  return sum + c;
}

std::optional<double> CountOverTime(const RangeWindow& w, std::span<const double>, FunctionContext&) {
  size_t n = w.floats.size() + w.histograms.size();
  if (n == 0) return std::nullopt;
  return static_cast<double>(n);
}

std::optional<double> StddevOverTime(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  return VarianceOverTime(w, ctx, true);
}

std::optional<double> StdvarOverTime(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  return VarianceOverTime(w, ctx, false);
}

std::optional<double> QuantileOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx) {
  if (s.empty() || w.floats.empty()) return std::nullopt;
  double q = s[0];
  // Prometheus places both annotations at the call's first argument (φ).
  if (std::isnan(q) || q < 0 || q > 1) {
    AddWarning(ctx, "quantile value should be between 0 and 1, got " + GoFormatG(q), 0);
  }
  InfoIfHistogramsIgnored(w, ctx, 0);
  std::vector<double> values;
  values.reserve(w.floats.size());
  for (const FPoint& p : w.floats) values.push_back(p.f);
  return Quantile(q, values);
}

// last_over_time and first_over_time return nothing when the edge sample is
// a histogram (they would return the histogram in Prometheus).
std::optional<double> LastOverTime(const RangeWindow& w, std::span<const double>, FunctionContext&) {
  if (w.floats.empty()) return std::nullopt;
  if (!w.histograms.empty() && w.histograms.back().t >= w.floats.back().t) return std::nullopt;
  return w.floats.back().f;
}

std::optional<double> FirstOverTime(const RangeWindow& w, std::span<const double>, FunctionContext&) {
  if (w.floats.empty()) return std::nullopt;
  if (!w.histograms.empty() && w.histograms.front().t <= w.floats.front().t) return std::nullopt;
  return w.floats.front().f;
}

std::optional<double> TsOfLastOverTime(const RangeWindow& w, std::span<const double>, FunctionContext&) {
  if (w.floats.empty() && w.histograms.empty()) return std::nullopt;
  int64_t t = 0;
  if (!w.floats.empty()) t = w.floats.back().t;
  if (!w.histograms.empty()) t = std::max(t, w.histograms.back().t);
  return static_cast<double>(t) / 1000;
}

std::optional<double> TsOfFirstOverTime(const RangeWindow& w, std::span<const double>, FunctionContext&) {
  if (w.floats.empty() && w.histograms.empty()) return std::nullopt;
  int64_t t = std::numeric_limits<int64_t>::max();
  if (!w.floats.empty()) t = w.floats.front().t;
  if (!w.histograms.empty()) t = std::min(t, w.histograms.front().t);
  return static_cast<double>(t) / 1000;
}

std::optional<double> MadOverTime(const RangeWindow& w, std::span<const double>, FunctionContext& ctx) {
  if (w.floats.empty()) return std::nullopt;
  InfoIfHistogramsIgnored(w, ctx, 0);
  std::vector<double> values;
  values.reserve(w.floats.size());
  for (const FPoint& p : w.floats) {
    // A NaN makes the median, and so the deviation, undefined.
    if (std::isnan(p.f)) return kNaN;
    values.push_back(p.f);
  }
  double median = Quantile(0.5, values);
  for (double& v : values) v = std::fabs(v - median);
  return Quantile(0.5, values);
}

std::optional<double> PresentOverTime(const RangeWindow& w, std::span<const double>, FunctionContext&) {
  if (w.floats.empty() && w.histograms.empty()) return std::nullopt;
  return 1;
}

// Holt's linear method: sf weighs new values against the smoothed history,
// tf the new trend against the old one.
std::optional<double> DoubleExponentialSmoothing(const RangeWindow& w, std::span<const double> s,
                                                 FunctionContext& ctx) {
  if (s.size() < 2) return std::nullopt;
  const double sf = s[0], tf = s[1];
  // Checked before looking at the samples, as Prometheus does: any series
  // with a point in its window fails the query. (A NaN passes, as in Go.)
  std::string error;
  if (sf <= 0 || sf >= 1) {
    error = "invalid smoothing factor. Expected: 0 < sf < 1, got: " + GoFormatF(sf);
  } else if (tf <= 0 || tf >= 1) {
    error = "invalid trend factor. Expected: 0 < tf < 1, got: " + GoFormatF(tf);
  }
  if (!error.empty()) {
    if (ctx.error && ctx.error->ok()) *ctx.error = Status::Execution(std::move(error));
    return std::nullopt;
  }
  const auto f = w.floats;
  if (f.size() < 2) {
    if (f.size() == 1) InfoIfHistogramsIgnored(w, ctx, 0);
    return std::nullopt;
  }
  double s0 = 0, s1 = f[0].f, b = f[1].f - f[0].f;
  for (size_t i = 1; i < f.size(); ++i) {
    double x = sf * f[i].f;
    // The trend: the first step keeps the initial difference.
    if (i - 1 != 0) b = tf * (s1 - s0) + (1 - tf) * b;
    double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  InfoIfHistogramsIgnored(w, ctx, 0);
  return s1;
}

double Quantile(double q, std::span<double> values) {
  if (values.empty() || std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  // NaN sorts first, as Prometheus's vectorByValueHeap puts it.
  std::sort(values.begin(), values.end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  double n = static_cast<double>(values.size());
  double rank = q * (n - 1);
  double lower = std::max(0.0, std::floor(rank));
  double upper = std::min(n - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) + values[static_cast<size_t>(upper)] * weight;
}

}  // namespace tsdb::promql::internal
