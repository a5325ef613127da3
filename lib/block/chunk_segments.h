// Chunk segment files: the chunks/ folder of a block (000001, 000002, ...).
//
// Segment: magic 0x85BD40DD (BE32), version byte 1, 3 zero bytes, then chunks,
// each: data length (uvarint), encoding byte, data, CRC32C of encoding byte
// and data (BE32). A chunk reference is (segment index << 32) | byte offset,
// the index counting segment files from 0 in name order. Chunk bytes are
// opaque here: lib/chunkenc decodes them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "fs/mmap.h"
#include "index/format.h"
#include "model/status.h"

namespace tsdb::block {

inline constexpr uint32_t kChunkSegmentMagic = 0x85BD40DD;
inline constexpr size_t kChunkSegmentHeaderSize = 8;
inline constexpr uint64_t kDefaultChunkSegmentSize = uint64_t{512} << 20;

using index::ChunkRef;  // (segment << 32) | offset, index/format.h
using index::ChunkRefOffset;
using index::ChunkRefSegment;

// Writes chunks into new segment files in `dir` (which must exist), cutting
// a new segment when the next chunk would not fit in segment_size bytes.
// Buffered; Finish() flushes and fsyncs every segment. Not thread-safe.
class ChunkWriter {
 public:
  explicit ChunkWriter(std::string dir, uint64_t segment_size = kDefaultChunkSegmentSize);
  ~ChunkWriter();
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  // Appends one chunk and returns its reference.
  Result<uint64_t> Write(uint8_t encoding, std::span<const uint8_t> data);
  Status Finish();
  uint64_t bytes_written() const { return total_bytes_; }

 private:
  Status Cut();
  Status FlushBuffer();
  Status CloseSegment();

  std::string dir_;
  uint64_t segment_size_;
  int fd_ = -1;
  uint32_t segment_index_ = 0;  // of the open segment; files are named index+1
  bool any_segment_ = false;
  uint64_t segment_bytes_ = 0;  // written into the open segment, header included
  uint64_t total_bytes_ = 0;
  std::string buf_;
};

struct ChunkBytes {
  uint8_t encoding = 0;
  std::span<const uint8_t> data;
};

// Maps every segment file of a chunks/ folder. Chunk() checks the reference
// and lengths against the segment bounds; with verify, also the CRC.
// Thread-safe after Open.
class ChunkReader {
 public:
  static Result<std::unique_ptr<ChunkReader>> Open(const std::string& dir);

  Result<ChunkBytes> Chunk(uint64_t ref, bool verify_crc = false) const;
  size_t num_segments() const { return segments_.size(); }
  const fs::MappedFile& segment(size_t i) const { return *segments_[i]; }
  uint64_t size_bytes() const;

 private:
  std::vector<std::unique_ptr<fs::MappedFile>> segments_;
};

// "000001": the file name of the segment with index i (counted from 0).
std::string ChunkSegmentName(uint32_t index);

// The names of the segment files in a chunks/ folder (six digits), sorted.
// Gaps are the caller's to judge. NotFound when the folder does not exist.
Result<std::vector<std::string>> ListChunkSegments(const std::string& dir);

}  // namespace tsdb::block
