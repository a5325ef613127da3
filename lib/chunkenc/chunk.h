// Chunk encodings as Prometheus numbers them (tsdb/chunkenc/chunk.go), and
// Chunk: a chunk's bytes checked against its encoding before anyone reads
// samples out of them.
//
// Only XOR chunks (float samples) are decoded here. Histogram and float
// histogram chunks open fine, report is_float() == false, and refuse to be
// iterated as floats (InvalidArgument "... is not a float chunk"): their
// bytes are never misread as floats. XOR2 (Prometheus 3.x's float encoding
// with start timestamps) is recognised and refused the same way. Any other
// encoding byte, including 0 (none), is Corruption.
//
// A Chunk does not own its bytes. Cheap to copy; thread-compatible.
#pragma once

#include <cstdint>
#include <span>

#include "chunkenc/xor.h"
#include "model/status.h"

namespace tsdb::chunkenc {

enum Encoding : uint8_t {
  EncNone = 0,
  EncXOR = 1,
  EncHistogram = 2,
  EncFloatHistogram = 3,
  EncXOR2 = 4,  // Prometheus 3.x, opt-in; not decoded here
};

// Prometheus's names: "none", "XOR", "histogram", "floathistogram", "XOR2",
// and "<unknown>" for anything else.
const char* EncodingName(uint8_t encoding);

// True for the encodings Prometheus can store in a segment file.
inline bool IsValidEncoding(uint8_t e) {
  return e == EncXOR || e == EncHistogram || e == EncFloatHistogram || e == EncXOR2;
}

class Chunk {
 public:
  // Checks that `encoding` is one Prometheus writes and that `data` holds at
  // least that encoding's header. Corruption otherwise, naming the encoding.
  static Result<Chunk> Open(uint8_t encoding, std::span<const uint8_t> data);

  Encoding encoding() const { return encoding_; }
  const char* encoding_name() const { return EncodingName(encoding_); }
  std::span<const uint8_t> bytes() const { return data_; }
  // The sample count in the chunk's header (every encoding starts with it;
  // XOR2's is the same 16 bits).
  uint16_t num_samples() const { return num_samples_; }
  // True when the samples are plain floats this package decodes (XOR).
  bool is_float() const { return encoding_ == EncXOR; }

  // An iterator over the float samples, or InvalidArgument for a chunk that
  // is not an XOR chunk ("histogram chunk is not a float chunk").
  Result<XORIterator> FloatIterator() const;

 private:
  Chunk(Encoding e, std::span<const uint8_t> data, uint16_t n) : encoding_(e), data_(data), num_samples_(n) {}

  Encoding encoding_ = EncNone;
  std::span<const uint8_t> data_;
  uint16_t num_samples_ = 0;
};

}  // namespace tsdb::chunkenc
