// MemoryStore: a Store whose series live in memory, filled sample by sample.
//
// It serves `tsdb-query --input FILE` (exposition text loaded into memory)
// and the PromQL conformance runner (tests/promql/), which loads the series
// of Prometheus's test scripts into it.
//
// Add() takes samples in any order: a series keeps its samples sorted by
// time, and a later Add() at a timestamp the series already has replaces the
// value (bit for bit, so a stale marker stays a stale marker). Series are
// indexed by metric name; a Select with a metric-name equality (the usual
// case) looks only at that name's series, others scan every name.
//
// Select() returns a SeriesSet that reads the store's memory in place: the
// store must outlive it and must not change while it is in use.
// Thread-compatible: const methods may run concurrently with each other, a
// non-const method needs the store to itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "block/writer.h"
#include "model/labels.h"
#include "store/store.h"

namespace tsdb::store {

class MemoryStore : public Store {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  void Add(const Labels& labels, int64_t t_ms, double v);

  size_t NumSeries() const { return num_series_; }
  size_t NumSamples() const { return num_samples_; }
  void Clear();

  Result<std::unique_ptr<block::SeriesSet>> Select(const std::vector<Matcher>& matchers, int64_t min_time,
                                                   int64_t max_time) const override;

  // One series and its samples, sorted by time. Exposed for the SeriesSet.
  using Samples = std::vector<block::Sample>;
  // Series of one metric name, in label order.
  using NameSeries = std::map<Labels, Samples>;

 private:
  // Metric name ("" for series without one) -> its series.
  std::map<std::string, NameSeries, std::less<>> by_name_;
  size_t num_series_ = 0;
  size_t num_samples_ = 0;
};

}  // namespace tsdb::store
