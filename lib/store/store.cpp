// The default label and series listings of a Store: every one is a scan of
// Select() over the selectors (every series when there are none), keeping the
// series that have at least one sample in the range. Stores with an index
// (DbStore) override them; MemoryStore relies on them.
#include "store/store.h"

#include <algorithm>
#include <functional>
#include <set>

namespace tsdb::store {
namespace {

// Calls fn(labels) for every series matching any selector with a sample in
// [min_time, max_time]; a series matching several selectors may come more
// than once.
Status ForEachSeries(const Store& store, const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                     int64_t max_time, const std::function<void(const Labels&)>& fn) {
  static const std::vector<std::vector<Matcher>> kEverySeries{{}};
  for (const std::vector<Matcher>& sel : selectors.empty() ? kEverySeries : selectors) {
    TSDB_ASSIGN_OR_RETURN(auto set, store.Select(sel, min_time, max_time));
    while (set->Next()) {
      if (!set->samples().empty()) fn(set->labels());
    }
    TSDB_RETURN_IF_ERROR(set->status());
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<std::string>> Store::LabelNames(const std::vector<std::vector<Matcher>>& selectors,
                                                   int64_t min_time, int64_t max_time) const {
  std::set<std::string, std::less<>> names;
  TSDB_RETURN_IF_ERROR(ForEachSeries(*this, selectors, min_time, max_time, [&](const Labels& ls) {
    for (const Label& l : ls) {
      if (names.find(l.name) == names.end()) names.insert(l.name);
    }
  }));
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<std::string>> Store::LabelValues(std::string_view name,
                                                    const std::vector<std::vector<Matcher>>& selectors,
                                                    int64_t min_time, int64_t max_time) const {
  std::set<std::string, std::less<>> values;
  TSDB_RETURN_IF_ERROR(ForEachSeries(*this, selectors, min_time, max_time, [&](const Labels& ls) {
    std::string_view v = ls.Get(name);
    if (!v.empty() && values.find(v) == values.end()) values.emplace(v);
  }));
  return std::vector<std::string>(values.begin(), values.end());
}

Result<std::vector<Labels>> Store::Series(const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                                          int64_t max_time) const {
  std::vector<Labels> out;
  // One selector (or none) gives each series once, already in label order.
  bool may_repeat = selectors.size() > 1;
  TSDB_RETURN_IF_ERROR(ForEachSeries(*this, selectors, min_time, max_time, [&](const Labels& ls) {
    if (may_repeat || out.empty() || out.back() != ls) out.push_back(ls);
  }));
  if (may_repeat) {
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return out;
}

}  // namespace tsdb::store
