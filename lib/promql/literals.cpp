// Number and duration literals, converted with Go's rules so that the values
// and the error messages are Prometheus's.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "model/quoting.h"
#include "promql/parse_internal.h"

namespace tsdb::promql::internal {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Go's strconv underscoreOK: underscores only between digits (a base prefix
// counts as a digit).
bool UnderscoresOK(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (IsDigit(c) || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// Unsigned integer in `base`; false on a bad digit or overflow (*overflow set).
bool ParseUnsigned(std::string_view digits, int base, uint64_t* out, bool* overflow) {
  *overflow = false;
  if (digits.empty()) return false;
  uint64_t v = 0;
  for (char c : digits) {
    int d;
    if (IsDigit(c)) d = c - '0';
    else if (Lower(c) >= 'a' && Lower(c) <= 'f') d = Lower(c) - 'a' + 10;
    else return false;
    if (d >= base) return false;
    if (v > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
      *overflow = true;
      return false;
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    *overflow = true;
    return false;
  }
  *out = v;
  return true;
}

// digits [. digits] [e [+-] digits], at least one mantissa digit.
bool IsDecimalFloat(std::string_view s) {
  size_t i = 0, mantissa = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++mantissa;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++mantissa;
  }
  if (mantissa == 0) return false;
  if (i < s.size() && Lower(s[i]) == 'e') {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == exp_start) return false;
  }
  return i == s.size();
}

}  // namespace

bool ParseNumberText(std::string_view text, double* value, std::string* error) {
  auto fail = [&](const char* why) {
    *error = "strconv.ParseFloat: parsing " + GoQuote(text) + ": " + why;
    return false;
  };
  std::string lower;
  for (char c : text) lower += Lower(c);
  if (lower == "inf" || lower == "+inf" || lower == "infinity") {
    *value = std::numeric_limits<double>::infinity();
    return true;
  }
  if (lower == "nan") {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (!UnderscoresOK(text)) return fail("invalid syntax");
  std::string s;
  for (char c : text) {
    if (c != '_') s += c;
  }
  bool overflow = false;
  uint64_t u = 0;
  if (s.size() >= 2 && s[0] == '0' && Lower(s[1]) == 'x') {
    // ParseInt or nothing: Go's ParseFloat wants a 'p' exponent for hex.
    if (ParseUnsigned(std::string_view(s).substr(2), 16, &u, &overflow)) {
      *value = static_cast<double>(u);
      return true;
    }
    return fail("invalid syntax");
  }
  if (s.size() >= 2 && s[0] == '0' && ParseUnsigned(std::string_view(s).substr(1), 8, &u, &overflow)) {
    *value = static_cast<double>(u);  // 0755 is octal, as in Go
    return true;
  }
  if (s.size() < 2 || s[0] != '0') {
    if (ParseUnsigned(s, 10, &u, &overflow)) {
      *value = static_cast<double>(u);
      return true;
    }
  }
  if (!IsDecimalFloat(s)) return fail("invalid syntax");
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Overflow is an error in Go; underflow quietly gives zero or a subnormal.
    errno = 0;
    v = std::strtod(s.c_str(), nullptr);
    if (std::isinf(v)) return fail("value out of range");
  } else if (ec != std::errc() || ptr != s.data() + s.size()) {
    return fail("invalid syntax");
  }
  *value = v;
  return true;
}

bool ParseDurationText(std::string_view text, int64_t* ns, std::string* error) {
  struct Unit {
    std::string_view name;
    int pos;
    uint64_t ns;
  };
  static constexpr uint64_t kMs = 1000000, kS = 1000 * kMs, kM = 60 * kS, kH = 60 * kM, kD = 24 * kH;
  static constexpr Unit kUnits[] = {{"y", 1, 365 * kD}, {"w", 2, 7 * kD}, {"d", 3, kD}, {"h", 4, kH},
                                    {"m", 5, kM},       {"s", 6, kS},     {"ms", 7, kMs}};
  const std::string quoted = GoQuote(text);
  if (text == "0") {
    *ns = 0;
    return true;
  }
  if (text.empty()) {
    *error = "empty duration string";
    return false;
  }
  const uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t total = 0;
  int last_pos = 0;
  std::string_view s = text;
  while (!s.empty()) {
    if (!IsDigit(s[0])) {
      *error = "not a valid duration string: " + quoted;
      return false;
    }
    size_t i = 0;
    while (i < s.size() && IsDigit(s[i])) ++i;
    uint64_t v = 0;
    bool overflow = false;
    for (size_t k = 0; k < i; ++k) {
      if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) overflow = true;
      v = v * 10 + static_cast<uint64_t>(s[k] - '0');
    }
    if (overflow) {
      *error = "not a valid duration string: " + quoted;
      return false;
    }
    s.remove_prefix(i);
    size_t j = 0;
    while (j < s.size() && !IsDigit(s[j])) ++j;
    if (j == 0) {
      *error = "not a valid duration string: " + quoted;
      return false;
    }
    std::string_view unit_name = s.substr(0, j);
    s.remove_prefix(j);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == unit_name) unit = &u;
    }
    if (unit == nullptr) {
      *error = "unknown unit " + GoQuote(unit_name) + " in duration " + quoted;
      return false;
    }
    if (unit->pos <= last_pos) {
      *error = "not a valid duration string: " + quoted;
      return false;
    }
    last_pos = unit->pos;
    if (v > (uint64_t{1} << 63) / unit->ns) {
      *error = "duration out of range";
      return false;
    }
    total += v * unit->ns;
    if (total > kMax) {
      *error = "duration out of range";
      return false;
    }
  }
  *ns = static_cast<int64_t>(total);
  return true;
}

}  // namespace tsdb::promql::internal
