#include "query/sources.h"

#include <algorithm>

#include "textparse/line_reader.h"
#include "textparse/parser.h"

namespace tsdb::query {

Status LoadExposition(const std::vector<std::string>& inputs, int64_t default_time_ms, store::MemoryStore* store,
                      LoadStats* stats) {
  std::vector<Label> pairs;
  for (const std::string& path : inputs) {
    TSDB_ASSIGN_OR_RETURN(auto reader, textparse::LineReader::Open(path));
    textparse::Format format = textparse::DetectFormat(path == "-" ? "" : path, reader->Peek(1 << 16));
    textparse::Parser parser(reader.get(), format);
    textparse::Entry e;
    while (parser.Next(&e)) {
      if (e.kind != textparse::EntryKind::kSample) continue;
      pairs.clear();
      pairs.push_back(Label{std::string(kMetricNameLabel), std::string(e.metric_name)});
      for (const textparse::LabelView& l : e.labels) pairs.push_back(Label{std::string(l.name), std::string(l.value)});
      auto labels = Labels::FromPairs(std::move(pairs));
      pairs = {};
      if (!labels.ok()) return labels.status().WithContext(reader->name() + ": line " + std::to_string(e.line));
      int64_t t = e.timestamp_ms.value_or(default_time_ms);
      store->Add(*labels, t, e.value);
      ++stats->samples;
      stats->min_time = std::min(stats->min_time, t);
      stats->max_time = std::max(stats->max_time, t);
    }
    if (!parser.status().ok()) return parser.status();
  }
  return Status::OK();
}

}  // namespace tsdb::query
