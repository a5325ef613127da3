// The store tsdb-query reads: data directories (store::DbStore), exposition
// text loaded into a store::MemoryStore, or both merged into one.
//
// LoadExposition reads Prometheus text or OpenMetrics (detected per input,
// as tsdb-scrape does) and adds every sample; a sample without a timestamp
// gets `default_time_ms`. Errors name the input and the line (exit 1: the
// input's fault, not the command line's).
//
// MergedStore answers for several stores as one: Select merges their series
// with db::MergeSeriesSets (the first store's sample wins at a timestamp two
// hold), the listings are the unions of theirs.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "model/status.h"
#include "store/memory_store.h"
#include "store/store.h"

namespace tsdb::query {

struct LoadStats {
  uint64_t samples = 0;
  int64_t min_time = std::numeric_limits<int64_t>::max();  // of the samples loaded
  int64_t max_time = std::numeric_limits<int64_t>::min();
};

// Adds every sample of each input ("-": stdin) to `store`.
Status LoadExposition(const std::vector<std::string>& inputs, int64_t default_time_ms, store::MemoryStore* store,
                      LoadStats* stats);

class MergedStore : public store::Store {
 public:
  explicit MergedStore(std::vector<std::unique_ptr<store::Store>> stores) : stores_(std::move(stores)) {}

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
  std::vector<std::unique_ptr<store::Store>> stores_;
};

}  // namespace tsdb::query
