// Constants and small pieces of Prometheus's index format v2 shared by the
// writer and the reader (reference/tsdb-format/index.md).
//
// ChunkMeta is a chunk's entry in a series: its time range and where its
// bytes are. TOC is the table of contents at the end of the file. The
// DecodeSeries function decodes one series entry's body (the bytes between
// its length and its CRC) without copying: label refs come out as symbol
// indices, to be resolved by the caller.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/status.h"

namespace tsdb::index {

inline constexpr uint32_t kMagicIndex = 0xBAAAD700;
inline constexpr uint8_t kFormatV1 = 1;
inline constexpr uint8_t kFormatV2 = 2;
inline constexpr size_t kHeaderLen = 5;         // magic + version
inline constexpr size_t kTocLen = 6 * 8 + 4;    // six offsets + CRC32
inline constexpr size_t kSeriesAlign = 16;      // series ref = offset / 16
inline constexpr size_t kSymbolFactor = 32;     // every 32nd symbol/value is sampled in memory

// A chunk of a series. ref: segment file index in the upper 32 bits, byte
// offset in that file in the lower 32 (Prometheus's chunks.ChunkRef).
struct ChunkMeta {
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint64_t ref = 0;
  bool operator==(const ChunkMeta&) const = default;
};

inline uint64_t ChunkRef(uint32_t segment, uint32_t offset) { return (uint64_t{segment} << 32) | offset; }
inline uint32_t ChunkRefSegment(uint64_t ref) { return static_cast<uint32_t>(ref >> 32); }
inline uint32_t ChunkRefOffset(uint64_t ref) { return static_cast<uint32_t>(ref); }

struct TOC {
  uint64_t symbols = 0;
  uint64_t series = 0;
  uint64_t label_indices = 0;
  uint64_t label_indices_table = 0;
  uint64_t postings = 0;
  uint64_t postings_table = 0;
};

// A series entry decoded: (name, value) symbol indices, and chunks.
struct SeriesEntry {
  std::vector<uint32_t> label_refs;  // name0, value0, name1, value1, ...
  std::vector<ChunkMeta> chunks;
};

// Decodes a series body of `n` bytes at `p`. `file_offset` is where the body
// starts in the file, for messages. Chunks are skipped when `chunks` is
// false. Errors are Corruption naming the offset.
Status DecodeSeries(const uint8_t* p, size_t n, uint64_t file_offset, bool chunks, SeriesEntry* out);

// A read-only shared mapping of the first `size` bytes of a file; unmapped
// on destruction. Move-only.
class MappedRegion {
 public:
  MappedRegion() = default;
  ~MappedRegion();
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;
  Status Map(int fd, size_t size, const std::string& path);
  void Unmap();
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace tsdb::index
