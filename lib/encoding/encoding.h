// Byte-level encoding shared by every on-disk format: big-endian integers,
// Go-compatible varints (encoding/binary's Uvarint/Varint), length-prefixed
// strings.
//
// Encbuf appends to a std::string it owns. Decbuf reads from bytes it does not
// own (usually an mmap) and has a sticky error, as Prometheus's
// encoding.Decbuf does: after the first malformed read every read returns 0 or
// an empty view and err() says what went wrong, so a decoder checks once at
// the end of a record instead of after every field. Reads never go past the
// end of the buffer, whatever the bytes say.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tsdb::encoding {

inline constexpr size_t kMaxVarintLen64 = 10;

// Appends v as Go's binary.PutUvarint / PutVarint (zig-zag) would.
inline void PutUvarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(static_cast<uint8_t>(v) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
inline void PutVarint(std::string* out, int64_t v) {
  uint64_t u = static_cast<uint64_t>(v) << 1;
  if (v < 0) u = ~u;
  PutUvarint(out, u);
}
inline size_t UvarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Reads a uvarint at p[0..n); returns bytes consumed, 0 if truncated, or
// SIZE_MAX on overflow (more than 64 bits), like Go's binary.Uvarint.
inline size_t GetUvarint(const uint8_t* p, size_t n, uint64_t* v) {
  uint64_t x = 0;
  unsigned shift = 0;
  for (size_t i = 0; i < n && i < kMaxVarintLen64; ++i) {
    uint8_t b = p[i];
    if (b < 0x80) {
      if (i == kMaxVarintLen64 - 1 && b > 1) return SIZE_MAX;
      *v = x | (static_cast<uint64_t>(b) << shift);
      return i + 1;
    }
    x |= static_cast<uint64_t>(b & 0x7f) << shift;
    shift += 7;
  }
  return n >= kMaxVarintLen64 ? SIZE_MAX : 0;
}

inline void PutBE16(std::string* out, uint16_t v) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 2);
}
inline void PutBE32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 4);
}
inline void PutBE64(std::string* out, uint64_t v) {
  PutBE32(out, static_cast<uint32_t>(v >> 32));
  PutBE32(out, static_cast<uint32_t>(v));
}
inline uint32_t BE32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint64_t BE64(const uint8_t* p) { return (uint64_t{BE32(p)} << 32) | BE32(p + 4); }
inline uint16_t BE16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

class Encbuf {
 public:
  void PutByte(uint8_t b) { buf_.push_back(static_cast<char>(b)); }
  void PutBE32(uint32_t v) { encoding::PutBE32(&buf_, v); }
  void PutBE64(uint64_t v) { encoding::PutBE64(&buf_, v); }
  void PutUvarint(uint64_t v) { encoding::PutUvarint(&buf_, v); }
  void PutVarint(int64_t v) { encoding::PutVarint(&buf_, v); }
  void PutUvarintStr(std::string_view s) {
    PutUvarint(s.size());
    buf_.append(s);
  }
  void PutBytes(std::string_view s) { buf_.append(s); }
  void Reset() { buf_.clear(); }
  size_t size() const { return buf_.size(); }
  const std::string& data() const { return buf_; }
  std::string* mutable_data() { return &buf_; }

 private:
  std::string buf_;
};

class Decbuf {
 public:
  Decbuf() = default;
  Decbuf(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  explicit Decbuf(std::string_view s) : p_(reinterpret_cast<const uint8_t*>(s.data())), n_(s.size()) {}

  uint8_t Byte() {
    if (!Need(1, "byte")) return 0;
    uint8_t b = *p_;
    Advance(1);
    return b;
  }
  uint32_t Be32() {
    if (!Need(4, "32-bit integer")) return 0;
    uint32_t v = BE32(p_);
    Advance(4);
    return v;
  }
  uint64_t Be64() {
    if (!Need(8, "64-bit integer")) return 0;
    uint64_t v = BE64(p_);
    Advance(8);
    return v;
  }
  uint64_t Uvarint() {
    if (err_) return 0;
    uint64_t v = 0;
    size_t k = GetUvarint(p_, n_, &v);
    if (k == 0) return Fail("truncated varint");
    if (k == SIZE_MAX) return Fail("varint overflows 64 bits");
    Advance(k);
    return v;
  }
  // A uvarint that must fit in 32 bits (symbol references, counts).
  uint32_t Uvarint32() {
    uint64_t v = Uvarint();
    if (v > UINT32_MAX) return static_cast<uint32_t>(Fail("varint does not fit in 32 bits"));
    return static_cast<uint32_t>(v);
  }
  int64_t Varint() {
    uint64_t u = Uvarint();
    int64_t v = static_cast<int64_t>(u >> 1);
    return (u & 1) ? ~v : v;
  }
  // A uvarint length followed by that many bytes; the view points into the buffer.
  std::string_view UvarintStr() {
    uint64_t len = Uvarint();
    if (err_) return {};
    if (len > n_) {
      Fail("string length past the end of the buffer");
      return {};
    }
    std::string_view s(reinterpret_cast<const char*>(p_), len);
    Advance(len);
    return s;
  }
  std::string_view Bytes(size_t len) {
    if (!Need(len, "bytes")) return {};
    std::string_view s(reinterpret_cast<const char*>(p_), len);
    Advance(len);
    return s;
  }
  void Skip(size_t len) {
    if (Need(len, "bytes to skip")) Advance(len);
  }

  size_t remaining() const { return err_ ? 0 : n_; }
  const uint8_t* position() const { return p_; }
  size_t consumed() const { return consumed_; }  // bytes read so far: for error offsets
  bool ok() const { return err_ == nullptr; }
  const char* err() const { return err_; }  // static string; null when ok

 private:
  bool Need(size_t k, const char* what) {
    if (err_) return false;
    if (n_ < k) {
      (void)what;
      Fail("unexpected end of data");
      return false;
    }
    return true;
  }
  void Advance(size_t k) {
    p_ += k;
    n_ -= k;
    consumed_ += k;
  }
  uint64_t Fail(const char* why) {
    if (!err_) err_ = why;
    n_ = 0;
    return 0;
  }

  const uint8_t* p_ = nullptr;
  size_t n_ = 0;
  size_t consumed_ = 0;
  const char* err_ = nullptr;
};

}  // namespace tsdb::encoding
