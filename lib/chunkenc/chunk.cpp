#include "chunkenc/chunk.h"

#include <string>

#include "encoding/encoding.h"

namespace tsdb::chunkenc {

const char* EncodingName(uint8_t encoding) {
  switch (encoding) {
    case EncNone: return "none";
    case EncXOR: return "XOR";
    case EncHistogram: return "histogram";
    case EncFloatHistogram: return "floathistogram";
    case EncXOR2: return "XOR2";
    default: return "<unknown>";
  }
}

Result<Chunk> Chunk::Open(uint8_t encoding, std::span<const uint8_t> data) {
  size_t header;
  switch (encoding) {
    case EncXOR: header = 2; break;             // sample count
    case EncHistogram:                          // sample count, flags
    case EncFloatHistogram: header = 3; break;
    case EncXOR2: header = 3; break;            // sample count, start-timestamp header
    default:
      return Status::Corruption("invalid chunk encoding " + std::to_string(encoding) + " (" +
                                EncodingName(encoding) + ")");
  }
  if (data.size() < header) {
    return Status::Corruption(std::string(EncodingName(encoding)) + " chunk of " + std::to_string(data.size()) +
                              " bytes is shorter than its " + std::to_string(header) + "-byte header");
  }
  return Chunk(static_cast<Encoding>(encoding), data, encoding::BE16(data.data()));
}

Result<XORIterator> Chunk::FloatIterator() const {
  if (encoding_ == EncXOR) return XORIterator(data_);
  if (encoding_ == EncXOR2) {
    return Status::InvalidArgument("XOR2 chunk (Prometheus 3.x float encoding with start timestamps) is not supported");
  }
  return Status::InvalidArgument(std::string(EncodingName(encoding_)) + " chunk is not a float chunk");
}

}  // namespace tsdb::chunkenc
