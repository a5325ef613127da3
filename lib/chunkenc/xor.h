// XOR chunks: Prometheus's encoding of float samples (chunk encoding 1),
// byte for byte as tsdb/chunkenc/xor.go writes and reads it.
//
// Layout: a 2-byte big-endian sample count; the first sample as a varint
// timestamp and the value's 64 raw bits; the second as a uvarint timestamp
// delta and an XOR-encoded value; every later sample as a delta-of-delta of
// its timestamp in one of five buckets ('0': 0; '10' + 14 bits; '110' + 17;
// '1110' + 20; '1111' + 64) and its value XORed with the previous one ('0':
// same value; '10' + the significant bits inside the previous window of
// leading/trailing zeros; '11' + 5 bits of leading zeros (at most 31) + 6 bits
// of significant bits (64 written as 0) + the bits). The stream is padded with
// zero bits to a whole byte.
//
// XORChunk owns its bytes and appends to them. XORIterator walks bytes it does
// not own (usually an mmap of a chunk segment file): the memory must outlive
// it. Neither is thread-safe; both are cheap to move and XORIterator is cheap
// to copy. Decoding allocates nothing.
//
// Malformed or truncated bytes never make the iterator read outside its span
// or loop: Next() returns false and status() is Corruption, naming the byte
// offset inside the chunk and the sample being read. One deliberate
// difference from Go: a new value window whose leading zeros plus significant
// bits exceed 64 (which no encoder writes) is Corruption here, where xor.go
// silently decodes an unchanged value.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

#include "chunkenc/bstream.h"
#include "model/status.h"

namespace tsdb::chunkenc {

class XORIterator {
 public:
  XORIterator() = default;  // an iterator over no samples
  // `chunk` is the chunk's data: the 2-byte sample count and the bit stream
  // (what a segment file holds between the encoding byte and the CRC).
  explicit XORIterator(std::span<const uint8_t> chunk) { Reset(chunk); }
  void Reset(std::span<const uint8_t> chunk);

  // Advances to the next sample; false at the end or on a decode error
  // (status() tells them apart).
  bool Next() {
    if (num_read_ >= num_total_) return false;
    if (num_read_ < 2) return NextHead();
    return ReadTimestamp() && ReadValue();
  }

  // Advances to the first sample with timestamp >= t. Does nothing if the
  // current sample already qualifies; never moves backwards. False if no
  // such sample exists (or on a decode error).
  bool Seek(int64_t t) {
    while (num_read_ == 0 || t > t_) {
      if (!Next()) return false;
    }
    return true;
  }

  int64_t t() const { return t_; }
  double v() const { return std::bit_cast<double>(v_bits_); }
  uint64_t v_bits() const { return v_bits_; }  // the value's exact bits (NaN payloads, -0)
  const Status& status() const { return status_; }
  uint16_t num_samples() const { return header_samples_; }  // as the header says
  uint16_t num_read() const { return num_read_; }

 private:
  friend class XORChunk;  // resumes appending from an iterator's final state

  bool NextHead();  // samples 0 and 1: varints
  [[gnu::noinline, gnu::cold]] bool Fail(const char* what);
  [[gnu::noinline]] bool ReadLongDod();
  [[gnu::noinline]] bool ReadValueBitsSlow(unsigned nbits);

  bool ReadTimestamp() {
    br_.Refill();
    uint64_t w = br_.Peek();
    unsigned avail = br_.buffered();
    if ((w >> 63) == 0) {  // '0': same interval as before
      if (avail < 1) return Fail("timestamp");
      br_.Skip(1);
      t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + t_delta_);
      return true;
    }
    unsigned ones = static_cast<unsigned>(std::countl_one(w));
    unsigned sz;
    switch (ones) {
      case 1: sz = 14; break;
      case 2: sz = 17; break;
      case 3: sz = 20; break;
      default: return ReadLongDod();  // '1111' + 64 bits
    }
    unsigned prefix = ones + 1;
    if (avail < prefix + sz) return Fail("timestamp");
    uint64_t bits = (w << prefix) >> (64 - sz);
    br_.Skip(prefix + sz);
    // The range is (-2^(sz-1), 2^(sz-1)]: bit patterns above the top are negative.
    if (bits > (uint64_t{1} << (sz - 1))) bits -= uint64_t{1} << sz;
    t_delta_ += bits;
    t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + t_delta_);
    return true;
  }

  bool ReadValue() {
    br_.Refill();
    uint64_t w = br_.Peek();
    unsigned avail = br_.buffered();
    if ((w >> 63) == 0) {  // '0': same value
      if (avail < 1) return Fail("value");
      br_.Skip(1);
      ++num_read_;
      return true;
    }
    unsigned head;
    if (((w >> 62) & 1) == 0) {  // '10': inside the previous window
      head = 2;
    } else {  // '11': a new window
      head = 13;
      if (avail < head) return Fail("value");
      leading_ = static_cast<uint8_t>((w >> 57) & 31);
      unsigned sig = static_cast<unsigned>((w >> 51) & 63);
      if (sig == 0) sig = 64;
      if (leading_ + sig > 64) return Fail("value window (leading zeros + significant bits > 64)");
      sigbits_ = static_cast<uint8_t>(sig);
      trailing_ = static_cast<uint8_t>(64 - leading_ - sig);
    }
    unsigned nbits = sigbits_;
    if (head + nbits > avail) return ReadValueBitsSlow(head);
    uint64_t bits = (w << head) >> (64 - nbits);
    br_.Skip(head + nbits);
    v_bits_ ^= bits << trailing_;
    ++num_read_;
    return true;
  }

  BStreamReader br_;
  uint16_t num_total_ = 0;       // samples still to be read stop here; 0 after an error
  uint16_t num_read_ = 0;
  uint16_t header_samples_ = 0;
  int64_t t_ = std::numeric_limits<int64_t>::min();
  uint64_t v_bits_ = 0;
  uint64_t t_delta_ = 0;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;
  uint8_t sigbits_ = 64;  // 64 - leading_ - trailing_
  Status status_;
};

class XORChunk {
 public:
  static constexpr uint16_t kMaxSamples = 65535;  // the count is 16 bits

  XORChunk();  // an empty chunk: just the 2-byte count

  // A chunk that continues `bytes` (a chunk's data, copied): decodes it to
  // learn the appender's state, exactly as Prometheus's XORChunk.Appender()
  // does (including its quirk of not restarting the value window).
  static Result<XORChunk> FromBytes(std::span<const uint8_t> bytes);

  // Appends a sample. Timestamps should increase (the encoding itself takes
  // any int64, as xor.go does). False, changing nothing, when the chunk
  // already holds kMaxSamples samples.
  bool Append(int64_t t, double v);

  int num_samples() const { return num_; }
  std::span<const uint8_t> bytes() const { return b_.bytes(); }
  size_t size_bytes() const { return b_.size(); }
  std::vector<uint8_t> Release() && { return std::move(b_).Release(); }
  XORIterator iterator() const { return XORIterator(bytes()); }
  void Reset();

 private:
  void WriteValueDelta(uint64_t v_bits);

  BStream b_;
  uint16_t num_ = 0;
  int64_t t_ = 0;
  uint64_t v_bits_ = 0;
  uint64_t t_delta_ = 0;
  uint8_t leading_ = 0xff;  // 0xff: no window yet
  uint8_t trailing_ = 0;
};

}  // namespace tsdb::chunkenc
