// The store tsdb-query reads: data directories (store::DbStore), exposition
// text loaded into a store::MemoryStore, or both merged into one.
//
// LoadExposition reads Prometheus text or OpenMetrics (detected per input,
// as tsdb-scrape does) and adds every sample; a sample without a timestamp
// gets `default_time_ms`. Errors name the input and the line (exit 1: the
// input's fault, not the command line's).
// Several stores become one through store::MergedStore.
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

}  // namespace tsdb::query
