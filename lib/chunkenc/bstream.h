// Bit streams as Prometheus's tsdb/chunkenc uses them: bits are written and
// read most significant first, the first bit of a stream is the top bit of
// its first byte, and an unfinished last byte is padded with zero bits.
//
// BStream is the writer. It owns its bytes and can hand them out at any time
// (bytes() always shows every bit written so far). Not thread-safe.
//
// BStreamReader reads bits from bytes it does not own (usually an mmap of a
// chunk segment): the memory must outlive the reader. It keeps up to 64 bits
// in a register, refilled with one unaligned 8-byte big-endian load while at
// least 8 bytes remain, byte by byte at the tail. It never reads outside the
// span it was given; a read past the end returns false and consumes nothing.
// Cheap to copy; not thread-safe.
//
// Decoders on a hot path use the primitives Refill()/Peek()/Skip(): after
// Refill(), Peek() holds the next buffered() bits at its top, and buffered()
// is at least 57 unless fewer bits than that remain in the stream.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

namespace tsdb::chunkenc {

class BStream {
 public:
  BStream() = default;
  // Continues a stream of bytes whose last byte has `free_bits` (0..8) unused
  // bits at its right, which must be zero.
  explicit BStream(std::vector<uint8_t> bytes, unsigned free_bits = 0)
      : stream_(std::move(bytes)), count_(static_cast<uint8_t>(stream_.empty() ? 0 : free_bits)) {}

  void WriteBit(bool bit) {
    if (count_ == 0) {
      stream_.push_back(0);
      count_ = 8;
    }
    --count_;
    if (bit) stream_.back() |= static_cast<uint8_t>(1u << count_);
  }

  void WriteByte(uint8_t byte) { WriteBits(byte, 8); }

  // Writes the nbits (0..64) right-most bits of u, most significant first.
  //
  // Byte for byte as Prometheus 2.x: its bstream writes every whole byte
  // with writeByte, which always appends a byte for the bits that spill
  // over, so a write of whole bytes that ends on a byte boundary leaves an
  // empty spare byte at the end (count 8). The next bits go into that byte,
  // so the bit stream is the same; only the padding at the very end of a
  // chunk differs (a 1-sample chunk, for instance, ends with a zero byte).
  void WriteBits(uint64_t u, unsigned nbits) {
    const bool whole_bytes = nbits != 0 && nbits % 8 == 0;
    while (nbits > 0) {
      if (count_ == 0) {
        stream_.push_back(0);
        count_ = 8;
      }
      unsigned take = nbits < count_ ? nbits : count_;
      nbits -= take;
      auto part = static_cast<unsigned>((u >> nbits) & ((1u << take) - 1));
      count_ = static_cast<uint8_t>(count_ - take);
      stream_.back() |= static_cast<uint8_t>(part << count_);
    }
    if (whole_bytes && count_ == 0) {
      stream_.push_back(0);
      count_ = 8;
    }
  }

  std::span<const uint8_t> bytes() const { return stream_; }
  uint8_t* data() { return stream_.data(); }
  size_t size() const { return stream_.size(); }
  unsigned free_bits_in_last_byte() const { return count_; }
  void Reserve(size_t n) { stream_.reserve(n); }
  void Clear() {
    stream_.clear();
    count_ = 0;
  }
  std::vector<uint8_t> Release() && {
    count_ = 0;
    return std::move(stream_);
  }

 private:
  std::vector<uint8_t> stream_;
  uint8_t count_ = 0;  // bits still free at the right of the last byte (8: a spare empty byte)
};

class BStreamReader {
 public:
  BStreamReader() = default;
  explicit BStreamReader(std::span<const uint8_t> b) : begin_(b.data()), p_(b.data()), end_(b.data() + b.size()) {}

  // Reads one bit; false at the end of the stream.
  bool ReadBit(bool* bit) {
    if (valid_ == 0) {
      Refill();
      if (valid_ == 0) return false;
    }
    *bit = (buffer_ >> 63) != 0;
    Skip(1);
    return true;
  }

  // Reads nbits (1..64) into the right-most bits of *v, the others zero.
  // False, consuming nothing, if fewer than nbits remain.
  bool ReadBits(unsigned nbits, uint64_t* v) {
    if (nbits - 1 < valid_) {  // 1 <= nbits <= valid_
      *v = buffer_ >> (64 - nbits);
      Skip(nbits);
      return true;
    }
    return ReadBitsSlow(nbits, v);
  }

  bool ReadByte(uint8_t* b) {
    uint64_t v;
    if (!ReadBits(8, &v)) return false;
    *b = static_cast<uint8_t>(v);
    return true;
  }

  // Tops the buffer up to at least 57 bits, or to every bit left.
  void Refill() {
    if (valid_ > 56) return;
    if (end_ - p_ >= 8) {
      uint64_t w;
      std::memcpy(&w, p_, 8);
      if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
      // Bits past the last whole byte taken are ORed in too; the next refill
      // ORs the same bits at the same place, so they do no harm.
      buffer_ |= w >> valid_;
      p_ += (63 - valid_) >> 3;
      valid_ |= 56;
      return;
    }
    RefillTail();
  }
  uint64_t Peek() const { return buffer_; }    // the next buffered() bits, at the top
  unsigned buffered() const { return valid_; }
  void Skip(unsigned nbits) {  // nbits <= buffered()
    buffer_ = nbits < 64 ? buffer_ << nbits : 0;
    valid_ -= nbits;
  }

  size_t bits_read() const { return static_cast<size_t>(p_ - begin_) * 8 - valid_; }
  size_t bits_left() const { return static_cast<size_t>(end_ - p_) * 8 + valid_; }

 private:
  void RefillTail();
  bool ReadBitsSlow(unsigned nbits, uint64_t* v);

  const uint8_t* begin_ = nullptr;
  const uint8_t* p_ = nullptr;  // next byte not yet in buffer_
  const uint8_t* end_ = nullptr;
  uint64_t buffer_ = 0;  // unread bits, left-aligned; bits below the valid ones are zero or copies of p_'s
  unsigned valid_ = 0;   // how many of buffer_'s top bits are unread stream bits
};

}  // namespace tsdb::chunkenc
