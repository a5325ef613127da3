#include "query/sources.h"

#include <algorithm>
#include <set>

#include "db/db.h"
#include "textparse/line_reader.h"
#include "textparse/parser.h"

namespace tsdb::query {
namespace {

template <typename T>
std::vector<T> SortedUnion(std::vector<std::vector<T>> parts) {
  std::vector<T> out;
  for (auto& p : parts) {
    for (auto& v : p) out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

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

Result<std::unique_ptr<block::SeriesSet>> MergedStore::Select(const std::vector<Matcher>& matchers, int64_t min_time,
                                                              int64_t max_time) const {
  std::vector<std::unique_ptr<block::SeriesSet>> sets;
  for (const auto& s : stores_) {
    TSDB_ASSIGN_OR_RETURN(auto set, s->Select(matchers, min_time, max_time));
    sets.push_back(std::move(set));
  }
  if (sets.size() == 1) return std::move(sets.front());
  return db::MergeSeriesSets(std::move(sets));
}

Result<std::vector<std::string>> MergedStore::LabelNames(const std::vector<std::vector<Matcher>>& selectors,
                                                         int64_t min_time, int64_t max_time) const {
  std::vector<std::vector<std::string>> parts;
  for (const auto& s : stores_) {
    TSDB_ASSIGN_OR_RETURN(auto names, s->LabelNames(selectors, min_time, max_time));
    parts.push_back(std::move(names));
  }
  return SortedUnion(std::move(parts));
}

Result<std::vector<std::string>> MergedStore::LabelValues(std::string_view name,
                                                          const std::vector<std::vector<Matcher>>& selectors,
                                                          int64_t min_time, int64_t max_time) const {
  std::vector<std::vector<std::string>> parts;
  for (const auto& s : stores_) {
    TSDB_ASSIGN_OR_RETURN(auto values, s->LabelValues(name, selectors, min_time, max_time));
    parts.push_back(std::move(values));
  }
  return SortedUnion(std::move(parts));
}

Result<std::vector<Labels>> MergedStore::Series(const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                                                int64_t max_time) const {
  std::vector<std::vector<Labels>> parts;
  for (const auto& s : stores_) {
    TSDB_ASSIGN_OR_RETURN(auto series, s->Series(selectors, min_time, max_time));
    parts.push_back(std::move(series));
  }
  return SortedUnion(std::move(parts));
}

}  // namespace tsdb::query
