// Tombstones: deleted time ranges per series, the block's "tombstones" file.
//
// File: magic 0x0130BA30 (BE32), version byte 1, then one entry per interval
// (series ref uvarint, mint varint, maxt varint), then a CRC32C of the
// entries (the version byte is not covered, as in Prometheus). Intervals are
// closed [mint, maxt]; adding one merges it with overlapping or adjacent ones.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/status.h"

namespace tsdb::block {

struct Interval {
  int64_t min_time;
  int64_t max_time;
  bool Contains(int64_t t) const { return t >= min_time && t <= max_time; }
  bool operator==(const Interval& o) const { return min_time == o.min_time && max_time == o.max_time; }
};

// Sorted, non-overlapping, non-adjacent closed intervals.
class Intervals {
 public:
  void Add(Interval iv);
  bool Contains(int64_t t) const;
  const std::vector<Interval>& list() const { return list_; }
  bool empty() const { return list_.empty(); }

 private:
  std::vector<Interval> list_;
};

class Tombstones {
 public:
  void Add(uint64_t series_ref, Interval iv) { by_series_[series_ref].Add(iv); }
  // Null when the series has none.
  const Intervals* Get(uint64_t series_ref) const;
  uint64_t Total() const;  // number of intervals, as meta.json's numTombstones
  const std::map<uint64_t, Intervals>& all() const { return by_series_; }

 private:
  std::map<uint64_t, Intervals> by_series_;
};

std::string EncodeTombstones(const Tombstones& t);
// `name` is used in errors. An empty input is an error; a missing file is
// not (ReadTombstones returns no tombstones, as Prometheus does).
Result<Tombstones> DecodeTombstones(std::string_view file, const std::string& name);
Result<Tombstones> ReadTombstones(const std::string& block_dir);
Status WriteTombstones(const std::string& block_dir, const Tombstones& t);

}  // namespace tsdb::block
