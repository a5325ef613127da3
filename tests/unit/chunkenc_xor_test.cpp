// XOR chunks and bit streams: round trips of many shapes, hand-computed
// bytes, bucket boundaries, Seek, resumed appends, corruption, Chunk::Open.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "chunkenc/bstream.h"
#include "chunkenc/chunk.h"
#include "chunkenc/xor.h"

namespace tsdb::chunkenc {
namespace {

struct Sample {
  int64_t t;
  uint64_t bits;
  bool operator==(const Sample&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Sample& s) {
  return os << "{t=" << s.t << " bits=0x" << std::hex << s.bits << std::dec << "}";
}

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }
double FromBits(uint64_t b) { return std::bit_cast<double>(b); }

constexpr uint64_t kStaleNaN = 0x7ff0000000000002;
constexpr uint64_t kGoNaN = 0x7ff8000000000001;

std::vector<uint8_t> Encode(const std::vector<Sample>& in) {
  XORChunk c;
  for (const auto& s : in) EXPECT_TRUE(c.Append(s.t, FromBits(s.bits)));
  EXPECT_EQ(c.num_samples(), static_cast<int>(in.size()));
  auto b = c.bytes();
  return {b.begin(), b.end()};
}

std::vector<Sample> Decode(std::span<const uint8_t> b, Status* st = nullptr) {
  std::vector<Sample> out;
  XORIterator it(b);
  while (it.Next()) {
    out.push_back({it.t(), it.v_bits()});
    EXPECT_EQ(Bits(it.v()), it.v_bits());
  }
  if (st) *st = it.status();
  else EXPECT_TRUE(it.status().ok()) << it.status().message();
  return out;
}

void ExpectRoundTrip(const std::vector<Sample>& in) {
  auto bytes = Encode(in);
  EXPECT_EQ(Decode(bytes), in);
}

std::vector<Sample> Regular(int n, int64_t t0, int64_t step, auto value) {
  std::vector<Sample> s;
  for (int i = 0; i < n; ++i) s.push_back({t0 + i * step, Bits(value(i))});
  return s;
}

// ---- bit streams ----------------------------------------------------------

TEST(BStream, WritesBitsMostSignificantFirst) {
  BStream b;
  b.WriteBit(true);
  b.WriteBit(false);
  b.WriteBits(0b101, 3);
  EXPECT_EQ(std::vector<uint8_t>(b.bytes().begin(), b.bytes().end()), std::vector<uint8_t>{0b10101000});
  b.WriteBits(0xABC, 12);
  EXPECT_EQ(std::vector<uint8_t>(b.bytes().begin(), b.bytes().end()),
            (std::vector<uint8_t>{0b10101101, 0b01011110, 0b00000000}));
  EXPECT_EQ(b.free_bits_in_last_byte(), 7u);
}

TEST(BStream, WholeBytesOnByteBoundaryLeaveSpareByteAsPrometheus2) {
  BStream b;
  b.WriteByte(0xAB);  // from a full (empty) stream: Go appends two bytes
  EXPECT_EQ(std::vector<uint8_t>(b.bytes().begin(), b.bytes().end()), (std::vector<uint8_t>{0xAB, 0x00}));
  EXPECT_EQ(b.free_bits_in_last_byte(), 8u);
  b.WriteBit(true);  // goes into the spare byte
  EXPECT_EQ(std::vector<uint8_t>(b.bytes().begin(), b.bytes().end()), (std::vector<uint8_t>{0xAB, 0x80}));
  b.WriteByte(0xFF);  // unaligned: no spare byte
  EXPECT_EQ(std::vector<uint8_t>(b.bytes().begin(), b.bytes().end()), (std::vector<uint8_t>{0xAB, 0xFF, 0x80}));
  EXPECT_EQ(b.free_bits_in_last_byte(), 7u);
}

TEST(BStreamReader, ReadsWhatWasWrittenAtEveryWidthAndAlignment) {
  std::mt19937_64 rng(7);
  BStream w;
  std::vector<std::pair<uint64_t, unsigned>> written;
  for (int i = 0; i < 5000; ++i) {
    unsigned n = 1 + rng() % 64;
    uint64_t v = rng() >> (64 - n);
    w.WriteBits(v, n);
    written.push_back({v, n});
  }
  BStreamReader r(w.bytes());
  for (auto [v, n] : written) {
    uint64_t got;
    ASSERT_TRUE(r.ReadBits(n, &got));
    ASSERT_EQ(got, v) << n;
  }
  EXPECT_LT(r.bits_left(), 16u);  // padding only (a spare byte at most)
}

TEST(BStreamReader, StopsAtTheEndWithoutConsuming) {
  const uint8_t bytes[] = {0xF0, 0x0F, 0xAA};
  BStreamReader r(bytes);
  uint64_t v;
  ASSERT_TRUE(r.ReadBits(4, &v));
  EXPECT_EQ(v, 0xFu);
  EXPECT_FALSE(r.ReadBits(21, &v));
  EXPECT_EQ(r.bits_left(), 20u);
  ASSERT_TRUE(r.ReadBits(20, &v));
  EXPECT_EQ(v, 0x00FAAu);
  bool bit;
  EXPECT_FALSE(r.ReadBit(&bit));
  EXPECT_FALSE(r.ReadBits(1, &v));
  EXPECT_FALSE(r.ReadBits(0, &v));
  EXPECT_FALSE(r.ReadBits(65, &v));
}

// ---- hand-computed bytes --------------------------------------------------

TEST(XORChunk, EmptyChunkIsTwoZeroBytes) {
  XORChunk c;
  EXPECT_EQ(std::vector<uint8_t>(c.bytes().begin(), c.bytes().end()), (std::vector<uint8_t>{0, 0}));
  XORIterator it(c.bytes());
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.status().ok());
}

TEST(XORChunk, OneSampleEndsWithPrometheusSpareByte) {
  // 00 01 | varint(1000) = zigzag 2000 = D0 0F | 1.0 = 3F F0 00.. | spare 00
  auto b = Encode({{1000, Bits(1.0)}});
  EXPECT_EQ(b, (std::vector<uint8_t>{0x00, 0x01, 0xD0, 0x0F, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x00}));
}

TEST(XORChunk, SecondSampleWithNewValueWindow) {
  // 1.0 ^ 2.0 = 0x7FF0...: '1' '1' leading=1 (00001) sigbits=11 (001011) 0x7FF
  // -> 11000010 01011111 11111111, written into the spare byte after E8 07.
  auto b = Encode({{1000, Bits(1.0)}, {2000, Bits(2.0)}});
  EXPECT_EQ(b, (std::vector<uint8_t>{0x00, 0x02, 0xD0, 0x0F, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0xE8, 0x07, 0xC2, 0x5F,
                                     0xFF}));
}

TEST(XORChunk, ZeroDodAndSameValueAreOneBitEach) {
  auto b = Encode({{1000, Bits(1.0)}, {2000, Bits(1.0)}, {3000, Bits(1.0)}});
  EXPECT_EQ(b, (std::vector<uint8_t>{0x00, 0x03, 0xD0, 0x0F, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0xE8, 0x07, 0x00}));
}

// The delta-of-delta bucket of the third sample, read back from the bits.
unsigned DodBucketBits(int64_t dod) {
  const int64_t d1 = 1000;
  XORChunk c;
  c.Append(0, 1.0);
  c.Append(d1, 1.0);
  c.Append(d1 + d1 + dod, 1.0);
  // 00 03 | varint(0)=00 | 8 value bytes | uvarint(1000)=E8 07 | value bit, dod...
  BStreamReader r(c.bytes().subspan(2 + 1 + 8 + 2));
  uint64_t v;
  EXPECT_TRUE(r.ReadBits(1, &v));
  EXPECT_EQ(v, 0u);  // second value unchanged
  unsigned ones = 0;
  bool bit = true;
  while (ones < 4 && r.ReadBit(&bit) && bit) ++ones;
  static constexpr unsigned kBits[] = {0, 14, 17, 20, 64};
  return kBits[ones];
}

TEST(XORChunk, DodBucketsMatchPrometheusBitRange) {
  EXPECT_EQ(DodBucketBits(0), 0u);
  EXPECT_EQ(DodBucketBits(1), 14u);
  EXPECT_EQ(DodBucketBits(-1), 14u);
  EXPECT_EQ(DodBucketBits(8192), 14u);    // 2^13: the top of (-2^13, 2^13]
  EXPECT_EQ(DodBucketBits(-8191), 14u);
  EXPECT_EQ(DodBucketBits(8193), 17u);
  EXPECT_EQ(DodBucketBits(-8192), 17u);
  EXPECT_EQ(DodBucketBits(65536), 17u);
  EXPECT_EQ(DodBucketBits(-65535), 17u);
  EXPECT_EQ(DodBucketBits(65537), 20u);
  EXPECT_EQ(DodBucketBits(-65536), 20u);
  EXPECT_EQ(DodBucketBits(524288), 20u);
  EXPECT_EQ(DodBucketBits(-524287), 20u);
  EXPECT_EQ(DodBucketBits(524289), 64u);
  EXPECT_EQ(DodBucketBits(-524288), 64u);
  EXPECT_EQ(DodBucketBits(int64_t{1} << 40), 64u);
}

TEST(XORChunk, DodBucketBoundariesRoundTrip) {
  for (int64_t dod : {0LL, 1LL, -1LL, 8191LL, 8192LL, 8193LL, -8191LL, -8192LL, -8193LL, 65535LL, 65536LL, 65537LL,
                      -65535LL, -65536LL, -65537LL, 524287LL, 524288LL, 524289LL, -524287LL, -524288LL, -524289LL,
                      1LL << 40, -(1LL << 40)}) {
    std::vector<Sample> s = {{0, Bits(1)}, {10000000, Bits(2)}};
    int64_t delta = 10000000;
    for (int i = 0; i < 5; ++i) {
      delta += dod;
      s.push_back({s.back().t + delta, Bits(3.0 + i)});
    }
    SCOPED_TRACE(dod);
    ExpectRoundTrip(s);
  }
}

// ---- round trips ------------------------------------------------------------

TEST(XORRoundTrip, Constant) { ExpectRoundTrip(Regular(120, 1700000000000, 15000, [](int) { return 42.0; })); }

TEST(XORRoundTrip, Counters) {
  uint64_t c = 0;
  std::mt19937_64 rng(1);
  ExpectRoundTrip(Regular(120, 1700000000000, 15000, [&](int) { return static_cast<double>(c += rng() % 1000); }));
  ExpectRoundTrip(Regular(120, 0, 1000, [](int i) { return i * 0.1; }));
}

TEST(XORRoundTrip, RandomDoublesAndBits) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(-1e6, 1e6);
  ExpectRoundTrip(Regular(1000, 1, 1, [&](int) { return u(rng); }));
  // Arbitrary 64-bit patterns, NaN payloads and subnormals included.
  std::vector<Sample> s;
  for (int i = 0; i < 2000; ++i) s.push_back({static_cast<int64_t>(i) * 7, rng()});
  ExpectRoundTrip(s);
}

TEST(XORRoundTrip, SpecialValuesKeepTheirBits) {
  const uint64_t vals[] = {kStaleNaN,
                           kGoNaN,
                           Bits(std::numeric_limits<double>::quiet_NaN()),
                           Bits(std::numeric_limits<double>::infinity()),
                           Bits(-std::numeric_limits<double>::infinity()),
                           Bits(-0.0),
                           Bits(0.0),
                           Bits(std::numeric_limits<double>::denorm_min()),
                           Bits(std::numeric_limits<double>::max()),
                           Bits(std::numeric_limits<double>::lowest()),
                           kStaleNaN,
                           kStaleNaN,
                           Bits(1.0),
                           kStaleNaN,
                           0xFFFFFFFFFFFFFFFF,
                           0x0000000000000001,
                           0x8000000000000000,
                           0x0000000000000000};
  std::vector<Sample> s;
  int64_t t = 1000;
  for (uint64_t v : vals) s.push_back({t += 15000, v});
  ExpectRoundTrip(s);
  // The stale marker comes back as exactly the stale marker.
  auto out = Decode(Encode(s));
  ASSERT_EQ(out.size(), s.size());
  EXPECT_EQ(out[0].bits, kStaleNaN);
  EXPECT_TRUE(std::isnan(FromBits(out[0].bits)));
}

TEST(XORRoundTrip, BigJumpsNegativeDeltasAndExtremeTimestamps) {
  const int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  ExpectRoundTrip({{kMin, Bits(1)}, {kMax, Bits(2)}, {0, Bits(3)}, {kMin, Bits(4)}, {kMax, Bits(5)}, {-1, Bits(6)}});
  ExpectRoundTrip({{1000, Bits(1)}, {500, Bits(1)}, {-400, Bits(1)}, {-100000000000, Bits(1)}, {0, Bits(1)}});
  ExpectRoundTrip({{0, Bits(1)}, {1, Bits(1)}, {3600000, Bits(1)}, {3600001, Bits(1)}, {86400000LL * 365, Bits(1)},
                   {86400000LL * 365 + 15000, Bits(2)}});
  std::mt19937_64 rng(3);
  std::vector<Sample> s;
  int64_t t = -5000000;
  for (int i = 0; i < 500; ++i) {
    t += static_cast<int64_t>(rng() % (1ULL << (rng() % 40))) - (i % 7 == 0 ? 100000 : 0);
    s.push_back({t, Bits(static_cast<double>(i))});
  }
  ExpectRoundTrip(s);
}

TEST(XORRoundTrip, OneTwoAndManySamples) {
  ExpectRoundTrip({{5, Bits(1.5)}});
  ExpectRoundTrip({{-5, Bits(-1.5)}});
  ExpectRoundTrip({{5, Bits(1.5)}, {6, Bits(-1.5)}});
  ExpectRoundTrip({{5, Bits(1.5)}, {6, Bits(1.5)}});
  ExpectRoundTrip(Regular(120, 1700000000000, 15000, [](int i) { return std::sin(i); }));
}

TEST(XORRoundTrip, SixtyFiveThousandFiveHundredThirtyFiveSamplesFillAChunk) {
  XORChunk c;
  std::vector<Sample> s;
  for (int i = 0; i < XORChunk::kMaxSamples; ++i) {
    s.push_back({1000LL * i + (i % 3), Bits(i % 10 == 0 ? static_cast<double>(i) : i * 0.5)});
    ASSERT_TRUE(c.Append(s.back().t, FromBits(s.back().bits)));
  }
  EXPECT_FALSE(c.Append(1LL << 40, 1.0));  // the 16-bit count is full
  EXPECT_EQ(c.num_samples(), 65535);
  EXPECT_EQ(c.bytes()[0], 0xFF);
  EXPECT_EQ(c.bytes()[1], 0xFF);
  EXPECT_EQ(Decode(c.bytes()), s);
}

TEST(XORChunk, FromBytesContinuesByteForByte) {
  std::mt19937_64 rng(4);
  uint64_t v = 0;
  auto s = Regular(200, 1700000000000, 15000, [&](int) { return static_cast<double>(v += rng() % 100); });
  auto whole = Encode(s);
  for (size_t k : {1u, 2u, 3u, 7u, 50u, 199u}) {
    XORChunk first;
    for (size_t i = 0; i < k; ++i) first.Append(s[i].t, FromBits(s[i].bits));
    auto resumed = XORChunk::FromBytes(first.bytes());
    ASSERT_TRUE(resumed.ok()) << resumed.status().message();
    for (size_t i = k; i < s.size(); ++i) resumed->Append(s[i].t, FromBits(s[i].bits));
    std::vector<uint8_t> got(resumed->bytes().begin(), resumed->bytes().end());
    if (k >= 2 && s[1].bits != s[0].bits) {
      EXPECT_EQ(got, whole) << "k=" << k;
    }
    EXPECT_EQ(Decode(got), s) << "k=" << k;
  }
}

TEST(XORChunk, FromBytesAfterOnlyUnchangedValuesStillDecodes) {
  // xor.go's Appender() starts from a 0/0 window here (not "none"): the
  // bytes differ from a continuous append, the samples do not.
  auto s = Regular(10, 0, 1000, [](int i) { return i < 5 ? 1.0 : 2.0 + i; });
  XORChunk first;
  for (int i = 0; i < 5; ++i) first.Append(s[i].t, FromBits(s[i].bits));
  auto resumed = XORChunk::FromBytes(first.bytes());
  ASSERT_TRUE(resumed.ok());
  for (int i = 5; i < 10; ++i) resumed->Append(s[i].t, FromBits(s[i].bits));
  EXPECT_EQ(Decode(resumed->bytes()), s);
}

TEST(XORChunk, FromBytesRejectsCorruptChunks) {
  const uint8_t truncated[] = {0x00, 0x05, 0xD0};
  auto r = XORChunk::FromBytes(truncated);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
}

// ---- Seek -------------------------------------------------------------------

TEST(XORIterator, SeekFindsFirstSampleAtOrAfter) {
  auto bytes = Encode(Regular(10, 1000, 100, [](int i) { return i; }));  // t = 1000..1900
  XORIterator it(bytes);
  ASSERT_TRUE(it.Seek(-5));
  EXPECT_EQ(it.t(), 1000);
  ASSERT_TRUE(it.Seek(1000));  // already there: no move
  EXPECT_EQ(it.t(), 1000);
  ASSERT_TRUE(it.Seek(1001));
  EXPECT_EQ(it.t(), 1100);
  EXPECT_EQ(it.v(), 1.0);
  ASSERT_TRUE(it.Seek(1500));
  EXPECT_EQ(it.t(), 1500);
  ASSERT_TRUE(it.Seek(1200));  // never backwards
  EXPECT_EQ(it.t(), 1500);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.t(), 1600);
  ASSERT_TRUE(it.Seek(1900));
  EXPECT_EQ(it.t(), 1900);
  EXPECT_FALSE(it.Seek(1901));
  EXPECT_TRUE(it.status().ok());
  EXPECT_FALSE(it.Next());

  XORIterator fresh(bytes);
  EXPECT_FALSE(fresh.Seek(5000));
  EXPECT_TRUE(fresh.status().ok());
  XORIterator empty;
  EXPECT_FALSE(empty.Seek(0));
  EXPECT_FALSE(empty.Next());
}

// NextBatch in batches of `max`, after `first` calls to Next().
std::vector<Sample> DecodeBatches(std::span<const uint8_t> b, size_t first, size_t max, Status* st) {
  XORIterator it(b);
  std::vector<Sample> out;
  for (size_t i = 0; i < first && it.Next(); ++i) out.push_back({it.t(), it.v_bits()});
  std::vector<int64_t> ts(max);
  std::vector<uint64_t> vs(max);
  while (size_t n = it.NextBatch(ts.data(), vs.data(), max)) {
    EXPECT_LE(n, max);
    for (size_t i = 0; i < n; ++i) out.push_back({ts[i], vs[i]});
    EXPECT_EQ((Sample{it.t(), it.v_bits()}), out.back());  // the current sample is the last returned
  }
  *st = it.status();
  return out;
}

TEST(XORIterator, NextBatchReturnsWhatNextReturnsInAnyBatchSize) {
  std::mt19937_64 rng(7);
  std::vector<std::vector<Sample>> inputs = {
      {},
      {{1000, Bits(1.0)}},
      {{1000, Bits(1.0)}, {2000, Bits(2.0)}},
      Regular(120, 1700000000000, 15000, [](int i) { return i * 3.0; }),
      Regular(500, 1700000000000, 15000, [&](int i) { return i % 7 == 0 ? FromBits(rng()) : std::round(i * 1.37 * 100) / 100; }),
  };
  std::vector<Sample> jittered;
  for (int i = 0; i < 300; ++i) jittered.push_back({1700000000000 + i * 15000 + static_cast<int64_t>(rng() % 5), Bits(static_cast<double>(rng() % 1000))});
  inputs.push_back(jittered);
  for (const auto& in : inputs) {
    auto bytes = Encode(in);
    for (size_t first : {0, 1, 2, 3, 40}) {
      for (size_t max : {1, 2, 3, 16, 31, 32, 33, 120, 1000}) {
        SCOPED_TRACE(testing::Message() << in.size() << " samples, " << first << " by Next(), batches of " << max);
        Status st;
        EXPECT_EQ(DecodeBatches(bytes, first, max, &st), in);
        EXPECT_TRUE(st.ok()) << st.message();
      }
    }
  }
}

TEST(XORIterator, NextBatchThenNextContinuesAfterTheBatch) {
  auto in = Regular(100, 1000, 100, [](int i) { return i * 0.5; });
  auto bytes = Encode(in);
  XORIterator it(bytes);
  int64_t ts[10];
  uint64_t vs[10];
  ASSERT_EQ(it.NextBatch(ts, vs, 10), 10u);
  EXPECT_EQ(ts[9], in[9].t);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ((Sample{it.t(), it.v_bits()}), in[10]);
  ASSERT_TRUE(it.Seek(in[50].t));
  EXPECT_EQ(it.t(), in[50].t);
  ASSERT_EQ(it.NextBatch(ts, vs, 10), 10u);
  EXPECT_EQ(ts[0], in[51].t);
  EXPECT_EQ(it.t(), in[60].t);
  ASSERT_TRUE(it.Seek(in[55].t));  // never backwards
  EXPECT_EQ(it.t(), in[60].t);
  EXPECT_EQ(it.NextBatch(ts, vs, 0), 0u);
  EXPECT_TRUE(it.status().ok());
}

TEST(XORIterator, ForEachRestHandsOverEverySampleAfterTheCurrentOne) {
  auto in = Regular(300, 1000, 100, [](int i) { return i % 3 == 0 ? i * 0.25 : 7.0; });
  auto bytes = Encode(in);
  XORIterator it(bytes);
  ASSERT_TRUE(it.Seek(in[40].t));
  std::vector<Sample> rest;
  it.ForEachRest([&](int64_t t, uint64_t v) {
    rest.push_back({t, v});
    return true;
  });
  EXPECT_TRUE(it.status().ok());
  EXPECT_EQ(rest, std::vector<Sample>(in.begin() + 41, in.end()));

  XORIterator fresh(bytes);
  size_t seen = 0;
  fresh.ForEachRest([&](int64_t t, uint64_t) { return ++seen, t < in[200].t; });
  EXPECT_EQ(seen, 201u);  // stops at the first sample the callback refuses
}

TEST(XORIterator, ACopyContinuesWhereTheOriginalWas) {
  // A copy carries only the samples its batch holds: check it at every
  // point of a chunk, mid-batch and at batch edges, by Next() and NextBatch().
  auto in = Regular(100, 1000, 100, [](int i) { return i % 4 == 0 ? i * 0.5 : 3.0; });
  auto bytes = Encode(in);
  for (size_t before = 0; before <= in.size(); ++before) {
    SCOPED_TRACE(before);
    XORIterator it(bytes);
    for (size_t i = 0; i < before; ++i) ASSERT_TRUE(it.Next());
    XORIterator copy(it);
    XORIterator assigned;
    assigned = it;
    if (before > 0) {
      EXPECT_EQ(copy.t(), in[before - 1].t);
      EXPECT_EQ(assigned.v_bits(), in[before - 1].bits);
    }
    std::vector<Sample> rest;
    while (copy.Next()) rest.push_back({copy.t(), copy.v_bits()});
    EXPECT_EQ(rest, std::vector<Sample>(in.begin() + static_cast<ptrdiff_t>(before), in.end()));
    int64_t ts[128];
    uint64_t vs[128];
    EXPECT_EQ(assigned.NextBatch(ts, vs, 128), in.size() - before);
    EXPECT_TRUE(copy.status().ok() && assigned.status().ok());
  }
}

TEST(XORIterator, ResetOntoAnotherChunkDecodesItAsAFreshIteratorDoes) {
  // The iterator keeps a padded copy of each chunk's tail: a short or
  // truncated chunk after a long one must not see the long one's bytes.
  auto long_bytes = Encode(Regular(120, 1700000000000, 15000, [](int i) { return i * 1.5; }));
  auto short_in = Regular(20, 1700000000000, 15000, [](int i) { return i * 2.5; });
  auto short_bytes = Encode(short_in);
  for (size_t n = 0; n <= short_bytes.size(); ++n) {
    std::vector<uint8_t> cut(short_bytes.begin(), short_bytes.begin() + static_cast<ptrdiff_t>(n));
    SCOPED_TRACE(n);
    XORIterator reused(long_bytes);
    while (reused.Next()) {
    }
    reused.Reset(cut);
    std::vector<Sample> got;
    while (reused.Next()) got.push_back({reused.t(), reused.v_bits()});
    Status want_st;
    EXPECT_EQ(got, Decode(cut, &want_st));
    EXPECT_EQ(reused.status().message(), want_st.message());
  }
}

// ---- corruption -------------------------------------------------------------

std::vector<std::vector<Sample>> Shapes() {
  std::mt19937_64 rng(5);
  std::vector<std::vector<Sample>> shapes;
  shapes.push_back({{1000, Bits(1.0)}});
  shapes.push_back({{1000, Bits(1.0)}, {2000, Bits(2.0)}});
  shapes.push_back(Regular(120, 1700000000000, 15000, [](int i) { return i * 3.0; }));
  shapes.push_back(Regular(60, 1700000000000, 15000, [&](int) { return FromBits(rng()); }));
  std::vector<Sample> jumps;
  int64_t t = 0;
  for (int i = 0; i < 40; ++i) jumps.push_back({t += (1LL << (i % 45)), i % 5 == 0 ? kStaleNaN : Bits(i)});
  shapes.push_back(jumps);
  return shapes;
}

// Whatever the bytes, the iterator yields a prefix of the original samples
// and either reaches the header's count or says why not.
void ExpectPrefixOrError(std::span<const uint8_t> bytes, const std::vector<Sample>& want) {
  XORIterator it(bytes);
  size_t n = 0;
  while (it.Next()) {
    ASSERT_LT(n, want.size());
    ASSERT_EQ((Sample{it.t(), it.v_bits()}), want[n]) << n;
    ++n;
  }
  if (it.status().ok()) {
    EXPECT_EQ(n, want.size());
  } else {
    EXPECT_EQ(it.status().code(), Status::Code::kCorruption);
    if (bytes.size() >= 2) {
      EXPECT_NE(it.status().message().find("at byte "), std::string::npos) << it.status().message();
    }
  }
}

TEST(XORCorruption, TruncationAtEveryByteIsAnErrorOrHarmless) {
  for (const auto& s : Shapes()) {
    auto bytes = Encode(s);
    for (size_t n = 0; n <= bytes.size(); ++n) {
      // A copy of exactly n bytes, so ASan sees any read past them.
      std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
      SCOPED_TRACE(n);
      ExpectPrefixOrError(cut, s);
      if (n < 2) {
        XORIterator it(cut);
        EXPECT_FALSE(it.Next());
        EXPECT_FALSE(it.status().ok());
      }
    }
  }
}

TEST(XORCorruption, TruncatedChunkNamesByteOffsetAndSample) {
  auto bytes = Encode(Regular(120, 1700000000000, 15000, [](int i) { return i * 1.5; }));
  std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + 30);
  Status st;
  auto got = Decode(cut, &st);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("XOR chunk of 30 bytes"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("sample 7 of 120 runs past the end of the data (at byte 28, bit 1)"), std::string::npos) << st.message();
  EXPECT_GT(got.size(), 2u);
}

// Batches stop at the same sample with the same message as Next().
void ExpectBatchesAsNext(std::span<const uint8_t> bytes) {
  Status want_st;
  auto want = Decode(bytes, &want_st);
  for (size_t max : {1, 7, 64}) {
    Status st;
    EXPECT_EQ(DecodeBatches(bytes, 0, max, &st), want) << max;
    EXPECT_EQ(st.code(), want_st.code());
    EXPECT_EQ(st.message(), want_st.message());
  }
}

TEST(XORCorruption, NextBatchStopsWhereNextStops) {
  for (const auto& s : Shapes()) {
    auto bytes = Encode(s);
    for (size_t n = 0; n <= bytes.size(); ++n) {
      std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
      SCOPED_TRACE(n);
      ExpectBatchesAsNext(cut);
    }
    for (size_t bit = 16; bit < bytes.size() * 8; bit += 3) {
      auto bad = bytes;
      bad[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
      SCOPED_TRACE(bit);
      ExpectBatchesAsNext(bad);
    }
  }
}

TEST(XORCorruption, FlippedBitsNeverCrash) {
  for (const auto& s : Shapes()) {
    auto bytes = Encode(s);
    for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
      auto bad = bytes;
      bad[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
      XORIterator it(bad);
      size_t n = 0;
      while (it.Next()) ++n;
      EXPECT_LE(n, 65535u);
      if (bit >= 16) {
        EXPECT_LE(n, s.size());
      }
      EXPECT_TRUE(it.status().ok() || it.status().code() == Status::Code::kCorruption);
    }
  }
}

TEST(XORCorruption, HeaderClaimingMoreSamplesThanPresent) {
  auto bytes = Encode(Regular(10, 0, 1000, [](int i) { return i; }));
  bytes[0] = 0xFF;  // 65290 samples claimed
  Status st;
  auto got = Decode(bytes, &st);
  EXPECT_FALSE(st.ok());
  EXPECT_GE(got.size(), 10u);
  EXPECT_LT(got.size(), 100u);
}

TEST(XORCorruption, ValueWindowWiderThan64BitsIsRejected) {
  BStream b;
  b.WriteBits(0x0002, 16);  // 2 samples: writes 2 bytes + spare
  auto head = std::vector<uint8_t>{0x00, 0x02, 0x00 /* t=0 */, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x01 /* delta 1 */};
  BStream v(head, 0);
  v.WriteBits(0b11, 2);
  v.WriteBits(31, 5);  // leading 31
  v.WriteBits(63, 6);  // 63 significant bits: 94 > 64
  v.WriteBits(~uint64_t{0}, 63);
  Status st;
  auto got = Decode(v.bytes(), &st);
  EXPECT_EQ(got.size(), 1u);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("value window of more than 64 bits"), std::string::npos) << st.message();
}

TEST(XORCorruption, OverlongVarintIsRejected) {
  std::vector<uint8_t> b = {0x00, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  b.resize(b.size() + 8);
  Status st;
  EXPECT_TRUE(Decode(b, &st).empty());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("overflowing 64 bits"), std::string::npos) << st.message();
}

// ---- Chunk::Open --------------------------------------------------------------

TEST(Chunk, EncodingNamesAsPrometheus) {
  EXPECT_STREQ(EncodingName(EncNone), "none");
  EXPECT_STREQ(EncodingName(EncXOR), "XOR");
  EXPECT_STREQ(EncodingName(EncHistogram), "histogram");
  EXPECT_STREQ(EncodingName(EncFloatHistogram), "floathistogram");
  EXPECT_STREQ(EncodingName(EncXOR2), "XOR2");
  EXPECT_STREQ(EncodingName(77), "<unknown>");
  EXPECT_EQ(EncXOR, 1);
  EXPECT_EQ(EncHistogram, 2);
  EXPECT_EQ(EncFloatHistogram, 3);
}

TEST(Chunk, OpensXORAndIteratesFloats) {
  auto bytes = Encode(Regular(3, 10, 10, [](int i) { return i; }));
  auto c = Chunk::Open(EncXOR, bytes);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->is_float());
  EXPECT_EQ(c->num_samples(), 3);
  auto it = c->FloatIterator();
  ASSERT_TRUE(it.ok());
  int n = 0;
  while (it->Next()) ++n;
  EXPECT_EQ(n, 3);
}

TEST(Chunk, HistogramChunksAreRecognisedButNeverReadAsFloats) {
  // A histogram chunk's header: count 1, flags; then histogram bits.
  const uint8_t hist[] = {0x00, 0x01, 0x40, 0x12, 0x34, 0x56, 0x78};
  for (uint8_t enc : {uint8_t{EncHistogram}, uint8_t{EncFloatHistogram}, uint8_t{EncXOR2}}) {
    auto c = Chunk::Open(enc, hist);
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_FALSE(c->is_float());
    EXPECT_EQ(c->num_samples(), 1);
    auto it = c->FloatIterator();
    ASSERT_FALSE(it.ok());
    EXPECT_EQ(it.status().code(), Status::Code::kInvalidArgument);
  }
  auto h = Chunk::Open(EncHistogram, hist);
  EXPECT_EQ(h->FloatIterator().status().message(), "histogram chunk is not a float chunk");
  EXPECT_EQ(Chunk::Open(EncFloatHistogram, hist)->FloatIterator().status().message(),
            "floathistogram chunk is not a float chunk");
}

TEST(Chunk, UnknownEncodingsAndShortChunksAreCorruption) {
  const uint8_t data[] = {0x00, 0x01, 0x02, 0x03};
  for (int e : {0, 5, 6, 127, 255}) {
    auto c = Chunk::Open(static_cast<uint8_t>(e), data);
    ASSERT_FALSE(c.ok()) << e;
    EXPECT_EQ(c.status().code(), Status::Code::kCorruption);
    EXPECT_NE(c.status().message().find("invalid chunk encoding " + std::to_string(e)), std::string::npos);
  }
  EXPECT_EQ(Chunk::Open(EncXOR, std::span<const uint8_t>(data, 1)).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(Chunk::Open(EncHistogram, std::span<const uint8_t>(data, 2)).status().code(), Status::Code::kCorruption);
  EXPECT_TRUE(Chunk::Open(EncXOR, std::span<const uint8_t>(data, 2)).ok());
}

}  // namespace
}  // namespace tsdb::chunkenc
