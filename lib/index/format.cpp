#include "index/format.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "encoding/encoding.h"

namespace tsdb::index {

Status DecodeSeries(const uint8_t* p, size_t n, uint64_t file_offset, bool chunks, SeriesEntry* out) {
  encoding::Decbuf d(p, n);
  auto fail = [&](const std::string& what) {
    return Status::Corruption("series at offset " + std::to_string(file_offset) + ": " + what + " (at offset " +
                              std::to_string(file_offset + d.consumed()) + ")");
  };
  out->label_refs.clear();
  out->chunks.clear();
  uint64_t k = d.Uvarint();
  if (!d.ok()) return fail(d.err());
  // Each label is at least two one-byte varints: never allocate for more.
  if (k > d.remaining() / 2) return fail("label count " + std::to_string(k) + " larger than the entry");
  out->label_refs.reserve(2 * k);
  for (uint64_t i = 0; i < k; ++i) {
    uint32_t name = d.Uvarint32();
    uint32_t value = d.Uvarint32();
    if (!d.ok()) return fail(d.err());
    out->label_refs.push_back(name);
    out->label_refs.push_back(value);
  }
  if (!chunks) return Status::OK();
  uint64_t c = d.Uvarint();
  if (!d.ok()) return fail(d.err());
  if (c > d.remaining() / 3) return fail("chunk count " + std::to_string(c) + " larger than the entry");
  out->chunks.reserve(c);
  if (c == 0) return Status::OK();
  // Unsigned arithmetic: corrupt deltas wrap instead of overflowing.
  uint64_t t0 = static_cast<uint64_t>(d.Varint());
  uint64_t maxt = t0 + d.Uvarint();
  uint64_t ref = d.Uvarint();
  if (!d.ok()) return fail(d.err());
  out->chunks.push_back({static_cast<int64_t>(t0), static_cast<int64_t>(maxt), ref});
  for (uint64_t i = 1; i < c; ++i) {
    uint64_t mint = maxt + d.Uvarint();
    maxt = mint + d.Uvarint();
    ref += static_cast<uint64_t>(d.Varint());
    if (!d.ok()) return fail(d.err());
    out->chunks.push_back({static_cast<int64_t>(mint), static_cast<int64_t>(maxt), ref});
  }
  // Trailing bytes are ignored, as Prometheus does.
  return Status::OK();
}

MappedRegion::~MappedRegion() { Unmap(); }

void MappedRegion::Unmap() {
  if (data_ != nullptr && size_ > 0) munmap(const_cast<uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

Status MappedRegion::Map(int fd, size_t size, const std::string& path) {
  Unmap();
  if (size == 0) return Status::OK();
  void* p = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return Status::IOError(path + ": mmap: " + std::strerror(errno));
  data_ = static_cast<const uint8_t*>(p);
  size_ = size;
  return Status::OK();
}

}  // namespace tsdb::index
