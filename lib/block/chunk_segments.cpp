#include "block/chunk_segments.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "encoding/crc32c.h"
#include "encoding/encoding.h"

namespace tsdb::block {
namespace {

constexpr uint8_t kChunksFormatV1 = 1;
constexpr size_t kMaxChunkLengthFieldSize = 5;  // uvarint of a 32-bit length
constexpr size_t kFlushBytes = 1 << 20;

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string ChunkSegmentName(uint32_t index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06u", index + 1);
  return buf;
}

ChunkWriter::ChunkWriter(std::string dir, uint64_t segment_size) : dir_(std::move(dir)), segment_size_(segment_size) {}

ChunkWriter::~ChunkWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status ChunkWriter::FlushBuffer() {
  size_t off = 0;
  while (off < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing", dir_ + "/" + ChunkSegmentName(segment_index_));
    }
    off += static_cast<size_t>(n);
  }
  buf_.clear();
  return Status::OK();
}

Status ChunkWriter::CloseSegment() {
  if (fd_ < 0) return Status::OK();
  std::string path = dir_ + "/" + ChunkSegmentName(segment_index_);
  TSDB_RETURN_IF_ERROR(FlushBuffer());
  if (::fsync(fd_) != 0) return Errno("syncing", path);
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return Errno("closing", path);
  return Status::OK();
}

Status ChunkWriter::Cut() {
  TSDB_RETURN_IF_ERROR(CloseSegment());
  if (any_segment_) ++segment_index_;
  any_segment_ = true;
  std::string path = dir_ + "/" + ChunkSegmentName(segment_index_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return Errno("creating", path);
  encoding::PutBE32(&buf_, kChunkSegmentMagic);
  buf_.push_back(static_cast<char>(kChunksFormatV1));
  buf_.append(3, '\0');
  segment_bytes_ = kChunkSegmentHeaderSize;
  total_bytes_ += kChunkSegmentHeaderSize;
  return Status::OK();
}

Result<uint64_t> ChunkWriter::Write(uint8_t encoding, std::span<const uint8_t> data) {
  if (data.size() > UINT32_MAX) return Status::InvalidArgument("chunk of " + std::to_string(data.size()) + " bytes");
  uint64_t size = encoding::UvarintSize(data.size()) + 1 + data.size() + 4;
  // A new segment when this chunk would overflow the current one (a chunk
  // larger than a whole segment gets a segment of its own).
  if (fd_ < 0 || (segment_bytes_ + size > segment_size_ && segment_bytes_ > kChunkSegmentHeaderSize)) {
    TSDB_RETURN_IF_ERROR(Cut());
  }
  if (segment_bytes_ > UINT32_MAX) return Status::InvalidArgument("chunk segment offset does not fit in 32 bits");
  uint64_t ref = ChunkRef(segment_index_, static_cast<uint32_t>(segment_bytes_));
  encoding::PutUvarint(&buf_, data.size());
  size_t crc_from = buf_.size();
  buf_.push_back(static_cast<char>(encoding));
  buf_.append(reinterpret_cast<const char*>(data.data()), data.size());
  encoding::PutBE32(&buf_, encoding::Crc32c(buf_.data() + crc_from, buf_.size() - crc_from));
  segment_bytes_ += size;
  total_bytes_ += size;
  if (buf_.size() >= kFlushBytes) TSDB_RETURN_IF_ERROR(FlushBuffer());
  return ref;
}

Status ChunkWriter::Finish() { return CloseSegment(); }

Result<std::vector<std::string>> ListChunkSegments(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::NotFound(dir + ": no such folder");
    return Errno("opening", dir);
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() == 6 && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      names.push_back(n);
    }
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::unique_ptr<ChunkReader>> ChunkReader::Open(const std::string& dir) {
  TSDB_ASSIGN_OR_RETURN(std::vector<std::string> names, ListChunkSegments(dir));
  auto r = std::unique_ptr<ChunkReader>(new ChunkReader());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != ChunkSegmentName(static_cast<uint32_t>(i))) {
      return Status::Corruption(dir + ": segment files are not numbered 000001.. without gaps (found " + names[i] +
                                " where " + ChunkSegmentName(static_cast<uint32_t>(i)) + " belongs)");
    }
    std::string path = dir + "/" + names[i];
    TSDB_ASSIGN_OR_RETURN(auto file, fs::MappedFile::Open(path));
    auto b = file->bytes();
    if (b.size() < kChunkSegmentHeaderSize) {
      return Status::Corruption(path + ": " + std::to_string(b.size()) + " bytes, shorter than the 8-byte segment header");
    }
    if (uint32_t magic = encoding::BE32(b.data()); magic != kChunkSegmentMagic) {
      char buf[80];
      std::snprintf(buf, sizeof buf, ": offset 0: bad magic 0x%08x (want 0x%08x)", magic, kChunkSegmentMagic);
      return Status::Corruption(path + buf);
    }
    if (b[4] != kChunksFormatV1) {
      return Status::Corruption(path + ": offset 4: unknown chunks format version " + std::to_string(b[4]));
    }
    r->segments_.push_back(std::move(file));
  }
  return r;
}

uint64_t ChunkReader::size_bytes() const {
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->size();
  return n;
}

Result<ChunkBytes> ChunkReader::Chunk(uint64_t ref, bool verify_crc) const {
  uint32_t seg = ChunkRefSegment(ref);
  uint64_t off = ChunkRefOffset(ref);
  if (seg >= segments_.size()) {
    return Status::Corruption("chunk reference " + std::to_string(ref) + " names segment " + ChunkSegmentName(seg) +
                              ", which does not exist (" + std::to_string(segments_.size()) + " segments)");
  }
  const fs::MappedFile& f = *segments_[seg];
  auto b = f.bytes();
  auto where = [&](uint64_t at) { return f.path() + ": offset " + std::to_string(at) + ": "; };
  if (off < kChunkSegmentHeaderSize || off >= b.size()) {
    return Status::Corruption(where(off) + "chunk reference outside the segment (" + std::to_string(b.size()) + " bytes)");
  }
  uint64_t len = 0;
  size_t k = encoding::GetUvarint(b.data() + off, std::min<size_t>(b.size() - off, kMaxChunkLengthFieldSize), &len);
  if (k == 0 || k == SIZE_MAX) return Status::Corruption(where(off) + "unreadable chunk length");
  uint64_t enc_at = off + k;
  if (len > b.size() || enc_at + 1 + len + 4 > b.size()) {
    return Status::Corruption(where(off) + "chunk of " + std::to_string(len) + " bytes runs past the end of the segment");
  }
  ChunkBytes c;
  c.encoding = b[enc_at];
  c.data = b.subspan(enc_at + 1, len);
  if (verify_crc) {
    uint32_t want = encoding::BE32(b.data() + enc_at + 1 + len);
    uint32_t got = encoding::Crc32c(b.data() + enc_at, 1 + len);
    if (want != got) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "chunk checksum mismatch (stored 0x%08x, computed 0x%08x)", want, got);
      return Status::Corruption(where(enc_at + 1 + len) + buf);
    }
  }
  return c;
}

}  // namespace tsdb::block
