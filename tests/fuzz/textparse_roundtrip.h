// Shared by the textparse fuzz targets: parse the input; if it parses, write
// every sample back with Writer in the same format, re-parse, and abort
// unless the samples are identical (names, labels, value bits, timestamps,
// exemplars).
#pragma once

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "../unit/textparse_test_util.h"  // OwnedSample, ToOwned
#include "textparse/parser.h"
#include "textparse/writer.h"

namespace tsdb::textparse::fuzz {

using Sample = testing::OwnedSample;

// Parses `text`; returns false on a parse error. Also writes each sample
// into `rewritten` when it is not null.
inline bool ParseSamples(std::string_view text, Format format, std::vector<Sample>* out, std::string* rewritten,
                         bool* exact_timestamps) {
  LineReader reader(text, "fuzz", 1 << 16);
  Parser parser(&reader, format, ParserOptions{.max_labels = 64});
  std::string unused;
  Writer writer(format, rewritten != nullptr ? rewritten : &unused);
  Entry e;
  while (parser.Next(&e)) {
    if (e.kind != EntryKind::kSample) continue;
    Sample s = testing::ToOwned(e);
    // OpenMetrics seconds are doubles: beyond ~1e15 ms a millisecond has no
    // exact spelling, so a round trip cannot be promised there.
    auto far = [](std::optional<int64_t> t) { return t && (*t > 1000000000000000LL || *t < -1000000000000000LL); };
    if (format == Format::kOpenMetrics && (far(e.timestamp_ms) || (e.exemplar && far(e.exemplar->timestamp_ms)))) {
      *exact_timestamps = false;
    }
    out->push_back(std::move(s));
    if (rewritten != nullptr) {
      writer.Sample(e.metric_name, e.labels, e.value, e.timestamp_ms, e.exemplar ? &*e.exemplar : nullptr);
    }
  }
  if (rewritten != nullptr) writer.Eof();
  return parser.status().ok();
}

inline void RoundTrip(const uint8_t* data, size_t size, Format format) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)DetectFormat("fuzz", text);
  std::vector<Sample> first, second;
  std::string rewritten;
  bool exact = true;
  if (!ParseSamples(text, format, &first, &rewritten, &exact)) return;
  bool ignored = true;
  if (!ParseSamples(rewritten, format, &second, nullptr, &ignored)) {
    std::fprintf(stderr, "written output does not parse:\n%s\n", rewritten.c_str());
    std::abort();
  }
  if (exact && first != second) {
    std::fprintf(stderr, "round trip changed samples:\n%s\n", rewritten.c_str());
    std::abort();
  }
}

}  // namespace tsdb::textparse::fuzz
