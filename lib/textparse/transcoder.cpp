// Transcoder: re-emits entries in another format, renaming families and
// mapping types as Prometheus's expfmt does, while samples keep their names.
#include "textparse/writer.h"

namespace tsdb::textparse {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Transcoder::Transcoder(Format to, std::string* out) : writer_(to, out) {}

void Transcoder::Add(const Entry& e) {
  switch (e.kind) {
    case EntryKind::kHelp:
    case EntryKind::kType:
    case EntryKind::kUnit:
      if (has_pending_ && pending_family_ != e.family) WritePending({});
      if (!has_pending_) {
        pending_family_.assign(e.family);
        has_pending_ = true;
      }
      if (e.kind == EntryKind::kHelp) {
        pending_help_.assign(e.text);
        has_pending_help_ = true;
      } else if (e.kind == EntryKind::kType) {
        pending_type_ = e.type;
        has_pending_type_ = true;
      } else {
        pending_unit_.assign(e.text);
        has_pending_unit_ = true;
      }
      return;
    case EntryKind::kSample:
      if (has_pending_) WritePending(e.family == pending_family_ ? e.metric_name : std::string_view());
      writer_.Sample(e.metric_name, e.labels, e.value, e.timestamp_ms,
                     e.exemplar ? &*e.exemplar : nullptr);
      return;
    case EntryKind::kComment:  // neither model keeps comments
    case EntryKind::kEOF:
      return;
  }
}

void Transcoder::WritePending(std::string_view first_sample) {
  has_pending_ = false;
  std::string name = pending_family_;
  MetricType type = pending_type_;
  bool has_type = has_pending_type_;
  bool has_help = has_pending_help_;
  bool has_unit = has_pending_unit_;
  has_pending_type_ = has_pending_help_ = has_pending_unit_ = false;

  if (writer_.format() == Format::kOpenMetrics) {
    if (has_type && type == MetricType::kUntyped) type = MetricType::kUnknown;
    if (has_type && type == MetricType::kCounter) {
      // OpenMetrics counter "foo" has samples "foo_total": drop the suffix
      // from the family, or, when the samples lack it, write the family as
      // unknown so that sample names stay as they are.
      std::string base = EndsWith(name, "_total") ? name.substr(0, name.size() - 6) : name;
      if (first_sample.empty() || first_sample == base + "_total" || first_sample == base + "_created") {
        name = base;
      } else {
        type = MetricType::kUnknown;
      }
    }
    if (has_help) writer_.Help(name, pending_help_);
    if (has_type) writer_.Type(name, type);
    if (has_unit && (pending_unit_.empty() || (name.size() > pending_unit_.size() &&
                                               EndsWith(name, "_" + pending_unit_)))) {
      writer_.Unit(name, pending_unit_);
    }
    return;
  }

  if (has_type) {
    switch (type) {
      case MetricType::kUnknown: type = MetricType::kUntyped; break;
      case MetricType::kGaugeHistogram: type = MetricType::kHistogram; break;
      case MetricType::kStateset: type = MetricType::kGauge; break;
      case MetricType::kInfo:
        // info "foo" has samples "foo_info": Prometheus text names the gauge after them.
        type = MetricType::kGauge;
        if (!first_sample.empty() && first_sample == name + "_info") name = first_sample;
        break;
      case MetricType::kCounter:
        if (!first_sample.empty() && first_sample == name + "_total") name = first_sample;
        break;
      default: break;
    }
  }
  if (has_help) writer_.Help(name, pending_help_);
  if (has_type) writer_.Type(name, type);
}

void Transcoder::Finish() {
  if (has_pending_) WritePending({});
  writer_.Eof();
}

}  // namespace tsdb::textparse
