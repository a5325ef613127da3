// Writer: Prometheus text 0.0.4 or OpenMetrics 1.0 text, into a string.
//
// The caller drains out() (or uses it as a growing buffer and flushes it);
// the writer only appends. Values are formatted as Prometheus formats them
// (Go's strconv.FormatFloat(v, 'g', -1, 64), "NaN", "+Inf", "-Inf"), label
// values and HELP text escaped per format, timestamps in ms (Prometheus text)
// or seconds (OpenMetrics). What it writes parses back to identical samples.
// It does not rename families: see Transcoder for moving between formats.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "model/labels.h"
#include "textparse/parser.h"

namespace tsdb::textparse {

// Appends Go's FormatFloat(v, 'g', -1, 64) spelling, or NaN/+Inf/-Inf.
void AppendValue(double v, std::string* out);
std::string FormatValue(double v);
// Appends ms as OpenMetrics seconds: "1700000000", "1700000000.5", "1700000000.123".
void AppendOpenMetricsTimestamp(int64_t ms, std::string* out);

class Writer {
 public:
  Writer(Format format, std::string* out) : format_(format), out_(out) {}

  void Help(std::string_view family, std::string_view text);
  void Type(std::string_view family, MetricType type);
  void Unit(std::string_view family, std::string_view unit);  // OpenMetrics only; ignored in Prometheus text
  void Sample(std::string_view metric_name, std::span<const LabelView> labels, double value,
              std::optional<int64_t> timestamp_ms = std::nullopt, const Exemplar* exemplar = nullptr);
  // Labels may hold __name__; it becomes the metric name.
  void Sample(const Labels& series, double value, std::optional<int64_t> timestamp_ms = std::nullopt);
  void Eof();  // "# EOF" in OpenMetrics; nothing in Prometheus text

  Format format() const { return format_; }

 private:
  Format format_;
  std::string* out_;
};

// Transcoder re-emits parsed entries in another (or the same) format, fixing
// what differs between them: counter families are "foo" with samples
// "foo_total" in OpenMetrics and "foo_total" in Prometheus text; OpenMetrics-
// only types become Prometheus text's (gaugehistogram -> histogram, info and
// stateset -> gauge, unknown -> untyped) and back; UNIT and exemplars are
// dropped for Prometheus text. Samples keep names, labels, values, timestamps.
class Transcoder {
 public:
  Transcoder(Format to, std::string* out);
  void Add(const Entry& entry);  // kHelp, kType, kUnit, kSample, kComment
  void Finish();                 // writes "# EOF" for OpenMetrics

 private:
  // Metadata is held back until the family's first sample (or the next
  // family) shows which name and type to write it under.
  void WritePending(std::string_view first_sample);
  Writer writer_;
  std::string pending_family_;  // the family as the input names it
  bool has_pending_ = false;
  MetricType pending_type_ = MetricType::kUnknown;
  bool has_pending_type_ = false;
  std::string pending_help_;
  bool has_pending_help_ = false;
  std::string pending_unit_;
  bool has_pending_unit_ = false;
};

}  // namespace tsdb::textparse
