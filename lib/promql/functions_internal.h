// Internals of the function table shared by lib/promql/functions*.cpp and the
// unit tests; the engine uses only functions.h.
//
// Each family file (functions_range.cpp, functions_math.cpp,
// functions_labels.cpp, functions_histogram.cpp) defines the implementations
// declared here; functions.cpp lists them in the table. The helpers format
// annotations the way Prometheus's util/annotations package prints them.
#pragma once

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "promql/functions.h"

namespace tsdb::promql::internal {

// "MSG (L:C)" with the position of the call's argument `arg`, or of the whole
// call when `arg` is negative; just "MSG" when the query text or the call is
// unknown (Prometheus leaves the position out when it has no query).
std::string WithPosition(const FunctionContext& ctx, std::string msg, int arg);
void AddWarning(FunctionContext& ctx, std::string msg, int arg);
void AddInfo(FunctionContext& ctx, std::string msg, int arg);

// Go's fmt %g (prec < 0: shortest; else %.<prec>g): 1e+06, 0.001, NaN, +Inf.
std::string GoFormatG(double v, int prec = -1);
// Go's fmt %f: six decimals, NaN, +Inf, -Inf.
std::string GoFormatF(double v);

// Kahan-Babuska-Neumaier step, Prometheus's kahansum.Inc.
inline void KahanInc(double inc, double& sum, double& c) {
  double t = sum + inc;
  if (std::isinf(t)) {
    c = 0;
  } else if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  sum = t;
}

// Prometheus's quantile(): sorts `values`; NaN for none or q NaN, -Inf for
// q < 0, +Inf for q > 1, else linear interpolation between closest ranks.
double Quantile(double q, std::span<double> values);

// One bucket of a classic histogram ("le" upper bound, cumulative count).
struct Bucket {
  double upper_bound;
  double count;
};
struct BucketQuantileResult {
  double quantile;
  bool forced_monotonic = false;
  double min_bucket = 0, max_bucket = 0, max_diff = 0;  // where monotonicity was forced
};
// Prometheus's BucketQuantile; sorts and may edit `buckets`.
BucketQuantileResult BucketQuantile(double q, std::vector<Bucket>& buckets);
// Prometheus's BucketFraction; sorts and may edit `buckets`.
double BucketFraction(double lower, double upper, std::vector<Bucket>& buckets);

// Range functions (RangeFn).
std::optional<double> Rate(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> Increase(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> Delta(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> Irate(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> Idelta(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> Deriv(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> PredictLinear(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> Resets(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> Changes(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> AvgOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> MinOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> MaxOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> SumOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> CountOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> StddevOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> StdvarOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> QuantileOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> LastOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> FirstOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> MadOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> PresentOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> TsOfMinOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> TsOfMaxOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> TsOfLastOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> TsOfFirstOverTime(const RangeWindow& w, std::span<const double> s, FunctionContext& ctx);
std::optional<double> DoubleExponentialSmoothing(const RangeWindow& w, std::span<const double> s,
                                                 FunctionContext& ctx);

// Instant functions (InstantFn), math family.
#define TSDB_PROMQL_INSTANT_FN(name) Status name(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx)
TSDB_PROMQL_INSTANT_FN(Abs);
TSDB_PROMQL_INSTANT_FN(Ceil);
TSDB_PROMQL_INSTANT_FN(Floor);
TSDB_PROMQL_INSTANT_FN(Exp);
TSDB_PROMQL_INSTANT_FN(Ln);
TSDB_PROMQL_INSTANT_FN(Log2);
TSDB_PROMQL_INSTANT_FN(Log10);
TSDB_PROMQL_INSTANT_FN(Sqrt);
TSDB_PROMQL_INSTANT_FN(Sgn);
TSDB_PROMQL_INSTANT_FN(Round);
TSDB_PROMQL_INSTANT_FN(Clamp);
TSDB_PROMQL_INSTANT_FN(ClampMin);
TSDB_PROMQL_INSTANT_FN(ClampMax);
TSDB_PROMQL_INSTANT_FN(Sin);
TSDB_PROMQL_INSTANT_FN(Cos);
TSDB_PROMQL_INSTANT_FN(Tan);
TSDB_PROMQL_INSTANT_FN(Asin);
TSDB_PROMQL_INSTANT_FN(Acos);
TSDB_PROMQL_INSTANT_FN(Atan);
TSDB_PROMQL_INSTANT_FN(Sinh);
TSDB_PROMQL_INSTANT_FN(Cosh);
TSDB_PROMQL_INSTANT_FN(Tanh);
TSDB_PROMQL_INSTANT_FN(Asinh);
TSDB_PROMQL_INSTANT_FN(Acosh);
TSDB_PROMQL_INSTANT_FN(Atanh);
TSDB_PROMQL_INSTANT_FN(Deg);
TSDB_PROMQL_INSTANT_FN(Rad);
TSDB_PROMQL_INSTANT_FN(Minute);
TSDB_PROMQL_INSTANT_FN(Hour);
TSDB_PROMQL_INSTANT_FN(DayOfWeek);
TSDB_PROMQL_INSTANT_FN(DayOfMonth);
TSDB_PROMQL_INSTANT_FN(DayOfYear);
TSDB_PROMQL_INSTANT_FN(DaysInMonth);
TSDB_PROMQL_INSTANT_FN(Month);
TSDB_PROMQL_INSTANT_FN(Year);
TSDB_PROMQL_INSTANT_FN(Pi);
TSDB_PROMQL_INSTANT_FN(Time);
TSDB_PROMQL_INSTANT_FN(VectorFn);
TSDB_PROMQL_INSTANT_FN(ScalarFn);
TSDB_PROMQL_INSTANT_FN(MinOf);
TSDB_PROMQL_INSTANT_FN(MaxOf);
TSDB_PROMQL_INSTANT_FN(NativeHistogramOnly);  // histogram_count, _sum, _avg, _stddev, _stdvar

// Labels and sorting.
TSDB_PROMQL_INSTANT_FN(LabelReplace);
TSDB_PROMQL_INSTANT_FN(LabelJoin);
TSDB_PROMQL_INSTANT_FN(Sort);
TSDB_PROMQL_INSTANT_FN(SortDesc);
TSDB_PROMQL_INSTANT_FN(SortByLabel);
TSDB_PROMQL_INSTANT_FN(SortByLabelDesc);
// facette/natsort's Compare: true when a sorts before b.
bool NaturalLess(std::string_view a, std::string_view b);

// Classic histograms.
TSDB_PROMQL_INSTANT_FN(HistogramQuantile);
TSDB_PROMQL_INSTANT_FN(HistogramQuantiles);
TSDB_PROMQL_INSTANT_FN(HistogramFraction);
#undef TSDB_PROMQL_INSTANT_FN

}  // namespace tsdb::promql::internal
