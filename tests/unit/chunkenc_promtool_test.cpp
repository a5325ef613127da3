// Bit-exactness against the real Prometheus: tests/data/promtool_block is a
// block written by `promtool tsdb create-blocks-from openmetrics` (2.42, see
// tests/data/make_promtool_chunks.sh). Its chunk segment file is parsed here
// by hand; every chunk's CRC32C must verify, our decoder must give back
// exactly the samples of input.om.txt, our encoder must re-encode them to the
// same bytes, and ChunkCutter must cut them where Prometheus did.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "chunkenc/chunk.h"
#include "chunkenc/chunk_cutter.h"
#include "chunkenc/xor.h"
#include "encoding/crc32c.h"
#include "encoding/encoding.h"

namespace tsdb::chunkenc {
namespace {

const std::string kDir = std::string(TSDB_SOURCE_DIR) + "/tests/data/promtool_block/";

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Sample {
  int64_t t;
  uint64_t bits;
  bool operator==(const Sample&) const = default;
};

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Series {
  Labels labels;
  std::vector<Sample> samples;
};

// input.om.txt as promtool reads it: samples grouped per series, series in
// index order (label sets sorted by name, compared pair by pair).
std::vector<Series> ReadInput() {
  std::istringstream in(ReadFile(kDir + "input.om.txt"));
  std::map<std::string, Series> by_key;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t close = line.find('}');
    EXPECT_NE(close, std::string::npos) << line;
    std::string key = line.substr(0, close + 1);
    std::istringstream rest(line.substr(close + 1));
    std::string value, ts;
    rest >> value >> ts;
    Series& s = by_key[key];
    if (s.labels.empty()) {
      size_t open = key.find('{');
      s.labels.push_back({"__name__", key.substr(0, open)});
      std::string body = key.substr(open + 1, key.size() - open - 2);
      std::istringstream pairs(body);
      std::string kv;
      while (std::getline(pairs, kv, ',')) {
        size_t eq = kv.find('=');
        s.labels.push_back({kv.substr(0, eq), kv.substr(eq + 2, kv.size() - eq - 3)});
      }
      std::sort(s.labels.begin(), s.labels.end());
    }
    // Go's ParseFloat("NaN") is math.NaN(): 0x7ff8000000000001.
    uint64_t bits = value == "NaN" ? 0x7ff8000000000001 : std::bit_cast<uint64_t>(std::strtod(value.c_str(), nullptr));
    // promtool: int64(float seconds * 1000).
    auto t = static_cast<int64_t>(std::strtod(ts.c_str(), nullptr) * 1000);
    s.samples.push_back({t, bits});
  }
  std::vector<Series> out;
  for (auto& [k, s] : by_key) out.push_back(std::move(s));
  std::sort(out.begin(), out.end(), [](const Series& a, const Series& b) { return a.labels < b.labels; });
  return out;
}

struct SegmentChunk {
  size_t offset;
  uint8_t encoding;
  std::vector<uint8_t> data;
};

// chunks/000001: magic 0x85BD40DD, version 1, 3 bytes padding, then
// uvarint len | encoding | data | BE32 CRC32C(encoding + data).
std::vector<SegmentChunk> ReadSegment(const std::string& path) {
  std::string file = ReadFile(path);
  const auto* p = reinterpret_cast<const uint8_t*>(file.data());
  std::vector<SegmentChunk> out;
  EXPECT_GE(file.size(), 8u);
  EXPECT_EQ(encoding::BE32(p), 0x85BD40DDu);
  EXPECT_EQ(p[4], 1);
  EXPECT_EQ(p[5] | p[6] | p[7], 0);
  size_t off = 8;
  while (off < file.size()) {
    uint64_t len = 0;
    size_t k = encoding::GetUvarint(p + off, file.size() - off, &len);
    EXPECT_TRUE(k > 0 && k != SIZE_MAX) << "bad length at " << off;
    if (k == 0 || k == SIZE_MAX || off + k + 1 + len + 4 > file.size()) {
      ADD_FAILURE() << "chunk at " << off << " runs past the end";
      break;
    }
    SegmentChunk c;
    c.offset = off;
    c.encoding = p[off + k];
    c.data.assign(p + off + k + 1, p + off + k + 1 + len);
    uint32_t want = encoding::BE32(p + off + k + 1 + len);
    EXPECT_EQ(encoding::Crc32c(p + off + k, 1 + len), want) << "CRC of the chunk at " << off;
    out.push_back(std::move(c));
    off += k + 1 + len + 4;
  }
  return out;
}

TEST(PromtoolBlock, EveryChunkDecodesReencodesAndCutsAsPrometheus) {
  const auto series = ReadInput();
  const auto chunks = ReadSegment(kDir + "chunks/000001");
  ASSERT_EQ(series.size(), 7u);
  ASSERT_EQ(chunks.size(), 14u);  // meta.json: numChunks

  size_t next = 0, total_samples = 0, identical = 0;
  for (const auto& s : series) {
    SCOPED_TRACE(s.labels[0].second);
    // Where Prometheus cut this series: promtool's head uses a chunk range of
    // twice the 2h block duration.
    ChunkCutter cutter({.chunk_range_ms = 2 * ChunkCutter::kDefaultChunkRangeMs});
    std::vector<size_t> want_sizes;
    for (const auto& smp : s.samples) {
      if (cutter.Append(smp.t)) want_sizes.push_back(0);
      ++want_sizes.back();
    }

    std::vector<Sample> decoded;
    std::vector<size_t> got_sizes;
    while (decoded.size() < s.samples.size() && next < chunks.size()) {
      const SegmentChunk& c = chunks[next++];
      auto opened = Chunk::Open(c.encoding, c.data);
      ASSERT_TRUE(opened.ok()) << opened.status().message();
      ASSERT_TRUE(opened->is_float());
      auto it = opened->FloatIterator();
      ASSERT_TRUE(it.ok());
      XORChunk again;
      size_t n = 0;
      while (it->Next()) {
        decoded.push_back({it->t(), it->v_bits()});
        again.Append(it->t(), it->v());
        ++n;
      }
      ASSERT_TRUE(it->status().ok()) << it->status().message();
      EXPECT_EQ(n, opened->num_samples());
      got_sizes.push_back(n);
      std::vector<uint8_t> ours(again.bytes().begin(), again.bytes().end());
      EXPECT_EQ(ours, c.data) << "chunk at offset " << c.offset << " re-encodes differently";
      if (ours == c.data) ++identical;
    }
    ASSERT_EQ(decoded.size(), s.samples.size());
    for (size_t i = 0; i < decoded.size(); ++i) {
      ASSERT_EQ(decoded[i], s.samples[i]) << "sample " << i;
    }
    EXPECT_EQ(got_sizes, want_sizes);
    total_samples += decoded.size();
  }
  EXPECT_EQ(next, chunks.size());
  EXPECT_EQ(total_samples, 1054u);  // meta.json: numSamples
  EXPECT_EQ(identical, chunks.size());
}

TEST(PromtoolBlock, FlippedByteInAChunkFailsItsCRC) {
  auto chunks = ReadSegment(kDir + "chunks/000001");
  ASSERT_FALSE(chunks.empty());
  std::string file = ReadFile(kDir + "chunks/000001");
  auto* p = reinterpret_cast<uint8_t*>(file.data());
  const SegmentChunk& c = chunks[3];
  size_t data_at = c.offset + encoding::UvarintSize(c.data.size()) + 1;
  uint32_t want = encoding::BE32(p + data_at + c.data.size());
  p[data_at + 5] ^= 0x10;
  EXPECT_NE(encoding::Crc32c(p + data_at - 1, 1 + c.data.size()), want);
}

}  // namespace
}  // namespace tsdb::chunkenc
