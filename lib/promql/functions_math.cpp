// Element-wise functions of one instant vector (abs, exp, trig, round,
// clamp, ...), the date functions, and the scalar-valued pi, time, scalar,
// vector, min_of and max_of. Each float sample maps to one output sample with
// the same labels and drop_name flag, at the step's time; histogram samples
// are skipped, as Prometheus's simpleFloatFunc skips them.
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include "promql/functions_internal.h"

namespace tsdb::promql::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename F>
Status Map(std::span<const ArgValue> args, Vector& out, const FunctionContext& ctx, F f) {
  if (args.empty() || args[0].vector == nullptr) return Status::OK();
  for (const Sample& s : *args[0].vector) {
    if (s.histogram) continue;
    out.push_back(Sample{s.metric, ctx.ts, f(s.f), nullptr, s.drop_name});
  }
  return Status::OK();
}

// Go's math.Max and math.Min: an infinity wins over NaN, NaN over numbers,
// and +0 is greater than -0.
double GoMax(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

double GoMin(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

double ScalarArg(std::span<const ArgValue> args, size_t i, double fallback) {
  return i < args.size() ? args[i].scalar : fallback;
}

Status ClampTo(std::span<const ArgValue> args, Vector& out, const FunctionContext& ctx, double lo, double hi) {
  if (hi < lo) return Status::OK();  // an empty result, not an error
  return Map(args, out, ctx, [&](double v) { return GoMax(lo, GoMin(hi, v)); });
}

// A civil date in UTC.
struct Date {
  int64_t year;
  int month;         // 1..12
  int day;           // 1..31
  int weekday;       // 0 = Sunday
  int day_of_year;   // 1..366
  int hour, minute;
};

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysIn(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Howard Hinnant's civil_from_days, on Unix seconds.
Date DateOf(int64_t unix_seconds) {
  int64_t days = FloorDiv(unix_seconds, 86400);
  // The remainder directly: days * 86400 overflows for the earliest times
  // (GoInt64 of NaN or -Inf is the minimum int64).
  int64_t secs = unix_seconds % 86400;
  if (secs < 0) secs += 86400;
  Date d{};
  d.hour = static_cast<int>(secs / 3600);
  d.minute = static_cast<int>(secs % 3600 / 60);
  d.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  int64_t z = days + 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  d.year = yoe + era * 400 + (d.month <= 2 ? 1 : 0);
  d.day_of_year = d.day;
  for (int m = 1; m < d.month; ++m) d.day_of_year += DaysIn(d.year, m);
  return d;
}

// Go's int64(f) on amd64: truncation, and the minimum int64 for NaN and
// values out of range.
int64_t GoInt64(double f) {
  if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(f);
}

// The date functions take a vector of Unix times in seconds, or, without an
// argument, the step's time (vector(time())) as one sample with no labels.
template <typename F>
Status DateFn(std::span<const ArgValue> args, Vector& out, const FunctionContext& ctx, F f) {
  if (args.empty()) {
    out.push_back(Sample{Labels(), ctx.ts, static_cast<double>(f(DateOf(ctx.ts / 1000))), nullptr, false});
    return Status::OK();
  }
  return Map(args, out, ctx, [&](double v) { return static_cast<double>(f(DateOf(GoInt64(v)))); });
}

void PushScalar(Vector& out, const FunctionContext& ctx, double v) {
  out.push_back(Sample{Labels(), ctx.ts, v, nullptr, false});
}

}  // namespace

#define TSDB_PROMQL_SIMPLE(name, expr)                                                   \
  Status name(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {       \
    return Map(args, out, ctx, [](double v) { return expr; });                           \
  }

TSDB_PROMQL_SIMPLE(Abs, std::fabs(v))
TSDB_PROMQL_SIMPLE(Ceil, std::ceil(v))
TSDB_PROMQL_SIMPLE(Floor, std::floor(v))
TSDB_PROMQL_SIMPLE(Exp, std::exp(v))
TSDB_PROMQL_SIMPLE(Ln, std::log(v))
TSDB_PROMQL_SIMPLE(Log2, std::log2(v))
TSDB_PROMQL_SIMPLE(Log10, std::log10(v))
TSDB_PROMQL_SIMPLE(Sqrt, std::sqrt(v))
TSDB_PROMQL_SIMPLE(Sin, std::sin(v))
TSDB_PROMQL_SIMPLE(Cos, std::cos(v))
TSDB_PROMQL_SIMPLE(Tan, std::tan(v))
TSDB_PROMQL_SIMPLE(Asin, std::asin(v))
TSDB_PROMQL_SIMPLE(Acos, std::acos(v))
TSDB_PROMQL_SIMPLE(Atan, std::atan(v))
TSDB_PROMQL_SIMPLE(Sinh, std::sinh(v))
TSDB_PROMQL_SIMPLE(Cosh, std::cosh(v))
TSDB_PROMQL_SIMPLE(Tanh, std::tanh(v))
TSDB_PROMQL_SIMPLE(Asinh, std::asinh(v))
TSDB_PROMQL_SIMPLE(Acosh, std::acosh(v))
TSDB_PROMQL_SIMPLE(Atanh, std::atanh(v))
// In Prometheus's order of operations: (v * 180) / π, (v * π) / 180.
TSDB_PROMQL_SIMPLE(Deg, v * 180 / std::numbers::pi)
TSDB_PROMQL_SIMPLE(Rad, v * std::numbers::pi / 180)
// Zero and NaN map to themselves (so -0 stays -0).
TSDB_PROMQL_SIMPLE(Sgn, v < 0 ? -1.0 : (v > 0 ? 1.0 : v))
#undef TSDB_PROMQL_SIMPLE

Status Round(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  // Multiplying by the inverse shows fewer floating-point artifacts than
  // dividing by to_nearest (round(x, 0.1)); ties round up.
  const double inverse = 1.0 / ScalarArg(args, 1, 1.0);
  return Map(args, out, ctx, [&](double v) { return std::floor(v * inverse + 0.5) / inverse; });
}

Status Clamp(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return ClampTo(args, out, ctx, ScalarArg(args, 1, -kInf), ScalarArg(args, 2, kInf));
}

Status ClampMin(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return ClampTo(args, out, ctx, ScalarArg(args, 1, -kInf), kInf);
}

Status ClampMax(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return ClampTo(args, out, ctx, -kInf, ScalarArg(args, 1, kInf));
}

Status Minute(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return DateFn(args, out, ctx, [](const Date& d) { return d.minute; });
}
Status Hour(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return DateFn(args, out, ctx, [](const Date& d) { return d.hour; });
}
Status DayOfWeek(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return DateFn(args, out, ctx, [](const Date& d) { return d.weekday; });
}
Status DayOfMonth(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return DateFn(args, out, ctx, [](const Date& d) { return d.day; });
}
Status DayOfYear(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return DateFn(args, out, ctx, [](const Date& d) { return d.day_of_year; });
}
Status DaysInMonth(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return DateFn(args, out, ctx, [](const Date& d) { return DaysIn(d.year, d.month); });
}
Status Month(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return DateFn(args, out, ctx, [](const Date& d) { return d.month; });
}
Status Year(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return DateFn(args, out, ctx, [](const Date& d) { return d.year; });
}

Status Pi(std::span<const ArgValue>, Vector& out, FunctionContext& ctx) {
  PushScalar(out, ctx, std::numbers::pi);
  return Status::OK();
}

Status Time(std::span<const ArgValue>, Vector& out, FunctionContext& ctx) {
  PushScalar(out, ctx, static_cast<double>(ctx.ts) / 1000);
  return Status::OK();
}

Status VectorFn(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  PushScalar(out, ctx, ScalarArg(args, 0, kNaN));
  return Status::OK();
}

// The value of the only float sample; NaN for none or several.
Status ScalarFn(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  double value = kNaN;
  int found = 0;
  if (!args.empty() && args[0].vector) {
    for (const Sample& s : *args[0].vector) {
      if (s.histogram) continue;
      if (++found == 1) value = s.f;
    }
  }
  PushScalar(out, ctx, found == 1 ? value : kNaN);
  return Status::OK();
}

Status MinOf(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  PushScalar(out, ctx, GoMin(ScalarArg(args, 0, kNaN), ScalarArg(args, 1, kNaN)));
  return Status::OK();
}

Status MaxOf(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  PushScalar(out, ctx, GoMax(ScalarArg(args, 0, kNaN), ScalarArg(args, 1, kNaN)));
  return Status::OK();
}

// histogram_count, histogram_sum, histogram_avg, histogram_stddev and
// histogram_stdvar read native histograms only; float samples give nothing.
Status NativeHistogramOnly(std::span<const ArgValue>, Vector&, FunctionContext&) { return Status::OK(); }

}  // namespace tsdb::promql::internal
