// Streaming parsers for the Prometheus text format 0.0.4 and OpenMetrics 1.0.
//
// A Parser pulls lines from a LineReader and turns each into an Entry. Input
// of any size streams through: only the current line is held. Everything an
// Entry points at (string_views) stays valid until the next call to Next();
// callers that keep data copy it. Not thread-safe.
//
// Errors stop the parser: Next() returns false and status() says where and
// what, as "<source>: line N, column C: expected X, got Y".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "textparse/line_reader.h"

namespace tsdb::textparse {

enum class Format { kPrometheus, kOpenMetrics };

enum class MetricType {
  kUnknown,  // OpenMetrics "unknown"; also what an absent TYPE means
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateset,
  kUntyped,  // Prometheus text "untyped"
};
std::string_view MetricTypeName(MetricType type);  // "counter", "gaugehistogram", ...

enum class EntryKind { kHelp, kType, kUnit, kSample, kComment, kEOF };

struct LabelView {
  std::string_view name;
  std::string_view value;  // unescaped
};

struct Exemplar {
  std::vector<LabelView> labels;
  double value = 0;
  std::optional<int64_t> timestamp_ms;
};

struct Entry {
  EntryKind kind = EntryKind::kComment;
  uint64_t line = 0;          // 1-based line number of this entry
  std::string_view raw_line;  // the line as read, without its newline

  // kHelp, kType, kUnit: the family name; kSample: the family it belongs to
  // (the last TYPE/HELP seen whose name is a prefix by the format's rules, or
  // the metric name itself).
  std::string_view family;
  std::string_view text;  // kHelp: help text, unescaped; kUnit: the unit
  MetricType type = MetricType::kUnknown;  // kType; kSample: the family's type

  // kSample
  std::string_view metric_name;  // e.g. "http_request_duration_seconds_bucket"
  std::vector<LabelView> labels;  // input order, without __name__
  double value = 0;
  std::optional<int64_t> timestamp_ms;  // OpenMetrics seconds are converted to ms
  std::optional<Exemplar> exemplar;     // OpenMetrics only
};

struct ParserOptions {
  size_t max_labels = 0;  // 0: unlimited; more labels on one sample is an error
};

class Parser {
 public:
  Parser(LineReader* reader, Format format, ParserOptions options = {});
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // The next entry; false at the end of input or on error (see status()).
  // Blank lines are skipped in Prometheus text. In OpenMetrics, "# EOF" is
  // returned as kEOF, must be last, and its absence at the end is an error.
  bool Next(Entry* entry);
  const Status& status() const;
  Format format() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Chooses the format of an input from its name and first bytes: OpenMetrics
// when the name ends in ".om" or the bytes show OpenMetrics-only syntax
// ("# EOF", "# UNIT", a counter family "foo" with samples "foo_total",
// exemplars); Prometheus text otherwise.
Format DetectFormat(std::string_view source_name, std::string_view head);

// Parses one float as both formats write it: Go's ParseFloat syntax plus
// "NaN", "+Inf", "-Inf" (case as Prometheus accepts).
std::optional<double> ParseValue(std::string_view s);

}  // namespace tsdb::textparse
