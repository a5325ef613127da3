// DbStore: a Store over one or more data directories opened read-only, as
// one store.
//
// Each directory is opened with db::DB::OpenReadOnly: its blocks, plus a
// head rebuilt from a read of its WAL (checkpoint and segments); no lock is
// taken and nothing is written, so it works on the directory of a running
// Prometheus or of the toolkit's own writers (what is seen is what was
// written when the store was opened). A directory may also be one block
// folder (its name a ULID, holding meta.json), or a folder of
// Thanos-downsampled blocks (tsdb-compact's DIR/downsampled).
//
// Select() merges every directory with db::MergeSeriesSets: a series held by
// several comes out once, its samples merged by time, the first directory
// given winning where two hold the same timestamp. Within a directory the
// blocks win over the head in the same way.
//
// Raw and downsampled data: when any directory holds raw data (a block of
// resolution 0, or a head with samples), downsampled blocks are left out
// everywhere (warned once at Open): raw samples are what PromQL expects.
// Only when every block is downsampled are they read, at the finest
// resolution present (coarser blocks are left out with a warning), each
// series as the aggregate chosen by DbStoreOptions::aggregate; Thanos's
// querier picks the same aggregates (avg, from the sum and count chunks,
// unless the function asks for another).
//
// LabelNames, LabelValues and Series use the block indexes, not the chunks:
// without selectors, names and values come straight from the index of each
// block whose range meets [min_time, max_time] (as Prometheus answers
// /api/v1/labels); with selectors, from the series the index's postings
// select whose chunk metas meet the range. Neither reads a chunk or applies
// tombstones. The head has no label index here: its series are scanned with
// Select (it holds hours, not months).
//
// Thread-compatible: one query at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "block/querier.h"
#include "block/reader.h"
#include "db/db.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "model/status.h"
#include "store/store.h"

namespace tsdb::store {

// The series a downsampled block gives for each window: Thanos's aggregates,
// and their average (sum / count), Thanos's default.
enum class DownsampledAggregate { kAvg, kCount, kSum, kMin, kMax, kCounter };
Result<DownsampledAggregate> ParseDownsampledAggregate(std::string_view s);  // avg, count, sum, min, max, counter
const char* DownsampledAggregateName(DownsampledAggregate a);

struct DbStoreOptions {
  DownsampledAggregate aggregate = DownsampledAggregate::kAvg;
  // Also read the head rebuilt from each directory's WAL.
  bool include_head = true;
  // No warnings on the process log (skipped blocks, a damaged WAL tail).
  bool quiet = false;
};

class DbStore : public Store {
 public:
  // NotFound naming the directory when one does not exist; IOError or
  // Corruption naming it when it cannot be read. A block that cannot be
  // opened is skipped with a warning (db::DB's rule), not an error.
  static Result<std::unique_ptr<DbStore>> Open(const std::vector<std::string>& dirs, DbStoreOptions options = {});
  ~DbStore() override;
  DbStore(const DbStore&) = delete;
  DbStore& operator=(const DbStore&) = delete;

  Result<std::unique_ptr<block::SeriesSet>> Select(const std::vector<Matcher>& matchers, int64_t min_time,
                                                   int64_t max_time) const override;
  Result<std::vector<std::string>> LabelNames(const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                                              int64_t max_time) const override;
  Result<std::vector<std::string>> LabelValues(std::string_view name,
                                               const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                                               int64_t max_time) const override;
  Result<std::vector<Labels>> Series(const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                                     int64_t max_time) const override;

  // What Select reads: 0 for raw data, else the downsampling resolution (ms).
  int64_t resolution() const { return resolution_; }
  size_t num_blocks() const;  // blocks read (left-out ones not counted)
  bool has_head() const;      // some directory's head holds samples

 private:
  struct Source;
  DbStore(std::vector<std::unique_ptr<Source>> sources, DbStoreOptions options);
  // Blocks of the sources that Select reads, that meet [min_time, max_time].
  std::vector<const block::BlockReader*> BlocksIn(const Source& s, int64_t min_time, int64_t max_time) const;
  Status ForEachSeries(const std::vector<std::vector<Matcher>>& selectors, int64_t min_time, int64_t max_time,
                       const std::function<void(const Labels&)>& fn) const;

  std::vector<std::unique_ptr<Source>> sources_;
  DbStoreOptions options_;
  int64_t resolution_ = 0;
};

}  // namespace tsdb::store
