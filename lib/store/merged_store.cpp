#include "store/merged_store.h"

#include <algorithm>

#include "db/db.h"

namespace tsdb::store {
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

}  // namespace tsdb::store
