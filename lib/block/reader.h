// BlockReader: one block directory opened read-only.
//
// Maps the index and every chunk segment, reads meta.json and tombstones. It
// modifies nothing and takes no lock, so it works on the data directory of a
// running Prometheus. Errors name the block folder and file. Thread-safe
// after Open.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "block/chunk_segments.h"
#include "block/meta.h"
#include "block/tombstones.h"
#include "index/reader.h"
#include "model/status.h"

namespace tsdb::block {

class BlockReader {
 public:
  static Result<std::unique_ptr<BlockReader>> Open(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const BlockMeta& meta() const { return meta_; }
  const index::IndexReader& index() const { return *index_; }
  const ChunkReader& chunks() const { return *chunks_; }
  const Tombstones& tombstones() const { return tombstones_; }
  uint64_t size_bytes() const;  // index + chunks + meta.json + tombstones on disk

 private:
  std::string dir_;
  BlockMeta meta_;
  std::unique_ptr<index::IndexReader> index_;
  std::unique_ptr<ChunkReader> chunks_;
  Tombstones tombstones_;
};

// Block folders of a data directory (names that parse as ULIDs), in name
// (= creation time) order. Leftover "*.tmp-for-creation" / "*.tmp-for-deletion"
// folders are not blocks; `leftovers` receives their names when given.
Result<std::vector<std::string>> ListBlockDirs(const std::string& data_dir, std::vector<std::string>* leftovers = nullptr);

}  // namespace tsdb::block
