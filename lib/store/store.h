// Store: where queries read series from (DESIGN.md "Sources and the query
// path"). A data directory, several merged, exposition text loaded into
// memory; later a remote-read endpoint. PromQL evaluates over a Store,
// federation is an instant selection over one, the remote-read server one
// over HTTP.
//
// Select returns series in label order, each once, with their samples in the
// closed range [min_time, max_time] in time order. Implementations are
// thread-compatible: one query at a time per Store object unless it says
// otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "block/querier.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "model/status.h"

namespace tsdb::store {

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<std::unique_ptr<block::SeriesSet>> Select(const std::vector<Matcher>& matchers, int64_t min_time,
                                                           int64_t max_time) const = 0;

  // Sorted, unique label names of the series that match any of `selectors`
  // (every series when `selectors` is empty) and have samples in the range.
  virtual Result<std::vector<std::string>> LabelNames(const std::vector<std::vector<Matcher>>& selectors,
                                                      int64_t min_time, int64_t max_time) const;
  // Sorted, unique non-empty values of `name` over the same series.
  virtual Result<std::vector<std::string>> LabelValues(std::string_view name,
                                                       const std::vector<std::vector<Matcher>>& selectors,
                                                       int64_t min_time, int64_t max_time) const;
  // Series (labels only) matching any of `selectors`, sorted, each once.
  virtual Result<std::vector<Labels>> Series(const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                                             int64_t max_time) const;
};

}  // namespace tsdb::store
