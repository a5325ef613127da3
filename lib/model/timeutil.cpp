#include "model/timeutil.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tsdb {
namespace {

constexpr int64_t kMs = 1;
constexpr int64_t kSecond = 1000 * kMs;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kWeek = 7 * kDay;
constexpr int64_t kYear = 365 * kDay;

struct Unit {
  std::string_view name;
  int64_t ms;
};
// In the order a duration must list them.
constexpr Unit kUnits[] = {{"y", kYear}, {"w", kWeek}, {"d", kDay}, {"h", kHour},
                           {"m", kMinute}, {"s", kSecond}, {"ms", kMs}};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool ReadDigits(std::string_view s, size_t* pos, size_t n, int64_t* out) {
  if (*pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

Result<int64_t> ParseRFC3339(std::string_view s) {
  auto bad = [&] { return Status::InvalidArgument("invalid RFC 3339 time \"" + std::string(s) + "\""); };
  size_t p = 0;
  int64_t year, month, day, hour, minute, second;
  if (!ReadDigits(s, &p, 4, &year) || p >= s.size() || s[p++] != '-') return bad();
  if (!ReadDigits(s, &p, 2, &month) || p >= s.size() || s[p++] != '-') return bad();
  if (!ReadDigits(s, &p, 2, &day) || p >= s.size() || (s[p] != 'T' && s[p] != 't' && s[p] != ' ')) return bad();
  ++p;
  if (!ReadDigits(s, &p, 2, &hour) || p >= s.size() || s[p++] != ':') return bad();
  if (!ReadDigits(s, &p, 2, &minute) || p >= s.size() || s[p++] != ':') return bad();
  if (!ReadDigits(s, &p, 2, &second)) return bad();
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return bad();
  int64_t frac_ms = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    size_t digits = 0;
    int64_t scale = 100;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (digits < 3) frac_ms += (s[p] - '0') * scale, scale /= 10;
      ++digits, ++p;
    }
    if (digits == 0) return bad();
  }
  int64_t offset_min = 0;
  if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    int sign = s[p++] == '-' ? -1 : 1;
    int64_t oh, om;
    if (!ReadDigits(s, &p, 2, &oh) || p >= s.size() || s[p++] != ':' || !ReadDigits(s, &p, 2, &om)) return bad();
    offset_min = sign * (oh * 60 + om);
  } else {
    return bad();
  }
  if (p != s.size()) return bad();
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  return secs * 1000 + frac_ms;
}

}  // namespace

Result<int64_t> ParseDuration(std::string_view s) {
  if (s.empty()) return Status::InvalidArgument("empty duration string");
  if (s == "0") return int64_t{0};
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("not a valid duration string: \"" + std::string(s) + "\" (" + why + ")");
  };
  int64_t total = 0;
  size_t pos = 0;
  size_t next_unit = 0;  // units must appear in kUnits order
  while (pos < s.size()) {
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad("expected a number at offset " + std::to_string(start));
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(s.data() + start, s.data() + pos, n);
    if (ec != std::errc() || n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return bad("number too large");
    size_t unit_start = pos;
    while (pos < s.size() && !(s[pos] >= '0' && s[pos] <= '9')) ++pos;
    std::string_view unit = s.substr(unit_start, pos - unit_start);
    if (unit.empty()) return bad("missing unit");
    size_t u = next_unit;
    while (u < std::size(kUnits) && kUnits[u].name != unit) ++u;
    if (u == std::size(kUnits)) {
      for (const Unit& k : kUnits) {
        if (k.name == unit) return bad("unit \"" + std::string(unit) + "\" out of order or repeated");
      }
      return bad("unknown unit \"" + std::string(unit) + "\", want y, w, d, h, m, s or ms");
    }
    next_unit = u + 1;
    int64_t add;
    if (__builtin_mul_overflow(static_cast<int64_t>(n), kUnits[u].ms, &add) || __builtin_add_overflow(total, add, &total)) {
      return bad("duration out of range");
    }
  }
  return total;
}

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (const Unit& u : kUnits) {
    bool exact_only = u.name == "y" || u.name == "w";
    if (exact_only && ms % u.ms != 0) continue;
    if (int64_t v = ms / u.ms; v > 0) {
      out += std::to_string(v);
      out += u.name;
      ms -= v * u.ms;
    }
  }
  return out;
}

Result<int64_t> ParseTimestamp(std::string_view s, int64_t now_ms) {
  if (s.empty()) return Status::InvalidArgument("empty time");
  if (s.substr(0, 3) == "now") {
    std::string_view rest = s.substr(3);
    if (rest.empty()) return now_ms;
    if (rest[0] != '-' && rest[0] != '+') return Status::InvalidArgument("invalid time \"" + std::string(s) + "\": expected now, now-DURATION or now+DURATION");
    auto d = ParseDuration(rest.substr(1));
    if (!d.ok()) return Status::InvalidArgument("invalid time \"" + std::string(s) + "\": " + d.status().message());
    return rest[0] == '-' ? now_ms - *d : now_ms + *d;
  }
  bool numeric = true;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-')) numeric = false;
  }
  if (numeric) {
    // Unix seconds, maybe with a fraction; parse the parts as integers so
    // "1700000000.123" is exactly 1700000000123 ms.
    size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    bool neg = !whole.empty() && whole[0] == '-';
    if (neg) whole.remove_prefix(1);
    int64_t secs = 0;
    auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
    // secs < 0: a second minus sign, which from_chars took.
    if (ec != std::errc() || p != whole.data() + whole.size() || secs < 0 ||
        secs > std::numeric_limits<int64_t>::max() / 1000) {
      return Status::InvalidArgument("invalid Unix time \"" + std::string(s) + "\"");
    }
    int64_t ms = 0, scale = 100;
    for (char c : frac) {
      if (c < '0' || c > '9') return Status::InvalidArgument("invalid Unix time \"" + std::string(s) + "\"");
      ms += (c - '0') * scale;
      scale /= 10;
    }
    int64_t total;
    if (__builtin_add_overflow(secs * 1000, ms, &total)) {
      return Status::InvalidArgument("Unix time \"" + std::string(s) + "\" is out of range");
    }
    return neg ? -total : total;
  }
  return ParseRFC3339(s);
}

std::string FormatTimestamp(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  int64_t frac = ms - secs * 1000;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[128];
  if (frac == 0) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60), static_cast<long long>(frac));
  }
  return buf;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tsdb
