// Internal to lib/textparse: the state shared by the two line parsers
// (prometheus_parser.cpp, openmetrics_parser.cpp) and the scanning helpers
// they use. Not part of the public API.
#pragma once

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "textparse/parser.h"

namespace tsdb::textparse::internal {

// Character classes of the Prometheus lexers.
struct CharClasses {
  bool metric_start[256] = {};  // [a-zA-Z_:]
  bool metric_char[256] = {};   // [a-zA-Z0-9_:]
  bool label_start[256] = {};   // [a-zA-Z_]
  bool label_char[256] = {};    // [a-zA-Z0-9_]
  constexpr CharClasses() {
    for (int c = 0; c < 256; ++c) {
      bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      bool digit = c >= '0' && c <= '9';
      metric_start[c] = alpha || c == ':';
      metric_char[c] = alpha || digit || c == ':';
      label_start[c] = alpha;
      label_char[c] = alpha || digit;
    }
  }
};
inline constexpr CharClasses kChars;

inline unsigned char U(char c) { return static_cast<unsigned char>(c); }

inline size_t ScanMetricName(std::string_view s, size_t p) {
  while (p < s.size() && kChars.metric_char[U(s[p])]) ++p;
  return p;
}
inline size_t ScanLabelName(std::string_view s, size_t p) {
  while (p < s.size() && kChars.label_char[U(s[p])]) ++p;
  return p;
}

// s[p] is '"'. Returns the index just past the closing quote, or npos.
// *has_escape tells whether a backslash occurs inside.
inline size_t ScanQuoted(std::string_view s, size_t p, bool* has_escape) {
  const char* begin = s.data();
  size_t i = p + 1;
  const void* q = std::memchr(begin + i, '"', s.size() - i);
  if (q == nullptr) return std::string_view::npos;
  size_t quote = static_cast<size_t>(static_cast<const char*>(q) - begin);
  if (std::memchr(begin + i, '\\', quote - i) == nullptr) {
    *has_escape = false;
    return quote + 1;
  }
  *has_escape = true;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\\') {
      i += 2;
    } else if (c == '"') {
      return i + 1;
    } else {
      ++i;
    }
  }
  return std::string_view::npos;
}

inline bool IsASCII(std::string_view s) {
  for (char c : s) {
    if (U(c) >= 0x80) return false;
  }
  return true;
}

// True when the sample name belongs to the family by the suffix rules of its
// type (Prometheus's isSeriesPartOfFamily, plus _created).
bool IsSeriesPartOfFamily(std::string_view metric, std::string_view family, MetricType type);

}  // namespace tsdb::textparse::internal

namespace tsdb::textparse {

struct Parser::Impl {
  enum class Step { kEntry, kSkip, kError };

  Impl(LineReader* r, Format f, ParserOptions o) : reader(r), format(f), options(o) {}

  LineReader* reader;
  Format format;
  ParserOptions options;
  Status status;
  bool done = false;
  bool saw_eof = false;  // OpenMetrics "# EOF" was returned

  // The family of the last TYPE/HELP/UNIT, which samples may belong to.
  std::string family;
  MetricType family_type = MetricType::kUnknown;
  bool has_family = false;

  std::string_view line;
  uint64_t line_number = 0;
  std::string scratch;  // unescaped strings of the current line
  std::vector<LabelView> dedup;  // reused when checking many labels for duplicates
  size_t scratch_used = 0;

  bool Next(Entry* entry);
  Step ParsePrometheus(Entry* e);
  Step ParseOpenMetrics(Entry* e);

  // Sets status to "<source>: line N, column C: <expected>, got <what is at pos>".
  Step Fail(size_t pos, std::string_view expected);
  Step FailGot(size_t pos, std::string_view expected, std::string_view got);

  // Label value / quoted name / help unescaping into scratch (only called
  // when the text holds a backslash). `quote` also unescapes \".
  std::string_view Unescape(std::string_view raw, bool quote);
  void SetFamily(std::string_view name, MetricType type, bool is_type);
  void AssignFamily(Entry* e);
  // Checks what both formats require of a parsed sample (label names unique,
  // __name__ not also given as a label) and assigns its family.
  Step FinishSample(Entry* e);
};

}  // namespace tsdb::textparse
