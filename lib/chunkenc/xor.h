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
// zero bits to a whole byte (Prometheus 2.x leaves a whole spare zero byte
// when the last write was whole bytes on a byte boundary, e.g. in every
// 1-sample chunk; see BStream::WriteBits).
//
// XORChunk owns its bytes and appends to them. XORIterator walks bytes it does
// not own (usually an mmap of a chunk segment file): the memory must outlive
// it. Neither is thread-safe; both are cheap to move. XORIterator decodes 32
// samples at a time into arrays it holds and allocates nothing. It is about
// 700 bytes, but making one writes under 200 of them, and so does copying one
// between batches (the arrays are neither cleared nor copied past the
// samples they hold): one per chunk is fine, one per sample is not. To read many
// samples, NextBatch() decodes straight into the caller's arrays, and
// ForEachRest() hands each sample to a callback from such batches; both
// are faster per sample than Next() (see BENCHMARKS.md).
//
// Malformed or truncated bytes never make the iterator read outside its span
// or loop: Next() returns false and status() is Corruption, naming the byte
// offset inside the chunk and the sample being read. One deliberate
// difference from Go: a new value window whose leading zeros plus significant
// bits exceed 64 (which no encoder writes) is Corruption here, where xor.go
// silently decodes an unchanged value.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

#include "chunkenc/bstream.h"
#include "model/status.h"

namespace tsdb::chunkenc {

namespace detail {
struct Run;  // the decoder's state in registers (xor.cpp)
}  // namespace detail

class XORIterator {
 public:
  XORIterator() = default;  // an iterator over no samples
  // `chunk` is the chunk's data: the 2-byte sample count and the bit stream
  // (what a segment file holds between the encoding byte and the CRC).
  explicit XORIterator(std::span<const uint8_t> chunk) { Reset(chunk); }
  void Reset(std::span<const uint8_t> chunk);

  // Advances to the next sample; false at the end or on a decode error
  // (status() tells them apart). Samples before a decode error are returned.
  bool Next() {
    if (batch_.idx + 1 < batch_.cnt) {
      ++batch_.idx;
      return true;
    }
    return Fill();
  }

  // Decodes up to `max` of the samples after the ones already returned
  // straight into ts[0..n) and vs[0..n) (the values' bits), returning n: the
  // way to read a whole chunk without a call per sample. 0 at the end or on a
  // decode error (status() tells them apart); samples before an error are
  // returned. Afterwards t()/v() are the last sample returned, and Next() or
  // NextBatch() continue after it.
  size_t NextBatch(int64_t* ts, uint64_t* vs, size_t max);

  // Calls f(t, v_bits) for every sample after the ones already returned,
  // in order, decoding them NextBatch() at a time; stops early when f
  // returns false. Afterwards status() tells the end from a decode error,
  // and t()/v() are unspecified. The way callers that look at each sample
  // (a querier's range and tombstone checks) still read at batch speed.
  template <typename F>
  void ForEachRest(F&& f) {
    constexpr size_t kChunk = 128;  // a Prometheus chunk's 120 in one call
    int64_t ts[kChunk];
    uint64_t vs[kChunk];
    for (size_t n; (n = NextBatch(ts, vs, kChunk)) > 0;) {
      for (size_t i = 0; i < n; ++i) {
        if (!f(ts[i], vs[i])) return;
      }
    }
  }

  // Advances to the first sample with timestamp >= t. Does nothing if the
  // current sample already qualifies; never moves backwards. False if no
  // such sample exists (or on a decode error).
  bool Seek(int64_t t) {
    while (batch_.cnt == 0 || t > batch_.ts[batch_.idx]) {
      if (!Next()) return false;
    }
    return true;
  }

  // The current sample; unspecified before the first successful Next/Seek.
  int64_t t() const { return batch_.ts[batch_.idx]; }
  double v() const { return std::bit_cast<double>(batch_.vs[batch_.idx]); }
  uint64_t v_bits() const { return batch_.vs[batch_.idx]; }  // the value's exact bits (NaN payloads, -0)
  const Status& status() const { return status_; }
  uint16_t num_samples() const { return num_total_; }  // as the header says

 private:
  friend class XORChunk;  // resumes appending from an iterator's final state

  // Samples are decoded kBatch at a time into batch_ by a loop that keeps
  // the decoder's state in registers; Next() mostly just steps through them.
  static constexpr int kBatch = 32;
  // Loads within kMargin bytes of the end come from tail_, a zero-padded
  // copy, so that they never leave valid memory (a sample's loads reach at
  // most 19 bytes past its first byte).
  static constexpr size_t kMargin = 24;
  // Chunks of at least this many data bytes hold the first two samples'
  // longest encoding (two 10-byte varints, 8 value bytes, a 77-bit XOR
  // value) and the loads that read it, so DecodeHead reads them without a
  // bounds check.
  static constexpr size_t kHeadFastBytes = 40;
  bool Fill();
  // Each decodes up to `want` samples after the num_read_ already decoded
  // into ts[0..n) and vs[0..n) and returns n; fewer only at a decode error
  // (status_ says which) or, for DecodeHead, after sample 1.
  size_t DecodeSamples(int64_t* ts, uint64_t* vs, size_t want);  // any sample
  size_t DecodeHead(int64_t* ts, uint64_t* vs, size_t want);     // samples 0 and 1
  bool DecodeHeadSample(int64_t* t, uint64_t* v);                // sample 0 or 1, checking bounds
  size_t Decode(int64_t* ts, uint64_t* vs, size_t want);         // samples 2 and later
  bool Fail(size_t bit_in_stream, const char* what);
  void SaveRun(const detail::Run& r);  // the decoder's state after its last sample

  const uint8_t* data_ = nullptr;  // the bit stream, after the sample count
  size_t size_ = 0;
  size_t tail_start_ = 0;  // tail_[0] is data_[tail_start_]
  size_t fast_end_ = 0;    // loads straight from data_ while pos_ / 8 < fast_end_
  uint8_t tail_[kMargin + 40] = {};

  // Decoder state after the last decoded sample.
  size_t pos_ = 0;  // bits of the stream read
  int64_t t_ = 0;
  uint64_t t_delta_ = 0;
  uint64_t v_bits_ = 0;
  uint8_t sigbits_ = 64;  // the value window: 64 - leading - trailing
  uint8_t trailing_ = 0;
  uint16_t num_total_ = 0;
  uint16_t num_read_ = 0;  // decoded so far (ahead of the current sample)

  // The batch. Neither made nor copied whole: a new iterator sets only its
  // first sample, and a copy (Chunk::FloatIterator returns one) copies the
  // samples the batch holds, not all 512 bytes.
  struct Batch {
    Batch() { Clear(); }
    void Clear() {  // no samples; [0] set, as a copy reads it
      idx = cnt = 0;
      ts[0] = std::numeric_limits<int64_t>::min();
      vs[0] = 0;
    }
    Batch(const Batch& o) { *this = o; }
    Batch& operator=(const Batch& o) {
      idx = o.idx;
      cnt = o.cnt;
      const size_t n = cnt > 0 ? cnt : 1;  // [0] is always set
      std::copy_n(o.ts, n, ts);
      std::copy_n(o.vs, n, vs);
      return *this;
    }
    uint8_t idx = 0;  // current sample
    uint8_t cnt = 0;  // samples held; 0 before the first
    int64_t ts[kBatch];
    uint64_t vs[kBatch];
  };
  Batch batch_;
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
