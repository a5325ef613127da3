// Helpers shared by the textparse unit tests: parse a string into owned
// entries, and compare samples bit for bit.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "textparse/line_reader.h"
#include "textparse/parser.h"

namespace tsdb::textparse::testing {

struct OwnedSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  uint64_t value_bits = 0;
  std::optional<int64_t> ts;
  bool has_exemplar = false;
  std::vector<std::pair<std::string, std::string>> ex_labels;
  uint64_t ex_value_bits = 0;
  std::optional<int64_t> ex_ts;
  bool operator==(const OwnedSample&) const = default;
};

struct OwnedEntry {
  EntryKind kind;
  uint64_t line;
  std::string family, text, metric_name;
  MetricType type;
  OwnedSample sample;
};

struct ParseResult {
  std::vector<OwnedEntry> entries;
  Status status;
  std::vector<OwnedSample> Samples() const {
    std::vector<OwnedSample> out;
    for (const auto& e : entries) {
      if (e.kind == EntryKind::kSample) out.push_back(e.sample);
    }
    return out;
  }
};

inline OwnedSample ToOwned(const Entry& e) {
  OwnedSample s;
  s.name = std::string(e.metric_name);
  for (const auto& l : e.labels) s.labels.emplace_back(l.name, l.value);
  s.value_bits = std::bit_cast<uint64_t>(e.value);
  s.ts = e.timestamp_ms;
  if (e.exemplar) {
    s.has_exemplar = true;
    for (const auto& l : e.exemplar->labels) s.ex_labels.emplace_back(l.name, l.value);
    s.ex_value_bits = std::bit_cast<uint64_t>(e.exemplar->value);
    s.ex_ts = e.exemplar->timestamp_ms;
  }
  return s;
}

inline ParseResult ParseAll(LineReader* reader, Format format, ParserOptions options = {}) {
  ParseResult r;
  Parser parser(reader, format, options);
  Entry e;
  while (parser.Next(&e)) {
    OwnedEntry o{e.kind, e.line, std::string(e.family), std::string(e.text), std::string(e.metric_name), e.type, {}};
    if (e.kind == EntryKind::kSample) o.sample = ToOwned(e);
    r.entries.push_back(std::move(o));
  }
  r.status = parser.status();
  return r;
}

inline ParseResult Parse(std::string_view text, Format format, ParserOptions options = {}) {
  LineReader reader(text, "in", 1 << 20);
  return ParseAll(&reader, format, options);
}

}  // namespace tsdb::textparse::testing
