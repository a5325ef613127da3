// Select: the series of a set of blocks that match selectors, with their
// samples in a time range.
//
// Series come out in label order, each once even when several (overlapping)
// blocks hold it; samples in time order, inside the closed range
// [min_time, max_time], with tombstones applied, and one sample per timestamp
// when blocks overlap (the first block in the given order wins, as
// Prometheus's merge keeps one). Chunks that are not float chunks (native
// histograms) are skipped and counted. Memory holds one series' samples in
// range at a time. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "block/reader.h"
#include "block/writer.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "model/status.h"

namespace tsdb::block {

class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;  // false at the end or on error
  virtual const Labels& labels() const = 0;
  virtual const std::vector<Sample>& samples() const = 0;  // of the current series
  virtual const Status& status() const = 0;
  virtual uint64_t skipped_non_float_chunks() const = 0;
};

// An empty `matchers` selects every series.
Result<std::unique_ptr<SeriesSet>> Select(const std::vector<const BlockReader*>& blocks,
                                          const std::vector<Matcher>& matchers, int64_t min_time, int64_t max_time);

}  // namespace tsdb::block
