// One line of OpenMetrics 1.0 text, as Prometheus's openmetricslex.l and
// openmetricsparse.go read it: single spaces only, no blank lines or
// comments, "# EOF" last, timestamps in seconds, optional exemplars.
#include <cmath>

#include "model/quoting.h"
#include "textparse/parser_internal.h"

namespace tsdb::textparse {
namespace {

using internal::kChars;
using internal::U;

bool ParseOpenMetricsType(std::string_view s, MetricType* type) {
  static constexpr std::pair<std::string_view, MetricType> kTypes[] = {
      {"counter", MetricType::kCounter},     {"gauge", MetricType::kGauge},
      {"histogram", MetricType::kHistogram}, {"gaugehistogram", MetricType::kGaugeHistogram},
      {"summary", MetricType::kSummary},     {"info", MetricType::kInfo},
      {"stateset", MetricType::kStateset},   {"unknown", MetricType::kUnknown},
  };
  for (const auto& [name, t] : kTypes) {
    if (s == name) {
      *type = t;
      return true;
    }
  }
  return false;
}

// Seconds as Prometheus converts them: int64(seconds * 1000).
bool SecondsToMs(double seconds, int64_t* ms) {
  if (std::isnan(seconds) || std::isinf(seconds)) return false;
  double product = seconds * 1000;
  if (!(product > -9223372036854775808.0 && product < 9223372036854775808.0)) return false;
  *ms = static_cast<int64_t>(product);
  return true;
}

size_t TokenEnd(std::string_view s, size_t p) {
  while (p < s.size() && s[p] != ' ') ++p;
  return p;
}

}  // namespace

Parser::Impl::Step Parser::Impl::ParseOpenMetrics(Entry* e) {
  const std::string_view s = line;
  if (s.empty()) return Fail(0, "expected a metric name or '#' (no blank lines in OpenMetrics)");

  if (s[0] == '#') {
    if (s.substr(0, 5) == "# EOF") {
      if (s.size() > 5) return Fail(5, "expected the end of the line after \"# EOF\"");
      e->kind = EntryKind::kEOF;
      saw_eof = true;
      return Step::kEntry;
    }
    std::string_view word = s.substr(0, 7);
    EntryKind kind;
    const char* after;
    if (word == "# HELP ") {
      kind = EntryKind::kHelp;
      after = "expected a metric name after HELP";
    } else if (word == "# TYPE ") {
      kind = EntryKind::kType;
      after = "expected a metric name after TYPE";
    } else if (word == "# UNIT ") {
      kind = EntryKind::kUnit;
      after = "expected a metric name after UNIT";
    } else {
      return Fail(0, "expected \"# HELP \", \"# TYPE \", \"# UNIT \" or \"# EOF\"");
    }
    size_t p = 7;
    std::string_view name;
    if (p < s.size() && s[p] == '"') {
      bool esc = false;
      size_t end = internal::ScanQuoted(s, p, &esc);
      if (end == std::string_view::npos) return Fail(p, after);
      name = s.substr(p + 1, end - p - 2);
      if (!IsValidUTF8(name)) return Fail(p, "expected a valid UTF-8 metric name");
      if (esc) name = Unescape(name, true);
      if (name.empty()) return Fail(p, "expected a non-empty metric name");
      p = end;
    } else if (p < s.size() && kChars.metric_start[U(s[p])]) {
      size_t end = internal::ScanMetricName(s, p);
      name = s.substr(p, end - p);
      p = end;
    } else {
      return Fail(p, after);
    }
    if (p >= s.size() || s[p] != ' ') return Fail(p, "expected ' ' and text after the metric name");
    std::string_view text = s.substr(p + 1);
    e->kind = kind;
    if (kind == EntryKind::kHelp) {
      if (!IsValidUTF8(text)) return Fail(p + 1, "expected valid UTF-8 in help text");
      if (text.find('\\') != std::string_view::npos) text = Unescape(text, true);
      e->text = text;
      SetFamily(name, MetricType::kUnknown, false);
    } else if (kind == EntryKind::kType) {
      MetricType type;
      if (!ParseOpenMetricsType(text, &type)) {
        return Fail(p + 1,
                    "expected a metric type (counter, gauge, histogram, gaugehistogram, summary, info, "
                    "stateset or unknown)");
      }
      e->type = type;
      SetFamily(name, type, true);
    } else {
      if (!text.empty() && !(name.size() > text.size() && name.substr(name.size() - text.size()) == text &&
                             name[name.size() - text.size() - 1] == '_')) {
        return FailGot(p + 1, "expected a unit that the metric name ends in (after '_')", GoQuote(text));
      }
      e->text = text;
      SetFamily(name, MetricType::kUnknown, false);
    }
    e->family = family;
    return Step::kEntry;
  }

  // A sample: name{labels} value [timestamp] [# {labels} value [timestamp]]
  size_t p = 0;
  bool has_name = false;
  if (kChars.metric_start[U(s[0])]) {
    p = internal::ScanMetricName(s, 0);
    e->metric_name = s.substr(0, p);
    has_name = true;
  } else if (s[0] != '{') {
    return Fail(0, "expected a metric name, '{' or '#'");
  }

  auto Bad = [this](size_t pos, std::string_view what) {
    Fail(pos, what);
    return false;
  };
  // Label sets: the sample's (where a lone quoted string is the metric name)
  // and the exemplar's.
  auto parse_labels = [&](std::vector<LabelView>* labels, bool exemplar) -> bool {
    for (;;) {
      if (p >= s.size()) return Bad(p, "expected a label name or '}'");
      char c = s[p];
      if (c == '}') {
        ++p;
        return true;
      }
      size_t tok = p;
      std::string_view name;
      bool quoted = false;
      bool esc = false;
      if (kChars.label_start[U(c)]) {
        p = internal::ScanLabelName(s, p);
        name = s.substr(tok, p - tok);
      } else if (c == '"') {
        size_t end = internal::ScanQuoted(s, p, &esc);
        if (end == std::string_view::npos) return Bad(p, "expected a closing '\"'");
        name = s.substr(p + 1, end - p - 2);
        quoted = true;
        p = end;
        if (!IsValidUTF8(name)) return Bad(tok, "expected a valid UTF-8 name");
        if (esc) name = Unescape(name, true);
        if (name.empty()) return Bad(tok, "expected a non-empty name");
      } else {
        return Bad(p, "expected a label name or '}'");
      }
      if (quoted && !exemplar && p < s.size() && (s[p] == ',' || s[p] == '}')) {
        if (has_name) return Bad(tok, "expected one metric name only");
        e->metric_name = name;
        has_name = true;
        if (s[p] == ',') ++p;
        continue;
      }
      if (p >= s.size() || s[p] != '=') return Bad(p, "expected '='");
      ++p;
      if (p >= s.size() || s[p] != '"') return Bad(p, "expected a quoted label value");
      size_t end = internal::ScanQuoted(s, p, &esc);
      if (end == std::string_view::npos) return Bad(p, "expected a closing '\"'");
      std::string_view value = s.substr(p + 1, end - p - 2);
      if (!internal::IsASCII(value) && !IsValidUTF8(value)) {
        return Bad(p, "expected a valid UTF-8 label value");
      }
      if (esc) value = Unescape(value, true);
      if (!exemplar && options.max_labels != 0 && labels->size() >= options.max_labels) {
        FailGot(tok, "expected at most " + std::to_string(options.max_labels) + " labels", "more");
        return false;
      }
      labels->push_back(LabelView{name, value});
      p = end;
      if (p < s.size() && s[p] == ',') {
        ++p;
      } else if (p >= s.size() || s[p] != '}') {
        return Bad(p, "expected ',' or '}'");
      }
    }
  };

  if (p < s.size() && s[p] == '{') {
    ++p;
    if (!parse_labels(&e->labels, false)) return Step::kError;
  }
  if (!has_name) return Fail(0, "expected a metric name");

  // " value", then optionally " timestamp", then optionally " # {...} value [timestamp]".
  auto read_value = [&](double* out, const char* what) -> bool {
    if (p >= s.size() || s[p] != ' ') return Bad(p, what);
    size_t vstart = p + 1;
    size_t vend = TokenEnd(s, vstart);
    if (vend == vstart) return Bad(vstart, what);
    std::optional<double> v = ParseValue(s.substr(vstart, vend - vstart));
    if (!v) return Bad(vstart, "expected a float value");
    *out = *v;
    p = vend;
    return true;
  };
  auto read_timestamp = [&](std::optional<int64_t>* out) -> bool {
    size_t tstart = p + 1;
    size_t tend = TokenEnd(s, tstart);
    if (tend == tstart) return Bad(tstart, "expected a timestamp, an exemplar or the end of the line");
    std::optional<double> ts = ParseValue(s.substr(tstart, tend - tstart));
    int64_t ms = 0;
    if (!ts) return Bad(tstart, "expected a timestamp in seconds");
    if (!SecondsToMs(*ts, &ms)) return Bad(tstart, "expected a finite timestamp within int64 milliseconds");
    *out = ms;
    p = tend;
    return true;
  };
  auto at_exemplar = [&] { return s.substr(p, 4) == " # {"; };

  if (!read_value(&e->value, "expected ' ' and a value after the metric")) return Step::kError;
  if (p < s.size() && !at_exemplar()) {
    if (!read_timestamp(&e->timestamp_ms)) return Step::kError;
    if (p < s.size() && !at_exemplar()) return Fail(p, "expected an exemplar or the end of the line");
  }
  if (p < s.size()) {
    // As Prometheus: only counter totals and histogram buckets carry exemplars.
    std::string_view n = e->metric_name;
    auto ends = [&](std::string_view suffix) {
      return n.size() >= suffix.size() && n.substr(n.size() - suffix.size()) == suffix;
    };
    if (!ends("_total") && !ends("_bucket")) {
      return FailGot(p + 1, "expected an exemplar only on a _total or _bucket sample", "one on " + GoQuote(n));
    }
    p += 4;
    Exemplar& ex = e->exemplar.emplace();
    if (!parse_labels(&ex.labels, true)) return Step::kError;
    if (!read_value(&ex.value, "expected ' ' and a value after the exemplar labels")) return Step::kError;
    if (p < s.size()) {
      if (!read_timestamp(&ex.timestamp_ms)) return Step::kError;
      if (p < s.size()) return Fail(p, "expected the end of the line after the exemplar timestamp");
    }
  }
  e->kind = EntryKind::kSample;
  return FinishSample(e);
}

}  // namespace tsdb::textparse
