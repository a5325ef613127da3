// Fuzzes XOR chunks both ways:
//  - the input decoded as a chunk (XORIterator, Seek, XORChunk::FromBytes)
//    must never crash, read out of bounds or hang, must stop within the
//    header's count, and must either finish or report Corruption;
//  - samples derived from the input are encoded, decoded back bit for bit,
//    re-encoded from the decoded samples to the same bytes, and resumed
//    with FromBytes to the same samples.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "chunkenc/chunk.h"
#include "chunkenc/xor.h"

namespace {

using tsdb::chunkenc::XORChunk;
using tsdb::chunkenc::XORIterator;

void Check(bool ok) {
  if (!ok) std::abort();
}

void DecodeArbitrary(std::span<const uint8_t> in) {
  XORIterator it(in);
  size_t n = 0;
  while (it.Next()) ++n;
  Check(n <= it.num_samples());
  Check(it.status().ok() || it.status().code() == tsdb::Status::Code::kCorruption);
  if (it.status().ok()) Check(n == it.num_samples());

  if (in.size() >= 8) {
    int64_t target;
    std::memcpy(&target, in.data() + in.size() - 8, 8);
    XORIterator seek(in);
    if (seek.Seek(target)) Check(seek.t() >= target);
  }
  auto resumed = XORChunk::FromBytes(in);
  if (resumed.ok()) {
    resumed->Append(1, 1.0);  // any state must stay appendable
  }
  for (uint8_t enc = 0; enc < 6; ++enc) {
    auto c = tsdb::chunkenc::Chunk::Open(enc, in);
    if (c.ok() && c->is_float()) {
      auto f = c->FloatIterator();
      Check(f.ok());
    }
  }
}

struct Sample {
  int64_t t;
  uint64_t bits;
};

// Samples from the input: a mode byte, then 16 bytes per sample choosing a
// timestamp step and a value, so the fuzzer reaches every bucket and window.
std::vector<Sample> SamplesFrom(std::span<const uint8_t> in) {
  std::vector<Sample> out;
  if (in.empty()) return out;
  const uint8_t mode = in[0];
  int64_t t = 1700000000000;
  uint64_t v = 0x3ff0000000000000;
  for (size_t i = 1; i + 16 <= in.size() && out.size() < 2000; i += 16) {
    int64_t step;
    uint64_t bits;
    std::memcpy(&step, in.data() + i, 8);
    std::memcpy(&bits, in.data() + i + 8, 8);
    if (mode & 1) step &= 0xFFFFF;  // small dods, mostly
    t = static_cast<int64_t>(static_cast<uint64_t>(t) + static_cast<uint64_t>(step));
    if (mode & 2) {
      v ^= bits & 0xFFFF;  // nearby values: window reuse
    } else {
      v = bits;
    }
    out.push_back({t, v});
  }
  return out;
}

void RoundTrip(std::span<const uint8_t> in) {
  const auto samples = SamplesFrom(in);
  XORChunk c;
  for (const auto& s : samples) Check(c.Append(s.t, std::bit_cast<double>(s.bits)));
  XORIterator it(c.bytes());
  XORChunk again;
  size_t i = 0;
  while (it.Next()) {
    Check(i < samples.size());
    Check(it.t() == samples[i].t && it.v_bits() == samples[i].bits);
    again.Append(it.t(), it.v());
    ++i;
  }
  Check(it.status().ok());
  Check(i == samples.size());
  Check(std::equal(c.bytes().begin(), c.bytes().end(), again.bytes().begin(), again.bytes().end()));

  // Resume half way: same samples.
  if (samples.size() >= 2) {
    const size_t half = samples.size() / 2;
    XORChunk first;
    for (size_t k = 0; k < half; ++k) first.Append(samples[k].t, std::bit_cast<double>(samples[k].bits));
    auto resumed = XORChunk::FromBytes(first.bytes());
    Check(resumed.ok());
    for (size_t k = half; k < samples.size(); ++k) {
      resumed->Append(samples[k].t, std::bit_cast<double>(samples[k].bits));
    }
    XORIterator r(resumed->bytes());
    size_t k = 0;
    while (r.Next()) {
      Check(k < samples.size() && r.t() == samples[k].t && r.v_bits() == samples[k].bits);
      ++k;
    }
    Check(r.status().ok() && k == samples.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A copy of exactly `size` bytes so that ASan sees any read past them.
  std::vector<uint8_t> in(data, data + size);
  DecodeArbitrary(in);
  RoundTrip(in);
  return 0;
}
