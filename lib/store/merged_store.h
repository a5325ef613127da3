// MergedStore: several stores answering as one (DESIGN.md "Sources and the
// query path"): data directories beside exposition text in tsdb-query, and
// later the global view's stores.
//
// Select merges their series with db::MergeSeriesSets (a series in several
// comes out once; the first store's sample wins at a timestamp two hold);
// the listings are the sorted unions of theirs. Owns its stores; as
// thread-compatible as they are.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace tsdb::store {

class MergedStore : public Store {
 public:
  explicit MergedStore(std::vector<std::unique_ptr<Store>> stores) : stores_(std::move(stores)) {}

  Result<std::unique_ptr<block::SeriesSet>> Select(const std::vector<Matcher>& matchers, int64_t min_time,
                                                   int64_t max_time) const override;
  Result<std::vector<std::string>> LabelNames(const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                                              int64_t max_time) const override;
  Result<std::vector<std::string>> LabelValues(std::string_view name,
                                               const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                                               int64_t max_time) const override;
  Result<std::vector<Labels>> Series(const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                                     int64_t max_time) const override;

 private:
  std::vector<std::unique_ptr<Store>> stores_;
};

}  // namespace tsdb::store
