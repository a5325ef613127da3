// The function table (Prometheus's parser.Functions joined with
// promql.FunctionCalls), and the annotation formatting the implementations
// share.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "promql/functions.h"
#include "promql/functions_internal.h"

namespace tsdb::promql {
namespace {

using internal::Bucket;
constexpr ValueType V = ValueType::kVector;
constexpr ValueType M = ValueType::kMatrix;
constexpr ValueType S = ValueType::kScalar;
constexpr ValueType Str = ValueType::kString;
constexpr std::string_view kExperimental = "promql-experimental-functions";

FunctionInfo Instant(std::string_view name, std::vector<ValueType> args, InstantFn fn, int variadic = 0) {
  return FunctionInfo{name, std::move(args), variadic, V, "", true, nullptr, fn};
}
FunctionInfo Range(std::string_view name, std::vector<ValueType> args, RangeFn fn) {
  return FunctionInfo{name, std::move(args), 0, V, "", true, fn, nullptr};
}
FunctionInfo Experimental(FunctionInfo f) {
  f.feature = kExperimental;
  return f;
}
FunctionInfo KeepsName(FunctionInfo f) {
  f.drops_name = false;
  return f;
}
FunctionInfo FromWindowSums(FunctionInfo f, FunctionInfo::WindowSum kind) {
  f.window_sum = kind;
  return f;
}
FunctionInfo ReturnsScalar(FunctionInfo f) {
  f.return_type = S;
  return f;
}
// An entry without implementation: the engine evaluates it by name.
FunctionInfo ByName(std::string_view name, std::vector<ValueType> args, ValueType ret, int variadic = 0) {
  return FunctionInfo{name, std::move(args), variadic, ret, "", true, nullptr, nullptr};
}

// Sorted by name, for LookupFunction's binary search.
//
// Functions the engine evaluates by name (no implementation here):
// - absent(v): no sample in v -> one sample of value 1 whose labels are the
//   argument's equality matchers (a VectorSelector or a MatrixSelector's;
//   __name__ skipped; a name matched twice, or by a non-equality matcher,
//   left out); anything but a selector -> empty labels.
// - absent_over_time(m): as absent, for the steps at which no series of the
//   range selector has a point in its window.
// - timestamp(v): each float sample's own timestamp in seconds (t / 1000),
//   not the step time; drops the name. With @ or offset, the sample's time as
//   the selector looked it up.
// - start(), end(), range(), step() (experimental): the query's start, end,
//   end - start and step in seconds; Prometheus folds them into number
//   literals before evaluation.
// - start_timestamp(v) (experimental): samples' start timestamps, which this
//   project does not store: always empty.
// - info(v, [selector]) (experimental): adds the data labels of info series
//   (target_info by default) joined on instance and job; the engine
//   evaluates it (engine_info.cpp).
// pi, time, vector and scalar are implemented here as InstantFns (scalar
// results as one sample with empty labels), but the engine may as well
// evaluate them itself.
// Range functions keep the input series' drop_name (a subquery over abs(x)
// must drop the name even under last_over_time).
const std::vector<FunctionInfo>& Table() {
  using namespace internal;  // NOLINT: the implementations
  static const std::vector<FunctionInfo> table = [] {
    std::vector<FunctionInfo> t = {
        Instant("abs", {V}, Abs),
        KeepsName(ByName("absent", {V}, V)),
        KeepsName(ByName("absent_over_time", {M}, V)),
        Instant("acos", {V}, Acos),
        Instant("acosh", {V}, Acosh),
        Instant("asin", {V}, Asin),
        Instant("asinh", {V}, Asinh),
        Instant("atan", {V}, Atan),
        Instant("atanh", {V}, Atanh),
        FromWindowSums(Range("avg_over_time", {M}, AvgOverTime), FunctionInfo::WindowSum::kAvg),
        Instant("ceil", {V}, Ceil),
        Range("changes", {M}, Changes),
        Instant("clamp", {V, S, S}, Clamp),
        Instant("clamp_max", {V, S}, ClampMax),
        Instant("clamp_min", {V, S}, ClampMin),
        Instant("cos", {V}, Cos),
        Instant("cosh", {V}, Cosh),
        Range("count_over_time", {M}, CountOverTime),
        Instant("day_of_month", {V}, DayOfMonth, 1),
        Instant("day_of_week", {V}, DayOfWeek, 1),
        Instant("day_of_year", {V}, DayOfYear, 1),
        Instant("days_in_month", {V}, DaysInMonth, 1),
        Instant("deg", {V}, Deg),
        Range("delta", {M}, Delta),
        Range("deriv", {M}, Deriv),
        Experimental(Range("double_exponential_smoothing", {M, S, S}, DoubleExponentialSmoothing)),
        Experimental(ByName("end", {}, S)),
        Instant("exp", {V}, Exp),
        KeepsName(Range("first_over_time", {M}, FirstOverTime)),
        Instant("floor", {V}, Floor),
        Instant("histogram_avg", {V}, NativeHistogramOnly),
        Instant("histogram_count", {V}, NativeHistogramOnly),
        Instant("histogram_fraction", {S, S, V}, HistogramFraction),
        Instant("histogram_quantile", {S, V}, HistogramQuantile),
        // Prometheus: (vector, label, q0, up to 9 more q): the last 9 optional.
        Experimental(Instant("histogram_quantiles", {V, Str, S, S, S, S, S, S, S, S, S, S}, HistogramQuantiles, 9)),
        Instant("histogram_stddev", {V}, NativeHistogramOnly),
        Instant("histogram_stdvar", {V}, NativeHistogramOnly),
        Instant("histogram_sum", {V}, NativeHistogramOnly),
        Instant("hour", {V}, Hour, 1),
        Range("idelta", {M}, Idelta),
        Range("increase", {M}, Increase),
        Experimental(KeepsName(ByName("info", {V, V}, V, 1))),
        Range("irate", {M}, Irate),
        KeepsName(Instant("label_join", {V, Str, Str, Str}, LabelJoin, -1)),
        KeepsName(Instant("label_replace", {V, Str, Str, Str, Str}, LabelReplace)),
        KeepsName(Range("last_over_time", {M}, LastOverTime)),
        Instant("ln", {V}, Ln),
        Instant("log10", {V}, Log10),
        Instant("log2", {V}, Log2),
        Experimental(Range("mad_over_time", {M}, MadOverTime)),
        Experimental(ReturnsScalar(Instant("max_of", {S, S}, MaxOf))),
        Range("max_over_time", {M}, MaxOverTime),
        Experimental(ReturnsScalar(Instant("min_of", {S, S}, MinOf))),
        Range("min_over_time", {M}, MinOverTime),
        Instant("minute", {V}, Minute, 1),
        Instant("month", {V}, Month, 1),
        ReturnsScalar(Instant("pi", {}, Pi)),
        Range("predict_linear", {M, S}, PredictLinear),
        Range("present_over_time", {M}, PresentOverTime),
        Range("quantile_over_time", {S, M}, QuantileOverTime),
        Instant("rad", {V}, Rad),
        Experimental(ByName("range", {}, S)),
        Range("rate", {M}, Rate),
        Range("resets", {M}, Resets),
        Instant("round", {V, S}, Round, 1),
        ReturnsScalar(Instant("scalar", {V}, ScalarFn)),
        Instant("sgn", {V}, Sgn),
        Instant("sin", {V}, Sin),
        Instant("sinh", {V}, Sinh),
        KeepsName(Instant("sort", {V}, Sort)),
        Experimental(KeepsName(Instant("sort_by_label", {V, Str}, SortByLabel, -1))),
        Experimental(KeepsName(Instant("sort_by_label_desc", {V, Str}, SortByLabelDesc, -1))),
        KeepsName(Instant("sort_desc", {V}, SortDesc)),
        Instant("sqrt", {V}, Sqrt),
        Experimental(ByName("start", {}, S)),
        Experimental(ByName("start_timestamp", {V}, V)),
        Range("stddev_over_time", {M}, StddevOverTime),
        Range("stdvar_over_time", {M}, StdvarOverTime),
        Experimental(ByName("step", {}, S)),
        FromWindowSums(Range("sum_over_time", {M}, SumOverTime), FunctionInfo::WindowSum::kSum),
        Instant("tan", {V}, Tan),
        Instant("tanh", {V}, Tanh),
        ReturnsScalar(Instant("time", {}, Time)),
        ByName("timestamp", {V}, V),
        Experimental(Range("ts_of_first_over_time", {M}, TsOfFirstOverTime)),
        Experimental(Range("ts_of_last_over_time", {M}, TsOfLastOverTime)),
        Experimental(Range("ts_of_max_over_time", {M}, TsOfMaxOverTime)),
        Experimental(Range("ts_of_min_over_time", {M}, TsOfMinOverTime)),
        KeepsName(Instant("vector", {S}, VectorFn)),
        Instant("year", {V}, Year, 1),
    };
    std::sort(t.begin(), t.end(), [](const FunctionInfo& a, const FunctionInfo& b) { return a.name < b.name; });
    return t;
  }();
  return table;
}

}  // namespace

const FunctionInfo* LookupFunction(std::string_view name) {
  const auto& t = Table();
  auto it = std::lower_bound(t.begin(), t.end(), name,
                             [](const FunctionInfo& f, std::string_view n) { return f.name < n; });
  if (it == t.end() || it->name != name) return nullptr;
  return &*it;
}

std::span<const FunctionInfo> AllFunctions() { return Table(); }

// Prometheus's PositionRange.StartPosInput: lines counted by '\n', the column
// in bytes from 1.
std::string FormatPosition(std::string_view query, PosRange pos) {
  if (query.empty()) return "(unknown position)";
  if (pos.start < 0 || static_cast<size_t>(pos.start) > query.size()) return "(invalid position)";
  int line = 1;
  int last_break = -1;
  for (int i = 0; i < pos.start; ++i) {
    if (query[static_cast<size_t>(i)] == '\n') {
      last_break = i;
      ++line;
    }
  }
  return "(" + std::to_string(line) + ":" + std::to_string(pos.start - last_break) + ")";
}

namespace internal {

std::string WithPosition(const FunctionContext& ctx, std::string msg, int arg) {
  if (ctx.query.empty() || ctx.call == nullptr) return msg;
  PosRange pos = ctx.call->pos;
  if (arg >= 0 && static_cast<size_t>(arg) < ctx.call->args.size() && ctx.call->args[static_cast<size_t>(arg)]) {
    pos = ctx.call->args[static_cast<size_t>(arg)]->pos;
  }
  return msg + " " + FormatPosition(ctx.query, pos);
}

void AddWarning(FunctionContext& ctx, std::string msg, int arg) {
  if (ctx.annotations) ctx.annotations->AddWarning(WithPosition(ctx, "PromQL warning: " + std::move(msg), arg));
}

void AddInfo(FunctionContext& ctx, std::string msg, int arg) {
  if (ctx.annotations) ctx.annotations->AddInfo(WithPosition(ctx, "PromQL info: " + std::move(msg), arg));
}

// strconv's 'g' format: decimal digits from the shortest (or prec-digit)
// scientific form, then %e style when the exponent is < -4 or >= the
// precision (6 for shortest), %f style otherwise, never trailing zeros.
std::string GoFormatG(double v, int prec) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (prec == 0) prec = 1;
  char buf[64];
  int n = 0;
  if (prec < 0) {
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    n = static_cast<int>(r.ptr - buf);
  } else {
    n = std::snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
  }
  std::string_view s(buf, static_cast<size_t>(n));
  std::string out;
  if (s[0] == '-') {
    out.push_back('-');
    s.remove_prefix(1);
  }
  size_t e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (digits == "0") exp = 0;
  int nd = static_cast<int>(digits.size());
  int dp = exp + 1;
  int eprec = prec;
  if (prec < 0) {
    eprec = 6;
  } else if (eprec > nd && nd >= dp) {
    eprec = nd;
  }
  if (exp < -4 || exp >= eprec) {
    out.push_back(digits[0]);
    if (nd > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    out.push_back('e');
    out.push_back(exp < 0 ? '-' : '+');
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out.push_back('0');
    out += std::to_string(a);
    return out;
  }
  if (dp <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-dp), '0');
    out += digits;
  } else if (dp >= nd) {
    out += digits;
    out.append(static_cast<size_t>(dp - nd), '0');
  } else {
    out.append(digits, 0, static_cast<size_t>(dp));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(dp), std::string::npos);
  }
  return out;
}

std::string GoFormatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  std::snprintf(buf, sizeof buf, "%f", v);
  return buf;
}

}  // namespace internal
}  // namespace tsdb::promql
