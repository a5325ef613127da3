// Parser: the line loop, errors and family tracking shared by both formats.
#include <algorithm>

#include "model/labels.h"
#include "model/quoting.h"
#include "textparse/parser_internal.h"

namespace tsdb::textparse {
namespace internal {
namespace {

bool CutSuffix(std::string_view s, std::string_view suffix, std::string_view* out) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return false;
  *out = s.substr(0, s.size() - suffix.size());
  return true;
}

}  // namespace

bool IsSeriesPartOfFamily(std::string_view metric, std::string_view family, MetricType type) {
  if (metric.substr(0, family.size()) != family) return false;  // fast path
  std::string_view got = metric;
  auto cut_any = [&](std::initializer_list<std::string_view> suffixes) {
    for (std::string_view s : suffixes) {
      if (CutSuffix(metric, s, &got)) return;
    }
    got = metric;
  };
  switch (type) {
    case MetricType::kCounter:
      CutSuffix(family, "_total", &family);
      cut_any({"_total", "_created"});
      break;
    case MetricType::kHistogram:
      cut_any({"_bucket", "_sum", "_count", "_created"});
      break;
    case MetricType::kGaugeHistogram:
      cut_any({"_bucket", "_gsum", "_gcount"});
      break;
    case MetricType::kSummary:
      cut_any({"_sum", "_count", "_created"});
      break;
    case MetricType::kInfo:
      CutSuffix(family, "_info", &family);
      cut_any({"_info"});
      break;
    default:
      break;
  }
  return got == family;
}

}  // namespace internal

Parser::Parser(LineReader* reader, Format format, ParserOptions options)
    : impl_(std::make_unique<Impl>(reader, format, options)) {}
Parser::~Parser() = default;
const Status& Parser::status() const { return impl_->status; }
Format Parser::format() const { return impl_->format; }
bool Parser::Next(Entry* entry) { return impl_->Next(entry); }

bool Parser::Impl::Next(Entry* e) {
  if (done) return false;
  for (;;) {
    if (!reader->Next(&line)) {
      done = true;
      if (!reader->status().ok()) {
        status = reader->status();
        return false;
      }
      if (format == Format::kOpenMetrics && !saw_eof) {
        line_number = reader->line_number() + 1;
        line = std::string_view();
        FailGot(0, "expected \"# EOF\" as the last line", "end of input");
      }
      return false;
    }
    line_number = reader->line_number();
    if (saw_eof) {
      Fail(0, "expected end of input after \"# EOF\"");
      return false;
    }
    scratch_used = 0;
    e->line = line_number;
    e->raw_line = line;
    e->labels.clear();
    e->timestamp_ms.reset();
    e->exemplar.reset();
    e->text = {};
    e->family = {};
    e->metric_name = {};
    e->type = MetricType::kUnknown;
    e->value = 0;
    Step step = format == Format::kPrometheus ? ParsePrometheus(e) : ParseOpenMetrics(e);
    if (step == Step::kEntry) return true;
    if (step == Step::kError) {
      done = true;
      return false;
    }
  }
}

Parser::Impl::Step Parser::Impl::Fail(size_t pos, std::string_view expected) {
  if (pos >= line.size()) return FailGot(pos, expected, "end of line");
  size_t end = pos;
  while (end < line.size() && end - pos < 24 && line[end] != ' ' && line[end] != '\t') ++end;
  if (end == pos) end = pos + 1;
  return FailGot(pos, expected, GoQuote(line.substr(pos, end - pos)));
}

Parser::Impl::Step Parser::Impl::FailGot(size_t pos, std::string_view expected, std::string_view got) {
  std::string msg = reader->name();
  msg += ": line " + std::to_string(line_number) + ", column " + std::to_string(pos + 1) + ": ";
  msg += expected;
  msg += ", got ";
  msg += got;
  status = Status::InvalidArgument(std::move(msg));
  return Step::kError;
}

std::string_view Parser::Impl::Unescape(std::string_view raw, bool quote) {
  if (scratch_used == 0 && scratch.size() < line.size()) scratch.resize(std::max(line.size(), size_t{256}));
  char* out = scratch.data() + scratch_used;
  char* start = out;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      char n = raw[i + 1];
      if (n == '\\' || n == 'n' || (quote && n == '"')) {
        *out++ = n == 'n' ? '\n' : n;
        ++i;
        continue;
      }
    }
    *out++ = c;
  }
  size_t n = static_cast<size_t>(out - start);
  scratch_used += n;
  return std::string_view(start, n);
}

void Parser::Impl::SetFamily(std::string_view name, MetricType type, bool is_type) {
  if (is_type) {
    family.assign(name);
    family_type = type;
  } else if (!has_family || family != name) {
    family.assign(name);
    family_type = MetricType::kUnknown;
  }
  has_family = true;
}

Parser::Impl::Step Parser::Impl::FinishSample(Entry* e) {
  auto column_of = [&](std::string_view name) -> size_t {
    // Unescaped names live in scratch; point at the line start then.
    if (name.data() >= line.data() && name.data() < line.data() + line.size()) {
      return static_cast<size_t>(name.data() - line.data());
    }
    return 0;
  };
  const auto& labels = e->labels;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].name == kMetricNameLabel) {
      return FailGot(column_of(labels[i].name), "expected labels other than __name__ (the metric name is given before them)",
                     "__name__");
    }
  }
  // Exposition text usually lists labels in name order: strictly increasing
  // names cannot repeat, which one pass proves.
  bool increasing = true;
  for (size_t i = 1; i < labels.size() && increasing; ++i) increasing = labels[i - 1].name < labels[i].name;
  if (increasing) {
    // nothing to check
  } else if (labels.size() <= 16) {
    for (size_t i = 1; i < labels.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (labels[i].name == labels[j].name) {
          return FailGot(column_of(labels[i].name), "expected unique label names", "a second " + GoQuote(labels[i].name));
        }
      }
    }
  } else {
    dedup.assign(labels.begin(), labels.end());
    std::sort(dedup.begin(), dedup.end(), [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
    for (size_t i = 1; i < dedup.size(); ++i) {
      if (dedup[i].name == dedup[i - 1].name) {
        return FailGot(column_of(dedup[i].name), "expected unique label names", "a second " + GoQuote(dedup[i].name));
      }
    }
  }
  AssignFamily(e);
  return Step::kEntry;
}

void Parser::Impl::AssignFamily(Entry* e) {
  if (has_family && internal::IsSeriesPartOfFamily(e->metric_name, family, family_type)) {
    e->family = family;
    e->type = family_type;
  } else {
    e->family = e->metric_name;
    e->type = MetricType::kUnknown;
  }
}

}  // namespace tsdb::textparse
