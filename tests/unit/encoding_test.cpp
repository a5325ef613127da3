#include <gtest/gtest.h>

#include <limits>

#include "encoding/crc32c.h"
#include "encoding/encoding.h"

namespace tsdb::encoding {
namespace {

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // the standard check value
  EXPECT_EQ(Crc32c(""), 0u);
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);  // RFC 3720 B.4
  std::string ones(32, '\xff');
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  std::string inc(32, 0);
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(inc), 0x46DD794Eu);
}

TEST(Crc32c, ExtendEqualsWholeAtEverySplit) {
  std::string s;
  for (int i = 0; i < 100; ++i) s.push_back(static_cast<char>(i * 37 + 11));
  uint32_t whole = Crc32c(s);
  for (size_t split = 0; split <= s.size(); ++split) {
    EXPECT_EQ(Crc32cExtend(Crc32c(s.data(), split), s.data() + split, s.size() - split), whole) << split;
  }
}

TEST(Varint, MatchesGoEncoding) {
  std::string b;
  PutUvarint(&b, 300);
  EXPECT_EQ(b, std::string("\xac\x02", 2));
  b.clear();
  PutVarint(&b, -1);
  EXPECT_EQ(b, std::string("\x01", 1));
  b.clear();
  PutVarint(&b, 1);
  EXPECT_EQ(b, std::string("\x02", 1));
  b.clear();
  PutVarint(&b, -64);
  EXPECT_EQ(b, std::string("\x7f", 1));
  b.clear();
  PutUvarint(&b, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(b.size(), 10u);
  EXPECT_EQ(UvarintSize(std::numeric_limits<uint64_t>::max()), 10u);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{123456789}, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    std::string e;
    PutVarint(&e, v);
    Decbuf d(e);
    EXPECT_EQ(d.Varint(), v);
    EXPECT_TRUE(d.ok());
    EXPECT_EQ(d.remaining(), 0u);
  }
}

TEST(Decbuf, ReadsEveryTypeBigEndian) {
  Encbuf e;
  e.PutByte(7);
  e.PutBE32(0xDEADBEEF);
  e.PutBE64(0x0102030405060708ull);
  e.PutUvarintStr("hello");
  e.PutUvarint(1u << 20);
  Decbuf d(e.data());
  EXPECT_EQ(d.Byte(), 7);
  EXPECT_EQ(d.Be32(), 0xDEADBEEFu);
  EXPECT_EQ(d.Be64(), 0x0102030405060708ull);
  EXPECT_EQ(d.UvarintStr(), "hello");
  EXPECT_EQ(d.Uvarint32(), 1u << 20);
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.consumed(), e.size());
}

TEST(Decbuf, ErrorsAreStickyAndNeverReadPastTheEnd) {
  std::string truncated("\x80\x80", 2);  // a varint that never ends
  Decbuf d(truncated);
  EXPECT_EQ(d.Uvarint(), 0u);
  EXPECT_FALSE(d.ok());
  EXPECT_STREQ(d.err(), "truncated varint");
  EXPECT_EQ(d.Be32(), 0u);  // still failing, still the first error
  EXPECT_STREQ(d.err(), "truncated varint");

  std::string overflow(11, '\xff');
  Decbuf o(overflow);
  o.Uvarint();
  EXPECT_STREQ(o.err(), "varint overflows 64 bits");

  std::string huge_len;
  PutUvarint(&huge_len, 1ull << 40);
  huge_len += "abc";
  Decbuf h(huge_len);
  EXPECT_EQ(h.UvarintStr(), "");
  EXPECT_STREQ(h.err(), "string length past the end of the buffer");

  Decbuf big(std::string_view("\xff\xff\xff\xff\x0f", 5));
  EXPECT_EQ(big.Uvarint32(), 0xFFFFFFFFu);
  Decbuf too_big(std::string_view("\xff\xff\xff\xff\x1f", 5));
  too_big.Uvarint32();
  EXPECT_STREQ(too_big.err(), "varint does not fit in 32 bits");
}

}  // namespace
}  // namespace tsdb::encoding
