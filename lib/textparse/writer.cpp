// Writer: one entry at a time, spelled as Prometheus's expfmt writes it.
#include "textparse/writer.h"

#include "model/names.h"

namespace tsdb::textparse {
namespace {

// Backslash and newline always; the double quote too inside quotes and in
// OpenMetrics HELP text.
void AppendEscaped(std::string_view s, bool quote, std::string* out) {
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    const char* rep = nullptr;
    if (c == '\\') {
      rep = "\\\\";
    } else if (c == '\n') {
      rep = "\\n";
    } else if (c == '"' && quote) {
      rep = "\\\"";
    } else {
      continue;
    }
    out->append(s.data() + run, i - run);
    out->append(rep);
    run = i + 1;
  }
  out->append(s.data() + run, s.size() - run);
}

void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  AppendEscaped(s, true, out);
  out->push_back('"');
}

void AppendMetricNameForMeta(std::string_view name, std::string* out) {
  if (IsLegacyMetricName(name)) {
    out->append(name);
  } else {
    AppendQuoted(name, out);
  }
}

void AppendLabel(std::string_view name, std::string_view value, std::string* out) {
  if (IsLegacyLabelName(name)) {
    out->append(name);
  } else {
    AppendQuoted(name, out);
  }
  out->push_back('=');
  AppendQuoted(value, out);
}

// Writes `name{labels}` or `{"name",labels}`; fn(out) appends the labels,
// each preceded by `sep` (the caller passes "," after the first).
template <typename ForEachLabel>
void AppendSeries(std::string_view name, bool has_labels, ForEachLabel for_each, std::string* out) {
  bool legacy = IsLegacyMetricName(name);
  if (legacy) {
    out->append(name);
    if (!has_labels) return;
    out->push_back('{');
  } else {
    out->push_back('{');
    AppendQuoted(name, out);
    if (has_labels) out->push_back(',');
  }
  bool first = true;
  for_each([&](std::string_view n, std::string_view v) {
    if (!first) out->push_back(',');
    first = false;
    AppendLabel(n, v, out);
  });
  out->push_back('}');
}

void AppendTimestamp(Format format, int64_t ms, std::string* out) {
  out->push_back(' ');
  if (format == Format::kPrometheus) {
    out->append(std::to_string(ms));
  } else {
    AppendOpenMetricsTimestamp(ms, out);
  }
}

std::string_view TypeNameFor(Format format, MetricType type) {
  if (format == Format::kOpenMetrics) {
    return type == MetricType::kUntyped ? "unknown" : MetricTypeName(type);
  }
  switch (type) {
    case MetricType::kUnknown: return "untyped";
    case MetricType::kGaugeHistogram: return "histogram";
    case MetricType::kInfo:
    case MetricType::kStateset: return "gauge";
    default: return MetricTypeName(type);
  }
}

}  // namespace

void Writer::Help(std::string_view family, std::string_view text) {
  out_->append("# HELP ");
  AppendMetricNameForMeta(family, out_);
  out_->push_back(' ');
  AppendEscaped(text, format_ == Format::kOpenMetrics, out_);
  out_->push_back('\n');
}

void Writer::Type(std::string_view family, MetricType type) {
  out_->append("# TYPE ");
  AppendMetricNameForMeta(family, out_);
  out_->push_back(' ');
  out_->append(TypeNameFor(format_, type));
  out_->push_back('\n');
}

void Writer::Unit(std::string_view family, std::string_view unit) {
  if (format_ != Format::kOpenMetrics) return;
  out_->append("# UNIT ");
  AppendMetricNameForMeta(family, out_);
  out_->push_back(' ');
  out_->append(unit);
  out_->push_back('\n');
}

void Writer::Sample(std::string_view metric_name, std::span<const LabelView> labels, double value,
                    std::optional<int64_t> timestamp_ms, const Exemplar* exemplar) {
  AppendSeries(
      metric_name, !labels.empty(),
      [&](auto&& emit) {
        for (const LabelView& l : labels) emit(l.name, l.value);
      },
      out_);
  out_->push_back(' ');
  AppendValue(value, out_);
  if (timestamp_ms) AppendTimestamp(format_, *timestamp_ms, out_);
  if (exemplar != nullptr && format_ == Format::kOpenMetrics) {
    out_->append(" # {");
    bool first = true;
    for (const LabelView& l : exemplar->labels) {
      if (!first) out_->push_back(',');
      first = false;
      AppendLabel(l.name, l.value, out_);
    }
    out_->append("} ");
    AppendValue(exemplar->value, out_);
    if (exemplar->timestamp_ms) AppendTimestamp(format_, *exemplar->timestamp_ms, out_);
  }
  out_->push_back('\n');
}

void Writer::Sample(const Labels& series, double value, std::optional<int64_t> timestamp_ms) {
  std::string_view name = series.MetricName();
  bool has_labels = series.size() > (series.Has(kMetricNameLabel) ? 1 : 0);
  AppendSeries(
      name, has_labels,
      [&](auto&& emit) {
        for (const Label& l : series) {
          if (l.name != kMetricNameLabel) emit(l.name, l.value);
        }
      },
      out_);
  out_->push_back(' ');
  AppendValue(value, out_);
  if (timestamp_ms) AppendTimestamp(format_, *timestamp_ms, out_);
  out_->push_back('\n');
}

void Writer::Eof() {
  if (format_ == Format::kOpenMetrics) out_->append("# EOF\n");
}

}  // namespace tsdb::textparse
