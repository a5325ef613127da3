// BlockWriter: writes one block directory the way Prometheus writes it.
//
// Two phases, as Prometheus's own block writer: first every symbol (each
// label name and value of every series, sorted, unique: an importer collects
// them while sorting its input), then the series in label order, each with its
// samples in time order. Samples become XOR chunks cut by Prometheus's rule
// (chunkenc::ChunkCutter) and go straight to chunks/ segment files; nothing
// but the index's postings is held in memory. Everything is written under
// <parent>/<ulid>.tmp-for-creation, fsynced, meta.json written last, and the
// folder renamed to <parent>/<ulid> by Finish(): a crash at any point leaves
// either no block or a whole one. Destruction without Finish() removes the
// temporary folder. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "block/meta.h"
#include "model/labels.h"
#include "model/status.h"

namespace tsdb::block {

struct Sample {
  int64_t t;
  double v;
};

struct BlockWriterOptions {
  std::string parent_dir;  // the data directory
  int64_t min_time = 0;    // inclusive: the block range [min_time, max_time)
  int64_t max_time = 0;    // exclusive
  // Chunks never cross multiples of this (Prometheus's head uses its block
  // range, 2h; promtool's importer twice its block duration).
  int64_t chunk_range_ms = 2 * 60 * 60 * 1000;
  int samples_per_chunk = 120;
  uint64_t segment_size = uint64_t{512} << 20;
  int level = 1;
};

class BlockWriter {
 public:
  static Result<std::unique_ptr<BlockWriter>> Create(const BlockWriterOptions& options);
  ~BlockWriter();
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;

  // Phase 1: every symbol, in byte order, each once.
  Status AddSymbol(std::string_view symbol);
  // Phase 2: series in strictly increasing label order; samples in strictly
  // increasing time order inside [min_time, max_time). A series without
  // samples is skipped.
  Status AddSeries(const Labels& labels, std::span<const Sample> samples);
  // Writes the index, meta.json and an empty tombstones file, syncs, and
  // renames the folder into place. Returns the block's meta.
  Result<BlockMeta> Finish();

  const BlockMeta& meta() const;  // stats so far; ulid and range from the start
  const std::string& tmp_dir() const;

 private:
  BlockWriter();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tsdb::block
