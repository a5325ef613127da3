// One line of Prometheus text format 0.0.4, as Prometheus's promlex.l and
// promparse.go read it: spaces and tabs may separate any two tokens, a label
// set may end in a comma, "# HELP"/"# TYPE" are metadata and any other "#"
// line is a comment.
#include <charconv>

#include "model/quoting.h"
#include "textparse/parser_internal.h"

namespace tsdb::textparse {
namespace {

using internal::kChars;
using internal::U;

inline size_t SkipSpace(std::string_view s, size_t p) {
  while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
  return p;
}

inline bool IsSpace(char c) { return c == ' ' || c == '\t'; }

bool ParsePromType(std::string_view s, MetricType* type) {
  if (s == "counter") {
    *type = MetricType::kCounter;
  } else if (s == "gauge") {
    *type = MetricType::kGauge;
  } else if (s == "histogram") {
    *type = MetricType::kHistogram;
  } else if (s == "summary") {
    *type = MetricType::kSummary;
  } else if (s == "untyped") {
    *type = MetricType::kUntyped;
  } else {
    return false;
  }
  return true;
}

}  // namespace

Parser::Impl::Step Parser::Impl::ParsePrometheus(Entry* e) {
  const std::string_view s = line;
  size_t p = SkipSpace(s, 0);
  if (p == s.size()) return Step::kSkip;  // blank line

  if (s[p] == '#') {
    size_t hash = p;
    ++p;
    bool meta = false;
    bool help = false;
    if (p < s.size() && IsSpace(s[p])) {
      p = SkipSpace(s, p);
      std::string_view word = s.substr(p, 4);
      if ((word == "HELP" || word == "TYPE") && p + 4 < s.size() && IsSpace(s[p + 4])) {
        meta = true;
        help = word == "HELP";
      }
    }
    if (!meta) {
      e->kind = EntryKind::kComment;
      e->text = s.substr(hash);
      return Step::kEntry;
    }
    const char* keyword = help ? "expected a metric name after HELP" : "expected a metric name after TYPE";
    p = SkipSpace(s, p + 4);
    size_t name_pos = p;
    std::string_view name;
    if (p < s.size() && s[p] == '"') {
      bool esc = false;
      size_t end = internal::ScanQuoted(s, p, &esc);
      if (end == std::string_view::npos) return Fail(p, keyword);
      name = s.substr(p + 1, end - p - 2);
      if (!IsValidUTF8(name)) return Fail(p, "expected a valid UTF-8 metric name");
      if (esc) name = Unescape(name, true);
      p = end;
    } else if (p < s.size() && kChars.metric_start[U(s[p])]) {
      size_t end = internal::ScanMetricName(s, p);
      name = s.substr(p, end - p);
      p = end;
    } else {
      return Fail(p, keyword);
    }
    if (name.empty()) return Fail(name_pos, "expected a non-empty metric name");
    // The text is the rest of the line less its first character (the
    // separating space), as Prometheus reads it.
    std::string_view text = p < s.size() ? s.substr(p + 1) : std::string_view();
    e->family = name;
    if (help) {
      if (!IsValidUTF8(text)) return Fail(p + 1, "expected valid UTF-8 in help text");
      if (text.find('\\') != std::string_view::npos) text = Unescape(text, false);
      e->kind = EntryKind::kHelp;
      e->text = text;
      SetFamily(name, MetricType::kUnknown, false);
    } else {
      MetricType type;
      if (!ParsePromType(text, &type)) {
        return Fail(p + 1, "expected a metric type (counter, gauge, histogram, summary or untyped)");
      }
      e->kind = EntryKind::kType;
      e->type = type;
      SetFamily(name, type, true);
    }
    e->family = family;
    return Step::kEntry;
  }

  // A sample: name{labels} value [timestamp], or {"name", labels} value ...
  // Prometheus's lexer reads leading blanks into the metric name, which then
  // fails validation: reject them here too rather than accept what it drops.
  if (p > 0) return FailGot(0, "expected a metric name at the start of the line", "whitespace");
  size_t start = p;
  bool has_name = false;
  if (kChars.metric_start[U(s[p])]) {
    size_t end = internal::ScanMetricName(s, p);
    e->metric_name = s.substr(p, end - p);
    has_name = true;
    p = SkipSpace(s, end);
  } else if (s[p] != '{') {
    return Fail(p, "expected a metric name, '{' or '#'");
  }
  if (p < s.size() && s[p] == '{') {
    ++p;
    for (;;) {
      p = SkipSpace(s, p);
      if (p >= s.size()) return Fail(p, "expected a label name or '}'");
      char c = s[p];
      if (c == '}') {
        ++p;
        break;
      }
      size_t tok = p;
      std::string_view name;
      bool quoted = false;
      bool esc = false;
      if (kChars.label_start[U(c)]) {
        size_t end = internal::ScanLabelName(s, p);
        name = s.substr(p, end - p);
        p = end;
      } else if (c == '"') {
        size_t end = internal::ScanQuoted(s, p, &esc);
        if (end == std::string_view::npos) return Fail(p, "expected a closing '\"'");
        name = s.substr(p + 1, end - p - 2);
        quoted = true;
        p = end;
        if (!IsValidUTF8(name)) return Fail(tok, "expected a valid UTF-8 name");
        if (esc) name = Unescape(name, true);
        if (name.empty()) return Fail(tok, "expected a non-empty name");
      } else {
        return Fail(p, "expected a label name or '}'");
      }
      p = SkipSpace(s, p);
      if (quoted && p < s.size() && (s[p] == ',' || s[p] == '}')) {
        // A quoted string alone is the metric name.
        if (has_name) return Fail(tok, "expected one metric name only");
        e->metric_name = name;
        has_name = true;
        if (s[p] == ',') ++p;
        continue;
      }
      if (p >= s.size() || s[p] != '=') return Fail(p, "expected '='");
      p = SkipSpace(s, p + 1);
      if (p >= s.size() || s[p] != '"') return Fail(p, "expected a quoted label value");
      size_t end = internal::ScanQuoted(s, p, &esc);
      if (end == std::string_view::npos) return Fail(p, "expected a closing '\"'");
      std::string_view value = s.substr(p + 1, end - p - 2);
      if (!internal::IsASCII(value) && !IsValidUTF8(value)) return Fail(p, "expected a valid UTF-8 label value");
      if (esc) value = Unescape(value, true);
      if (options.max_labels != 0 && e->labels.size() >= options.max_labels) {
        return FailGot(tok, "expected at most " + std::to_string(options.max_labels) + " labels", "more");
      }
      e->labels.push_back(LabelView{name, value});
      p = SkipSpace(s, end);
      if (p < s.size() && s[p] == ',') ++p;
    }
  }
  if (!has_name) return Fail(start, "expected a metric name");

  p = SkipSpace(s, p);
  size_t vstart = p;
  while (p < s.size() && s[p] != ' ' && s[p] != '\t' && s[p] != '{') ++p;
  if (p == vstart) return Fail(p, "expected a value after the metric");
  std::optional<double> v = ParseValue(s.substr(vstart, p - vstart));
  if (!v) return Fail(vstart, "expected a float value");
  e->value = *v;
  p = SkipSpace(s, p);
  if (p < s.size()) {
    if (s[p] < '0' || s[p] > '9') return Fail(p, "expected a timestamp or the end of the line");
    size_t tstart = p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
    int64_t ts = 0;
    auto [ptr, ec] = std::from_chars(s.data() + tstart, s.data() + p, ts);
    if (ec != std::errc()) return Fail(tstart, "expected a timestamp in milliseconds within int64");
    e->timestamp_ms = ts;
    p = SkipSpace(s, p);
    if (p < s.size()) return Fail(p, "expected the end of the line after the timestamp");
  }
  e->kind = EntryKind::kSample;
  return FinishSample(e);
}

}  // namespace tsdb::textparse
