// BlockMeta: a block's meta.json, every field Prometheus writes.
//
// Read leniently as Go does (unknown keys ignored, keys matched without
// regard to case) but strictly where Prometheus is strict (version must be
// 1). Thanos's "thanos" section is kept as is and written back unchanged.
// Written exactly as Prometheus writes it: keys in Prometheus's order, tab
// indentation, zero stats left out, no trailing newline, via meta.json.tmp,
// fsync and rename.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "block/ulid.h"
#include "model/status.h"

namespace tsdb::block {

struct BlockDesc {
  Ulid ulid;
  int64_t min_time = 0;
  int64_t max_time = 0;
};

struct BlockStats {
  uint64_t num_samples = 0;
  uint64_t num_float_samples = 0;
  uint64_t num_histogram_samples = 0;
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  uint64_t num_tombstones = 0;
};

struct BlockCompaction {
  int level = 1;
  std::vector<Ulid> sources;
  bool deletable = false;
  std::vector<BlockDesc> parents;
  bool failed = false;
  std::vector<std::string> hints;
};

struct BlockMeta {
  Ulid ulid;
  int64_t min_time = 0;  // inclusive
  int64_t max_time = 0;  // exclusive
  BlockStats stats;
  BlockCompaction compaction;
  int version = 1;
  nlohmann::ordered_json thanos;  // null when absent

  // Thanos's downsampling resolution in ms (0 for raw data).
  int64_t DownsampleResolution() const;
};

// `name` is used in errors, e.g. "data/01H.../meta.json".
Result<BlockMeta> ParseMeta(std::string_view json, const std::string& name);
std::string MetaToJson(const BlockMeta& meta);

Result<BlockMeta> ReadMeta(const std::string& block_dir);
Status WriteMeta(const std::string& block_dir, const BlockMeta& meta);

}  // namespace tsdb::block
