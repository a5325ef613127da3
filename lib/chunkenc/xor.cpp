#include "chunkenc/xor.h"

#include <algorithm>
#include <string>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

#include "encoding/encoding.h"

namespace tsdb::chunkenc {

namespace {

// The first two samples (a varint timestamp and 64 raw value bits, then a
// uvarint delta and an XOR value) of chunks too short for DecodeHead's
// direct reads, or whose head it cannot decode, are read with the scheme of
// Prometheus's bstreamReader, refilled with one 8-byte big-endian load from
// the chunk while 8 bytes remain and from the iterator's zero-padded copy of
// the last kMargin bytes after that; a sample that reads into the padding is
// caught after the fact by its end passing 8 * size.
struct Dec {
  size_t q;          // next byte to load
  uint64_t buf;      // unread bits, left-aligned
  unsigned valid;    // how many of buf's top bits are unread
  int64_t t;
  uint64_t t_delta;
  uint64_t v_bits;
  unsigned sigbits;  // the value window: 64 - leading - trailing
  unsigned trailing;
};

struct SafeSource {
  const uint8_t* data;
  size_t size;
  const uint8_t* tail;
  size_t tail_start;
  const uint8_t* At(size_t q) const { return q + 8 <= size ? data + q : tail + (q - tail_start); }
};

// Branch-free: correct with valid in 0..63 (when 57+ bits are already there
// it ORs in bits that are there already), which beats a mispredicted "is it
// needed?" test.
template <typename Source>
[[gnu::always_inline]] inline void Refill(Dec& d, const Source& src) {
  uint64_t w;
  std::memcpy(&w, src.At(d.q), 8);
  if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
  d.buf |= w >> d.valid;
  d.q += (63 - d.valid) >> 3;
  d.valid |= 56;
}
[[gnu::always_inline]] inline void Skip(Dec& d, unsigned n) {  // n <= valid, n < 64
  d.buf <<= n;
  d.valid -= n;
}
[[gnu::always_inline]] inline uint64_t Take(Dec& d, unsigned n) {  // 1 <= n <= valid, n < 64
  uint64_t v = d.buf >> (64 - n);
  Skip(d, n);
  return v;
}
template <typename Source>
[[gnu::always_inline]] inline uint64_t Read(Dec& d, const Source& src, unsigned n) {  // 1 <= n <= 64
  Refill(d, src);
  if (n <= 56) return Take(d, n);
  uint64_t hi = Take(d, n - 32);
  Refill(d, src);
  return (hi << 32) | Take(d, 32);
}

// The value of a sample after the first: '0' same; '10' + sigbits bits
// inside the previous window; '11' + 5 bits of leading zeros + 6 bits of
// sigbits (0 means 64) + sigbits bits. Needs 15+ bits buffered. Whether a
// changed value reuses the window is data (a gauge's values), so it is
// picked with conditional moves rather than a branch. False for a window of
// more than 64 bits, which no encoder writes.
template <typename Source>
[[gnu::always_inline]] inline bool DecodeValue(Dec& d, const Source& src) {
  const uint64_t w = d.buf;
  if ((w >> 63) == 0) {
    Skip(d, 1);
    return true;
  }
  const bool fresh = ((w >> 62) & 1) != 0;
  const auto new_lead = static_cast<unsigned>((w >> 57) & 31);
  auto new_sig = static_cast<unsigned>((w >> 51) & 63);
  new_sig = new_sig == 0 ? 64 : new_sig;
  if (fresh & (new_lead + new_sig > 64)) return false;
  // Masks rather than ?: so the compiler cannot turn the choice into a branch.
  const unsigned m = 0u - static_cast<unsigned>(fresh);
  const unsigned sig = (new_sig & m) | (d.sigbits & ~m);
  const unsigned trail = ((64 - new_lead - new_sig) & m) | (d.trailing & ~m);
  const unsigned head = 2 + (11 & m);
  d.sigbits = sig;
  d.trailing = trail;
  if (head + sig <= d.valid) [[likely]] {
    d.v_bits ^= ((w << head) >> (64 - sig)) << trail;
    Skip(d, head + sig);
  } else {
    Skip(d, head);
    d.v_bits ^= Read(d, src, sig) << trail;
  }
  return true;
}

// 64 bits of the stream from bit `p` of `b` at the top of a word; the low
// (p & 7) bits are the next byte's, so at least 57 bits are right. Reads
// bytes p/8 .. p/8+7.
[[gnu::always_inline]] inline uint64_t Peek57(const uint8_t* b, size_t p) {
  uint64_t w;
  std::memcpy(&w, b + (p >> 3), 8);
  if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
  return w << (p & 7);
}
// All 64 bits from bit `p`. Reads bytes p/8 .. p/8+8.
[[gnu::always_inline]] inline uint64_t Peek64(const uint8_t* b, size_t p) {
  const unsigned k = p & 7;
  return Peek57(b, p) | (uint64_t{b[(p >> 3) + 8]} >> (8 - k));
}

// The 64 - rshift bits of a value window from bit `p` of `b`, right-aligned:
// for a window that does not fit in the word already loaded.
[[gnu::always_inline]] inline uint64_t WindowBits(const uint8_t* b, size_t p, uint64_t rshift) {
  return (rshift >= 7 ? Peek57(b, p) : Peek64(b, p)) >> rshift;  // Peek57 holds windows up to 57 bits
}

}  // namespace

namespace detail {
// The decoder's state while samples after the second are decoded, in
// registers. The only state one sample's decoding waits for is the bit
// position `p` where it starts, so the loop is built to compute the next
// position from one load in as few steps as possible; the timestamp and
// value arithmetic run beside it.
struct Run {
  size_t p;  // bit position, relative to the base the loop reads from
  int64_t t;
  uint64_t t_delta;
  uint64_t v_bits;
  // The value window as the loop uses it: 64 - its significant bits (the
  // right shift that drops the bits below them, 0..63) and its trailing
  // zeros. Full words: no zero-extension in the loop.
  uint64_t rshift;
  uint64_t trailing;
};
}  // namespace detail
using detail::Run;

namespace {

// The value of a sample whose timestamp ended at bit vp: '0' same; '10' +
// sigbits bits inside the previous window; '11' + 5 bits of leading zeros +
// 6 bits of sigbits (0 means 64) + sigbits bits. `x` holds the stream from
// vp at its top, `avail` of its bits right (a compile-time constant on the
// common paths). A value that fits in them is read from x: for most samples
// the one load DecodeSample began with serves the whole sample. False, with
// r unchanged, for a window of more than 64 bits (which no encoder writes).
//
// Branches, not masks: the common samples of a series repeat one shape (a
// value that stays put, or one that changes inside the previous window: 94%
// of a 2-decimal gauge's samples, 83% of a counter's), and a predicted
// branch lets the next sample start before this one's bits are looked at:
// its position is then this one's plus a length known in advance.
[[gnu::always_inline]] inline bool DecodeValueAt(Run& r, const uint8_t* b, size_t vp, uint64_t x, unsigned avail) {
  if (static_cast<int64_t>(x) >= 0) {  // '0': the same value
    r.p = vp + 1;
    return true;
  }
  if (static_cast<int64_t>(x << 1) >= 0) [[likely]] {  // '10': inside the window
    // sig = 64 - rshift significant bits; sig <= avail - 2 fit in x.
    const uint64_t rshift = r.rshift;
    uint64_t bits;
    if (rshift >= 66 - avail) [[likely]] {
      bits = (x << 2) >> rshift;
    } else {
      bits = WindowBits(b, vp + 2, rshift);
    }
    r.v_bits ^= bits << r.trailing;
    r.p = vp + 66 - rshift;
    return true;
  }
  // '11': a new window.
  const uint64_t lead = (x >> 57) & 31;
  const uint64_t sig = (((x >> 51) - 1) & 63) + 1;  // 0 means 64
  if (lead + sig > 64) [[unlikely]] return false;
  const uint64_t trailing = 64 - lead - sig;
  const uint64_t rshift = 64 - sig;
  r.rshift = rshift;
  r.trailing = trailing;
  uint64_t bits;
  if (sig <= avail - 13) [[likely]] {
    bits = (x << 13) >> rshift;
  } else {
    bits = WindowBits(b, vp + 13, rshift);
  }
  r.v_bits ^= bits << trailing;
  r.p = vp + 13 + sig;
  return true;
}

// A sample after the second: the delta of delta of its timestamp ('0', or
// '10' + 14 bits, '110' + 17, '1110' + 20 holding (-2^(n-1), 2^(n-1)], or
// '1111' + 64), then its value (DecodeValueAt). One 8-byte load gives the
// 57+ bits from r.p that hold the timestamp and, in most samples, the value
// too. Reads at most bytes p/8 .. p/8+19 of b. False, with r.p unchanged
// (the rest of r is then unspecified), for a value window of more than 64
// bits (which no encoder writes): updating the timestamp before the value
// is decoded keeps one register free in the loop.
[[gnu::always_inline]] inline bool DecodeSample(Run& r, const uint8_t* b, uint64_t w) {  // w: Peek57(b, r.p)
  const size_t p = r.p;
  if (static_cast<int64_t>(w) >= 0) [[likely]] {  // '0'
    r.t = static_cast<int64_t>(static_cast<uint64_t>(r.t) + r.t_delta);
    return DecodeValueAt(r, b, p + 1, w << 1, 56);
  }
  if (((w >> 62) & 1) == 0) [[likely]] {  // '10' + 14 bits: jitter of a few ms
    // 14 bits u hold (-2^13, 2^13]: u for u <= 2^13, else u - 2^14; that is
    // ((u + 2^13 - 1) mod 2^14) - (2^13 - 1), without a compare.
    r.t_delta += (((w >> 48) + 0x1fff) & 0x3fff) - 0x1fff;
    r.t = static_cast<int64_t>(static_cast<uint64_t>(r.t) + r.t_delta);
    return DecodeValueAt(r, b, p + 16, w << 16, 41);
  }
  const auto ones = static_cast<unsigned>(std::countl_one(w));
  size_t vp;
  uint64_t x;
  unsigned avail;
  if (ones < 4) {
    const unsigned sz = 11 + 3 * ones;
    const uint64_t range = uint64_t{1} << sz;
    uint64_t dod = (w << (ones + 1)) >> (64 - sz);
    dod -= dod > (range >> 1) ? range : 0;
    r.t_delta += dod;
    const unsigned len = ones + 1 + sz;
    vp = p + len;
    x = w << len;
    avail = 57 - len;
  } else {
    r.t_delta += Peek64(b, p + 4);
    vp = p + 68;
    x = Peek57(b, vp);
    avail = 57;
  }
  r.t = static_cast<int64_t>(static_cast<uint64_t>(r.t) + r.t_delta);
  return DecodeValueAt(r, b, vp, x, avail);
}

// Samples from r.p on, straight from `data`, while they start before
// start_end_bits and fewer than `want` are decoded; returns how many. Stops
// early, with r.p at the sample, at a value window of more than 64 bits.
// Nothing checks where a sample ends: callers make sure that `data` holds
// the 20 bytes a sample starting before start_end_bits may load.
//
// Each sample's start is checked: a compare the branch predictor gets right
// until the last sample. Checking once per run of samples that could not
// pass the end however long each is (a run of ~n/3 samples, then ~n/9...)
// saves the compare but ends a dozen runs per chunk, each a loop exit the
// predictor misses on a chunk it has not seen (5-13% of the time on ds1).
[[gnu::always_inline]] inline size_t DecodeFastLoop(Run& run, const uint8_t* data, size_t start_end_bits, int64_t* ts,
                                                    uint64_t* vs, size_t want) {
  Run r = run;
  // Counting up to 0 from -want, with the arrays' ends as bases: the count
  // is its own test.
  int64_t* const ts_end = ts + want;
  uint64_t* const vs_end = vs + want;
  ptrdiff_t i = -static_cast<ptrdiff_t>(want);
  for (; i != 0 && r.p < start_end_bits; ++i) {
    if (!DecodeSample(r, data, Peek57(data, r.p))) [[unlikely]] break;
    ts_end[i] = r.t;
    vs_end[i] = r.v_bits;
  }
  run = r;
  return want - static_cast<size_t>(-i);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// The same loop compiled for BMI2's shifts by a register (shlx/shrx), which
// the variable-width fields of this format are full of, and MOVBE's
// big-endian loads; chosen at run time.
[[gnu::target("bmi2,movbe"), gnu::noinline]] size_t DecodeFastBmi2Movbe(Run& r, const uint8_t* data,
                                                                       size_t start_end_bits, int64_t* ts,
                                                                       uint64_t* vs, size_t want) {
  return DecodeFastLoop(r, data, start_end_bits, ts, vs, want);
}
[[gnu::noinline]] size_t DecodeFastBase(Run& r, const uint8_t* data, size_t start_end_bits, int64_t* ts, uint64_t* vs,
                                        size_t want) {
  return DecodeFastLoop(r, data, start_end_bits, ts, vs, want);
}
bool HasBmi2AndMovbe() {
  unsigned eax, ebx, ecx, edx;  // clang 14's __builtin_cpu_supports knows no "movbe"
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_MOVBE) != 0 && __builtin_cpu_supports("bmi2");
}
const bool kHasBmi2AndMovbe = HasBmi2AndMovbe();
size_t DecodeFast(Run& r, const uint8_t* data, size_t start_end_bits, int64_t* ts, uint64_t* vs, size_t want) {
  return kHasBmi2AndMovbe ? DecodeFastBmi2Movbe(r, data, start_end_bits, ts, vs, want)
                          : DecodeFastBase(r, data, start_end_bits, ts, vs, want);
}
#else
size_t DecodeFast(Run& r, const uint8_t* data, size_t start_end_bits, int64_t* ts, uint64_t* vs, size_t want) {
  return DecodeFastLoop(r, data, start_end_bits, ts, vs, want);
}
#endif

}  // namespace

void XORIterator::Reset(std::span<const uint8_t> chunk) {
  // Field by field rather than `*this = XORIterator()`: the sample arrays
  // need no clearing, and a chunk's reset is paid per chunk read.
  data_ = nullptr;
  size_ = tail_start_ = fast_end_ = 0;
  pos_ = 0;
  t_ = 0;
  t_delta_ = 0;
  v_bits_ = 0;
  sigbits_ = 64;
  trailing_ = 0;
  num_total_ = num_read_ = 0;
  batch_.Clear();
  status_ = Status();
  // The padded copy of the tail is all zeros past the data, whatever chunk
  // came before, so that reads past the end (caught afterwards) see the
  // same bits every time.
  std::memset(tail_, 0, sizeof tail_);
  if (chunk.size() < 2) {
    status_ = Status::Corruption("XOR chunk of " + std::to_string(chunk.size()) +
                                 " bytes is shorter than its 2-byte sample count");
    return;
  }
  num_total_ = encoding::BE16(chunk.data());
  data_ = chunk.data() + 2;
  size_ = chunk.size() - 2;
  if (size_ >= kMargin) {
    tail_start_ = size_ - kMargin;
    fast_end_ = size_ - kMargin + 1;
    std::memcpy(tail_, data_ + tail_start_, kMargin);  // a constant size: a few moves, no call
  } else if (size_ > 0) {
    std::memcpy(tail_, data_, size_);
  }
}

void XORIterator::SaveRun(const Run& r) {
  pos_ = r.p;
  t_ = r.t;
  t_delta_ = r.t_delta;
  v_bits_ = r.v_bits;
  sigbits_ = static_cast<uint8_t>(64 - r.rshift);
  trailing_ = static_cast<uint8_t>(r.trailing);
}

bool XORIterator::Fail(size_t bit_in_stream, const char* what) {
  // Offsets count from the start of the chunk data, sample count included.
  const size_t bit = 16 + bit_in_stream;
  status_ = Status::Corruption("XOR chunk of " + std::to_string(size_ + 2) + " bytes: sample " +
                               std::to_string(num_read_ + 1) + " of " + std::to_string(num_total_) + " " + what +
                               " (at byte " + std::to_string(bit / 8) + ", bit " + std::to_string(bit % 8) + ")");
  num_total_ = num_read_;  // nothing more to read
  return false;
}

size_t XORIterator::DecodeHead(int64_t* ts, uint64_t* vs, size_t want) {
  size_t k = 0;
  if (num_read_ == 0 && want >= 2 && num_total_ >= 2 && size_ >= kHeadFastBytes) {
    // Both samples straight from the bytes; anything unusual (an overlong
    // varint, a bad value window) is left to DecodeHeadSample, which names it.
    uint64_t zz, delta;
    const size_t n0 = encoding::GetUvarint(data_, encoding::kMaxVarintLen64, &zz);
    if (n0 != 0 && n0 != SIZE_MAX) {
      const size_t n1 = encoding::GetUvarint(data_ + n0 + 8, encoding::kMaxVarintLen64, &delta);
      if (n1 != 0 && n1 != SIZE_MAX) {
        const int64_t t0 = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);  // zig-zag
        const uint64_t v0 = encoding::BE64(data_ + n0);
        const size_t vp = (n0 + 8 + n1) * 8;
        Run r{0, static_cast<int64_t>(static_cast<uint64_t>(t0) + delta), delta, v0, 0, 0};
        if (DecodeValueAt(r, data_, vp, Peek57(data_, vp), 57)) {
          ts[0] = t0;
          vs[0] = v0;
          ts[1] = r.t;
          vs[1] = r.v_bits;
          SaveRun(r);
          num_read_ = 2;
          return 2;
        }
      }
    }
  }
  while (k < want && num_read_ < 2 && num_read_ < num_total_) {
    if (!DecodeHeadSample(&ts[k], &vs[k])) break;
    ++k;
  }
  return k;
}

bool XORIterator::DecodeHeadSample(int64_t* t_out, uint64_t* v_out) {
  // Samples 0 and 1: a varint timestamp and the value's 64 bits, then a
  // uvarint delta and an XOR value. Go's binary.ReadUvarint rules.
  const SafeSource src{data_, size_, tail_, tail_start_};
  // Both start on a byte boundary (a varint, then 64 bits, then a varint).
  Dec d{pos_ / 8, 0, 0, t_, t_delta_, v_bits_, sigbits_, trailing_};
  const size_t start = pos_;
  uint64_t u = 0;
  for (unsigned i = 0, shift = 0;; ++i, shift += 7) {
    if (i == encoding::kMaxVarintLen64) return Fail(start, "has a varint timestamp overflowing 64 bits");
    auto byte = static_cast<uint8_t>(Read(d, src, 8));
    if (byte < 0x80) {
      if (i == encoding::kMaxVarintLen64 - 1 && byte > 1) {
        return Fail(start, "has a varint timestamp overflowing 64 bits");
      }
      u |= uint64_t{byte} << shift;
      break;
    }
    u |= uint64_t{byte & 0x7fu} << shift;
  }
  if (num_read_ == 0) {
    d.t = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);  // zig-zag, as Go's Varint
    d.v_bits = Read(d, src, 64);
  } else {
    d.t_delta = u;
    d.t = static_cast<int64_t>(static_cast<uint64_t>(d.t) + d.t_delta);
    Refill(d, src);
    if (!DecodeValue(d, src)) return Fail(start, "has a value window of more than 64 bits");
  }
  if (d.q * 8 - d.valid > size_ * 8) return Fail(start, "runs past the end of the data");
  pos_ = d.q * 8 - d.valid;
  t_ = d.t;
  t_delta_ = d.t_delta;
  v_bits_ = d.v_bits;
  sigbits_ = static_cast<uint8_t>(d.sigbits);
  trailing_ = static_cast<uint8_t>(d.trailing);
  *t_out = d.t;
  *v_out = d.v_bits;
  ++num_read_;
  return true;
}

size_t XORIterator::Decode(int64_t* ts, uint64_t* vs, size_t want) {
  Run r{pos_, t_, t_delta_, v_bits_, 64u - sigbits_, trailing_};
  size_t k = 0;
  const char* error = nullptr;
  size_t error_bit = 0;
  constexpr const char* kBadWindow = "has a value window of more than 64 bits";
  constexpr const char* kPastEnd = "runs past the end of the data";

  // While far from the end: every load is inside the data, so where a
  // sample ends needs no check.
  const size_t fast_end_bits = fast_end_ * 8;
  if (k < want && r.p < fast_end_bits) {
    k = DecodeFast(r, data_, fast_end_bits, ts, vs, want);
    if (k < want && r.p < fast_end_bits) {  // stopped early: a bad value window
      error = kBadWindow;
      error_bit = r.p;
    }
  }
  // The last bytes, from the zero-padded copy: every sample that starts
  // inside the data, then one check that the last of them ended inside it
  // too (positions only grow). Only when one did not is the tail decoded
  // again, checking each sample's end, to name the sample that runs past.
  if (error == nullptr && k < want) {
    const size_t offset_bits = tail_start_ * 8, end_bits = size_ * 8 - offset_bits;
    r.p -= offset_bits;
    const Run before = r;
    const size_t k_before = k;
    k += DecodeFast(r, tail_, end_bits, ts + k, vs + k, want - k);
    if (r.p > end_bits) {
      r = before;
      k = k_before;
      while (k < want) {
        const size_t start = r.p;
        if (!DecodeSample(r, tail_, Peek57(tail_, r.p)) || r.p > end_bits) {
          error = r.p > end_bits ? kPastEnd : kBadWindow;
          error_bit = offset_bits + start;
          r.p = start;
          break;
        }
        ts[k] = r.t;
        vs[k] = r.v_bits;
        ++k;
      }
    } else if (k < want) {  // a bad window, or a sample starting at the very end
      error = r.p < end_bits ? kBadWindow : kPastEnd;
      error_bit = offset_bits + r.p;
    }
    r.p += offset_bits;
  }

  num_read_ = static_cast<uint16_t>(num_read_ + k);
  SaveRun(r);
  if (error != nullptr) Fail(error_bit, error);
  return k;
}

size_t XORIterator::DecodeSamples(int64_t* ts, uint64_t* vs, size_t want) {
  size_t k = 0;
  if (num_read_ < 2) {
    k = DecodeHead(ts, vs, want);
    if (num_read_ < 2 || !status_.ok()) return k;
  }
  return k + Decode(ts + k, vs + k, want - k);
}

bool XORIterator::Fill() {
  if (num_read_ >= num_total_) return false;
  const size_t k = DecodeSamples(batch_.ts, batch_.vs, std::min<size_t>(kBatch, num_total_ - num_read_));
  if (k == 0) return false;
  batch_.idx = 0;
  batch_.cnt = static_cast<uint8_t>(k);
  return true;
}

size_t XORIterator::NextBatch(int64_t* ts, uint64_t* vs, size_t max) {
  size_t n = 0;
  // What the iterator has decoded but not returned yet.
  while (n < max && batch_.idx + 1 < batch_.cnt) {
    ++batch_.idx;
    ts[n] = batch_.ts[batch_.idx];
    vs[n] = batch_.vs[batch_.idx];
    ++n;
  }
  // The rest straight into the caller's arrays; the batch is used up, so
  // it now holds just the last sample returned.
  if (n < max && num_read_ < num_total_) {
    const size_t k = DecodeSamples(ts + n, vs + n, std::min<size_t>(max - n, num_total_ - num_read_));
    if (k > 0) {
      n += k;
      batch_.ts[0] = ts[n - 1];
      batch_.vs[0] = vs[n - 1];
      batch_.idx = 0;
      batch_.cnt = 1;
    }
  }
  return n;
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
  c.num_ = it.num_total_;
  if (c.num_ == 0) return c;
  // Continue right after the last bit of the last sample.
  size_t used_bits = 16 + it.pos_;
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
  c.leading_ = static_cast<uint8_t>(64 - it.sigbits_ - it.trailing_);
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
