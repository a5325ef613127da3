#include "chunkenc/xor.h"

#include <string>

#include "encoding/encoding.h"

namespace tsdb::chunkenc {

namespace {

// Go's binary.ReadUvarint over a byte reader: at most 10 bytes, the 10th at most 1.
enum class VarintResult { kOk, kEnd, kOverflow };
VarintResult ReadUvarint(BStreamReader* br, uint64_t* out) {
  uint64_t x = 0;
  unsigned shift = 0;
  for (size_t i = 0; i < encoding::kMaxVarintLen64; ++i) {
    uint8_t b;
    if (!br->ReadByte(&b)) return VarintResult::kEnd;
    if (b < 0x80) {
      if (i == encoding::kMaxVarintLen64 - 1 && b > 1) return VarintResult::kOverflow;
      *out = x | (uint64_t{b} << shift);
      return VarintResult::kOk;
    }
    x |= uint64_t{b & 0x7fu} << shift;
    shift += 7;
  }
  return VarintResult::kOverflow;
}

}  // namespace

void XORIterator::Reset(std::span<const uint8_t> chunk) {
  *this = XORIterator();
  if (chunk.size() < 2) {
    status_ = Status::Corruption("XOR chunk of " + std::to_string(chunk.size()) +
                                 " bytes is shorter than its 2-byte sample count");
    return;
  }
  header_samples_ = encoding::BE16(chunk.data());
  num_total_ = header_samples_;
  br_ = BStreamReader(chunk.subspan(2));
}

bool XORIterator::Fail(const char* what) {
  // Offsets count from the start of the chunk data, sample count included.
  const size_t bit = 16 + br_.bits_read();
  const size_t size = 2 + (br_.bits_read() + br_.bits_left()) / 8;
  status_ = Status::Corruption("XOR chunk of " + std::to_string(size) + " bytes: truncated or malformed " + what +
                               " of sample " + std::to_string(num_read_ + 1) + " of " +
                               std::to_string(header_samples_) + " at byte " + std::to_string(bit / 8) + " (bit " +
                               std::to_string(bit % 8) + ")");
  num_total_ = 0;
  return false;
}

bool XORIterator::NextHead() {
  uint64_t u;
  if (num_read_ == 0) {
    switch (ReadUvarint(&br_, &u)) {
      case VarintResult::kOk: break;
      case VarintResult::kEnd: return Fail("first timestamp (varint)");
      case VarintResult::kOverflow: return Fail("first timestamp (varint overflows 64 bits)");
    }
    uint64_t bits;
    if (!br_.ReadBits(64, &bits)) return Fail("first value");
    // Zig-zag, as Go's binary.Varint.
    t_ = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    v_bits_ = bits;
    ++num_read_;
    return true;
  }
  switch (ReadUvarint(&br_, &u)) {
    case VarintResult::kOk: break;
    case VarintResult::kEnd: return Fail("second timestamp delta (uvarint)");
    case VarintResult::kOverflow: return Fail("second timestamp delta (uvarint overflows 64 bits)");
  }
  t_delta_ = u;
  t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + t_delta_);
  return ReadValue();
}

bool XORIterator::ReadLongDod() {
  uint64_t dod;
  if (br_.buffered() < 4 || (br_.Skip(4), !br_.ReadBits(64, &dod))) return Fail("timestamp");
  t_delta_ += dod;
  t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + t_delta_);
  return true;
}

bool XORIterator::ReadValueBitsSlow(unsigned head) {
  uint64_t bits;
  if (br_.buffered() < head) return Fail("value");
  br_.Skip(head);
  if (!br_.ReadBits(sigbits_, &bits)) return Fail("value");
  v_bits_ ^= bits << trailing_;
  ++num_read_;
  return true;
}

XORChunk::XORChunk() { Reset(); }

void XORChunk::Reset() {
  // Prometheus's new chunk: two zero bytes for the count, nothing free in the last.
  std::vector<uint8_t> bytes;
  bytes.reserve(128);
  bytes.assign(2, 0);
  b_ = BStream(std::move(bytes), 0);
  num_ = 0;
  t_ = 0;
  v_bits_ = 0;
  t_delta_ = 0;
  leading_ = 0xff;
  trailing_ = 0;
}

Result<XORChunk> XORChunk::FromBytes(std::span<const uint8_t> bytes) {
  XORIterator it(bytes);
  while (it.Next()) {
  }
  if (!it.status().ok()) return it.status();
  XORChunk c;
  c.num_ = it.header_samples_;
  if (c.num_ == 0) return c;
  // Continue right after the last bit of the last sample.
  size_t used_bits = 16 + it.br_.bits_read();
  size_t keep = (used_bits + 7) / 8;
  unsigned free_bits = static_cast<unsigned>(keep * 8 - used_bits);
  if (bytes.size() == keep + 1 && free_bits == 0) {  // Prometheus's spare empty byte
    keep += 1;
    free_bits = 8;
  }
  std::vector<uint8_t> data(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(keep));
  if (free_bits > 0 && free_bits < 8) data.back() &= static_cast<uint8_t>(0xff << free_bits);
  if (free_bits == 8) data.back() = 0;
  c.b_ = BStream(std::move(data), free_bits);
  c.t_ = it.t_;
  c.v_bits_ = it.v_bits_;
  c.t_delta_ = it.t_delta_;
  // As xor.go's Appender(): the iterator's window, which is 0/0 (not "none")
  // when no value ever changed.
  c.leading_ = it.leading_;
  c.trailing_ = it.trailing_;
  return c;
}

bool XORChunk::Append(int64_t t, double v) {
  if (num_ == kMaxSamples) return false;
  const uint64_t v_bits = std::bit_cast<uint64_t>(v);
  uint64_t t_delta = 0;
  if (num_ == 0) {
    uint64_t zz = (static_cast<uint64_t>(t) << 1) ^ static_cast<uint64_t>(t >> 63);
    while (zz >= 0x80) {
      b_.WriteByte(static_cast<uint8_t>(zz | 0x80));
      zz >>= 7;
    }
    b_.WriteByte(static_cast<uint8_t>(zz));
    b_.WriteBits(v_bits, 64);
  } else if (num_ == 1) {
    t_delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    uint64_t u = t_delta;
    while (u >= 0x80) {
      b_.WriteByte(static_cast<uint8_t>(u | 0x80));
      u >>= 7;
    }
    b_.WriteByte(static_cast<uint8_t>(u));
    WriteValueDelta(v_bits);
  } else {
    t_delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    const auto dod = static_cast<int64_t>(t_delta - t_delta_);
    // A bucket of n bits holds (-2^(n-1), 2^(n-1)]: see bstream.md.
    auto fits = [dod](unsigned n) {
      const int64_t half = int64_t{1} << (n - 1);
      return -(half - 1) <= dod && dod <= half;
    };
    if (dod == 0) {
      b_.WriteBit(false);
    } else if (fits(14)) {
      b_.WriteBits(0b10, 2);
      b_.WriteBits(static_cast<uint64_t>(dod), 14);
    } else if (fits(17)) {
      b_.WriteBits(0b110, 3);
      b_.WriteBits(static_cast<uint64_t>(dod), 17);
    } else if (fits(20)) {
      b_.WriteBits(0b1110, 4);
      b_.WriteBits(static_cast<uint64_t>(dod), 20);
    } else {
      b_.WriteBits(0b1111, 4);
      b_.WriteBits(static_cast<uint64_t>(dod), 64);
    }
    WriteValueDelta(v_bits);
  }
  t_ = t;
  v_bits_ = v_bits;
  t_delta_ = t_delta;
  ++num_;
  b_.data()[0] = static_cast<uint8_t>(num_ >> 8);
  b_.data()[1] = static_cast<uint8_t>(num_);
  return true;
}

void XORChunk::WriteValueDelta(uint64_t v_bits) {
  const uint64_t delta = v_bits ^ v_bits_;
  if (delta == 0) {
    b_.WriteBit(false);
    return;
  }
  b_.WriteBit(true);
  auto leading = static_cast<uint8_t>(std::countl_zero(delta));
  auto trailing = static_cast<uint8_t>(std::countr_zero(delta));
  if (leading >= 32) leading = 31;  // it has 5 bits
  if (leading_ != 0xff && leading >= leading_ && trailing >= trailing_) {
    b_.WriteBit(false);
    b_.WriteBits(delta >> trailing_, 64u - leading_ - trailing_);
    return;
  }
  leading_ = leading;
  trailing_ = trailing;
  b_.WriteBit(true);
  b_.WriteBits(leading, 5);
  // 64 significant bits do not fit in 6 bits; 0 never occurs (delta != 0),
  // so 64 is written as 0.
  const unsigned sigbits = 64u - leading - trailing;
  b_.WriteBits(sigbits, 6);
  b_.WriteBits(delta >> trailing, sigbits);
}

}  // namespace tsdb::chunkenc
