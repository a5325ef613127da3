// histogram_quantile, histogram_quantiles and histogram_fraction over
// classic histograms: float series with an "le" label, one per bucket,
// grouped into histograms by their other labels. Ported from Prometheus's
// promql/quantile.go (BucketQuantile, BucketFraction) and the grouping of
// engine.go's resetHistograms, with delayed name removal (so __name__ is part
// of a histogram's identity and of the result's labels, dropped later).
// Native histograms are not stored yet and give nothing.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <map>

#include "model/quoting.h"
#include "promql/functions_internal.h"

namespace tsdb::promql::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::string_view kBucketLabel = "le";
// Relative differences between neighbouring buckets below this are taken
// for floating-point noise (from query sharding, say) and evened out
// silently in either direction.
constexpr double kSmallDeltaTolerance = 1e-12;

bool EqualFoldPrefix(std::string_view s, std::string_view word) {
  if (s.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != word[i]) return false;
  }
  return true;
}

// Go's strconv.ParseFloat(s, 64), without underscores: decimal and hex
// (with a 'p' exponent) floats, [+-]Inf[inity] and NaN in any case. An
// overflow is an error, as in Go.
std::optional<double> ParseGoFloat(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string_view rest = s;
  double sign = 1;
  if (rest[0] == '+' || rest[0] == '-') {
    if (rest[0] == '-') sign = -1;
    rest.remove_prefix(1);
  }
  if ((rest.size() == 3 || rest.size() == 8) && EqualFoldPrefix(rest, rest.size() == 3 ? "inf" : "infinity")) {
    return sign * kInf;
  }
  if (s.size() == 3 && EqualFoldPrefix(s, "nan")) return kNaN;
  bool hex = rest.size() >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X');
  bool has_p = false;
  for (char c : rest) {
    bool ok = (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' ||
              (hex ? (std::isxdigit(static_cast<unsigned char>(c)) || c == 'x' || c == 'X' || c == 'p' || c == 'P')
                   : (c == 'e' || c == 'E'));
    if (!ok) return std::nullopt;
    if (c == 'p' || c == 'P') has_p = true;
  }
  if (hex && !has_p) return std::nullopt;  // Go: a hex mantissa needs a 'p' exponent
  std::string copy(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  if (errno == ERANGE && std::isinf(v)) return std::nullopt;
  return v;
}

// Go's time.Unix(ms/1000, 0).UTC().Format(time.RFC3339).
std::string FormatRFC3339(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// labels.FormatOpenMetricsFloat: "1.0", "0.5", "1e-05", "NaN", "+Inf".
std::string FormatOpenMetricsFloat(double f) {
  if (f == 1) return "1.0";
  if (f == 0) return "0.0";
  if (f == -1) return "-1.0";
  std::string s = GoFormatG(f);
  if (std::isnan(f) || std::isinf(f) || s.find_first_of("e.") != std::string::npos) return s;
  return s + ".0";
}

std::string WithMetricName(std::string msg, std::string_view name) {
  if (name.empty()) return msg;
  return msg + " for metric name " + GoQuote(name);
}

struct ClassicHistogram {
  Labels metric;  // the first bucket's labels without "le"
  std::vector<Bucket> buckets;
};

// Groups the float samples of `v` into classic histograms, in the order
// their first bucket appears; warns (at argument `arg`) about samples whose
// "le" is missing or not a number, and skips them.
std::vector<ClassicHistogram> GroupBuckets(const Vector& v, FunctionContext& ctx, int arg) {
  std::vector<ClassicHistogram> groups;
  std::map<Labels, size_t> index;
  LabelsBuilder builder;
  for (const Sample& s : v) {
    if (s.histogram) continue;  // native histograms: not supported yet
    std::string_view le = s.metric.Get(kBucketLabel);
    std::optional<double> upper = ParseGoFloat(le);
    if (!upper) {
      AddWarning(ctx,
                 WithMetricName("bucket label \"le\" is missing or has a malformed value of " + GoQuote(le),
                                s.metric.MetricName()),
                 arg);
      continue;
    }
    builder.Reset(s.metric);
    builder.Del(kBucketLabel);
    Labels key = builder.Build();
    auto [it, inserted] = index.emplace(std::move(key), groups.size());
    if (inserted) groups.push_back(ClassicHistogram{it->first, {}});
    groups[it->second].buckets.push_back(Bucket{*upper, s.f});
  }
  return groups;
}

void SortBuckets(std::vector<Bucket>& buckets) {
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
}

// Merges buckets with the same upper bound ("1" and "1.0"); sorted input.
void CoalesceBuckets(std::vector<Bucket>& buckets) {
  Bucket last = buckets[0];
  size_t i = 0;
  for (size_t j = 1; j < buckets.size(); ++j) {
    if (buckets[j].upper_bound == last.upper_bound) {
      last.count += buckets[j].count;
    } else {
      buckets[i++] = last;
      last = buckets[j];
    }
  }
  buckets[i] = last;
  buckets.resize(i + 1);
}

// Prometheus's almost.Equal (no staleness markers reach functions).
bool AlmostEqual(double a, double b, double epsilon) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  const double min_normal = std::numeric_limits<double>::min();
  double abs_sum = std::fabs(a) + std::fabs(b);
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < min_normal) return diff < epsilon * min_normal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < epsilon;
}

// Counts must not decrease with the upper bound; scrapes racing rule
// evaluation or federation break that. Evens out tiny differences, then
// removes decreases, reporting where.
void EnsureMonotonic(std::vector<Bucket>& buckets, BucketQuantileResult& r) {
  r.min_bucket = kInf;
  r.max_bucket = -kInf;
  double prev = buckets[0].count;
  for (size_t i = 1; i < buckets.size(); ++i) {
    double curr = buckets[i].count;
    if (curr == prev) continue;
    if (AlmostEqual(prev, curr, kSmallDeltaTolerance)) {
      buckets[i].count = prev;
      continue;
    }
    if (curr < prev) {
      buckets[i].count = prev;
      r.forced_monotonic = true;
      r.min_bucket = std::min(r.min_bucket, buckets[i].upper_bound);
      r.max_bucket = std::max(r.max_bucket, buckets[i].upper_bound);
      r.max_diff = std::max(r.max_diff, prev - curr);
      continue;
    }
    prev = curr;
  }
}

void ForcedMonotonicityInfo(FunctionContext& ctx, const ClassicHistogram& h, const BucketQuantileResult& r, int arg) {
  std::string msg = WithMetricName(
      "input to histogram_quantile needed to be fixed for monotonicity (see "
      "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)",
      h.metric.MetricName());
  std::string when = FormatRFC3339(ctx.ts);
  msg += ", from buckets " + GoFormatG(r.min_bucket) + " to " + GoFormatG(r.max_bucket) + ", with a max diff of " +
         GoFormatG(r.max_diff, 2) + ", over 1 samples from " + when + " to " + when;
  AddInfo(ctx, std::move(msg), arg);
}

void WarnIfInvalidQuantile(FunctionContext& ctx, double q, int arg) {
  if (std::isnan(q) || q < 0 || q > 1) {
    AddWarning(ctx, "quantile value should be between 0 and 1, got " + GoFormatG(q), arg);
  }
}

const Vector& VectorAt(std::span<const ArgValue> args, size_t i) {
  static const Vector kEmpty;
  return i < args.size() && args[i].vector ? *args[i].vector : kEmpty;
}

}  // namespace

BucketQuantileResult BucketQuantile(double q, std::vector<Bucket>& buckets) {
  BucketQuantileResult r{kNaN};
  if (std::isnan(q)) return r;
  if (q < 0) return {-kInf};
  if (q > 1) return {kInf};
  if (buckets.empty()) return r;
  SortBuckets(buckets);
  if (!std::isinf(buckets.back().upper_bound) || buckets.back().upper_bound < 0) return r;
  CoalesceBuckets(buckets);
  EnsureMonotonic(buckets, r);
  if (buckets.size() < 2) return r;
  double observations = buckets.back().count;
  if (observations == 0) return r;
  double rank = q * observations;
  // The first bucket (but the +Inf one) whose count reaches the rank.
  size_t b = static_cast<size_t>(
      std::partition_point(buckets.begin(), buckets.end() - 1, [&](const Bucket& x) { return !(x.count >= rank); }) -
      buckets.begin());
  if (b == buckets.size() - 1) {
    // In the +Inf bucket: the highest finite bound is the best guess.
    r.quantile = buckets[buckets.size() - 2].upper_bound;
  } else if (b == 0 && buckets[0].upper_bound <= 0) {
    r.quantile = buckets[0].upper_bound;
  } else {
    // Linear interpolation inside the bucket, from 0 for the first one.
    double start = 0, end = buckets[b].upper_bound, count = buckets[b].count;
    if (b > 0) {
      start = buckets[b - 1].upper_bound;
      count -= buckets[b - 1].count;
      rank -= buckets[b - 1].count;
    }
    r.quantile = start + (end - start) * (rank / count);
  }
  return r;
}

double BucketFraction(double lower, double upper, std::vector<Bucket>& buckets) {
  if (buckets.empty()) return kNaN;
  SortBuckets(buckets);
  if (!std::isinf(buckets.back().upper_bound) || buckets.back().upper_bound < 0) return kNaN;
  CoalesceBuckets(buckets);
  double count = buckets.back().count;
  if (count == 0 || std::isnan(lower) || std::isnan(upper)) return kNaN;
  if (lower >= upper) return 0;
  double rank = 0, lower_rank = 0, upper_rank = 0;
  bool lower_set = false, upper_set = false;
  // Only positive buckets: the first one starts at 0, else at -Inf.
  double lower_bound = buckets[0].upper_bound <= 0 ? -kInf : 0.0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    const Bucket& b = buckets[i];
    if (i > 0) lower_bound = buckets[i - 1].upper_bound;
    const double upper_bound = b.upper_bound;
    // Infinite-width buckets contribute nothing inside them.
    auto interpolate = [&](double v) {
      if (lower_bound == -kInf) return b.count;
      return rank + (b.count - rank) * (v - lower_bound) / (upper_bound - lower_bound);
    };
    if (!lower_set && lower_bound >= lower) {
      lower_rank = rank;
      lower_set = true;
    }
    if (!upper_set && lower_bound >= upper) {
      upper_rank = rank;
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    if (!lower_set && lower_bound < lower && upper_bound > lower) {
      lower_rank = interpolate(lower);
      lower_set = true;
    }
    if (!upper_set && lower_bound < upper && upper_bound > upper) {
      upper_rank = interpolate(upper);
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    rank = b.count;
  }
  if (!lower_set || lower_rank > count) lower_rank = count;
  if (!upper_set || upper_rank > count) upper_rank = count;
  return (upper_rank - lower_rank) / count;
}

Status HistogramQuantile(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  if (args.size() < 2) return Status::OK();
  const double q = args[0].scalar;
  WarnIfInvalidQuantile(ctx, q, 0);
  for (ClassicHistogram& h : GroupBuckets(VectorAt(args, 1), ctx, 1)) {
    BucketQuantileResult r = BucketQuantile(q, h.buckets);
    if (r.forced_monotonic) ForcedMonotonicityInfo(ctx, h, r, 1);
    out.push_back(Sample{std::move(h.metric), ctx.ts, r.quantile, nullptr, true});
  }
  return Status::OK();
}

// histogram_quantiles(v, "label", q0, q1, ...): one result per histogram and
// quantile, the quantile in the named label.
Status HistogramQuantiles(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  if (args.size() < 3) return Status::OK();
  const std::string_view label = args[1].string;
  std::vector<double> qs;
  for (size_t i = 2; i < args.size(); ++i) {
    qs.push_back(args[i].scalar);
    WarnIfInvalidQuantile(ctx, args[i].scalar, static_cast<int>(i));
  }
  std::vector<ClassicHistogram> groups = GroupBuckets(VectorAt(args, 0), ctx, 0);
  LabelsBuilder builder;
  for (double q : qs) {
    for (const ClassicHistogram& h : groups) {
      std::vector<Bucket> buckets = h.buckets;
      BucketQuantileResult r = BucketQuantile(q, buckets);
      if (r.forced_monotonic) ForcedMonotonicityInfo(ctx, h, r, 0);
      builder.Reset(h.metric);
      builder.Set(label, FormatOpenMetricsFloat(q));
      out.push_back(Sample{builder.Build(), ctx.ts, r.quantile, nullptr, true});
    }
  }
  return Status::OK();
}

Status HistogramFraction(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  if (args.size() < 3) return Status::OK();
  const double lower = args[0].scalar, upper = args[1].scalar;
  for (ClassicHistogram& h : GroupBuckets(VectorAt(args, 2), ctx, 2)) {
    out.push_back(Sample{std::move(h.metric), ctx.ts, BucketFraction(lower, upper, h.buckets), nullptr, true});
  }
  return Status::OK();
}

}  // namespace tsdb::promql::internal
