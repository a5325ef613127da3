// Float and timestamp spelling shared by the parsers and the writer.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "textparse/parser.h"
#include "textparse/writer.h"

namespace tsdb::textparse {
namespace {

// Prometheus's value.NormalNaN: the NaN every parsed "NaN" becomes.
constexpr uint64_t kNormalNaN = 0x7ff8000000000001ULL;

bool EqualFoldPrefix(std::string_view s, std::string_view word) {
  if (s.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != word[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kUnknown: return "unknown";
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kGaugeHistogram: return "gaugehistogram";
    case MetricType::kSummary: return "summary";
    case MetricType::kInfo: return "info";
    case MetricType::kStateset: return "stateset";
    case MetricType::kUntyped: return "untyped";
  }
  return "unknown";
}

// Go's strconv.ParseFloat(s, 64) without hex floats and underscores (which
// Prometheus rejects), so: [+-]digits[.digits][(e|E)[+-]digits], "inf",
// "infinity" (any case, optional sign) and "nan" (any case, no sign).
// Out of range is an error as in Go; underflow rounds to zero.
std::optional<double> ParseValue(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
  }
  std::string_view rest = s.substr(i);
  if (rest.empty()) return std::nullopt;
  char c = rest[0];
  if (c == 'i' || c == 'I') {
    if ((rest.size() == 3 && EqualFoldPrefix(rest, "inf")) || (rest.size() == 8 && EqualFoldPrefix(rest, "infinity"))) {
      return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    }
    return std::nullopt;
  }
  if (c == 'n' || c == 'N') {
    if (i == 0 && rest.size() == 3 && EqualFoldPrefix(rest, "nan")) return std::bit_cast<double>(kNormalNaN);
    return std::nullopt;
  }
  if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
  // from_chars takes no '+', and would accept "1.5e" as "1.5": check the
  // whole string is consumed.
  double v = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v, std::chars_format::general);
  if (ptr != rest.data() + rest.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Overflow is an error as in Go; underflow is zero or a subnormal.
    std::string copy(rest);
    errno = 0;
    v = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(v)) return std::nullopt;
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return negative ? -v : v;
}

void AppendValue(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  // Shortest digits, as Go's FormatFloat(v, 'g', -1, 64): %e when the
  // decimal exponent is < -4 or >= 6 (the precision Go uses for shortest),
  // else %f, with at least two exponent digits.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  size_t pos = 0;
  bool negative = false;
  if (sci[0] == '-') {
    negative = true;
    pos = 1;
  }
  size_t e = sci.find('e');
  char digits[32];
  size_t nd = 0;
  for (size_t k = pos; k < e; ++k) {
    if (sci[k] != '.') digits[nd++] = sci[k];
  }
  int exp = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp);
  if (v == 0) exp = 0;
  if (negative) out->push_back('-');
  if (exp < -4 || exp >= 6) {
    out->push_back(digits[0]);
    if (nd > 1) {
      out->push_back('.');
      out->append(digits + 1, nd - 1);
    }
    out->push_back('e');
    out->push_back(exp < 0 ? '-' : '+');
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out->push_back('0');
    out->append(std::to_string(a));
    return;
  }
  // %f with just the digits needed: dp is the position of the decimal point.
  int dp = exp + 1;
  if (dp <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-dp), '0');
    out->append(digits, nd);
  } else if (static_cast<size_t>(dp) >= nd) {
    out->append(digits, nd);
    out->append(static_cast<size_t>(dp) - nd, '0');
  } else {
    out->append(digits, static_cast<size_t>(dp));
    out->push_back('.');
    out->append(digits + dp, nd - static_cast<size_t>(dp));
  }
}

std::string FormatValue(double v) {
  std::string s;
  AppendValue(v, &s);
  return s;
}

namespace {

// Prometheus reads OpenMetrics seconds as int64(seconds * 1000).
bool ReadsBackAs(double seconds, int64_t ms) {
  double product = seconds * 1000;
  if (!(std::fabs(product) < 9.2e18)) return false;
  return static_cast<int64_t>(product) == ms;
}

void AppendExactSeconds(int64_t ms, std::string* out) {
  // Decimal seconds "S[.fff]" without trailing zeros.
  uint64_t mag = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  if (ms < 0) out->push_back('-');
  out->append(std::to_string(mag / 1000));
  unsigned frac = static_cast<unsigned>(mag % 1000);
  if (frac != 0) {
    char f[4] = {static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                 static_cast<char>('0' + frac % 10), 0};
    size_t n = 3;
    while (f[n - 1] == '0') --n;
    out->push_back('.');
    out->append(f, n);
  }
}

}  // namespace

void AppendOpenMetricsTimestamp(int64_t ms, std::string* out) {
  // The exact decimal is what a person expects; when Prometheus's
  // int64(seconds*1000) would read it back one millisecond off (binary
  // rounding), write the nearest double that reads back exactly instead.
  size_t start = out->size();
  AppendExactSeconds(ms, out);
  std::optional<double> parsed = ParseValue(std::string_view(*out).substr(start));
  if (!parsed || ReadsBackAs(*parsed, ms)) return;
  double s = *parsed;
  for (int i = 0; i < 64 && !ReadsBackAs(s, ms); ++i) {
    double product = s * 1000;
    if (!(std::fabs(product) < 9.2e18)) return;
    s = std::nextafter(s, static_cast<int64_t>(product) < ms ? INFINITY : -INFINITY);
  }
  if (!ReadsBackAs(s, ms)) return;  // beyond double precision: keep the decimal
  out->resize(start);
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, s, std::chars_format::fixed);
  out->append(buf, static_cast<size_t>(res.ptr - buf));
}

}  // namespace tsdb::textparse
