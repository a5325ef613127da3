#include <gtest/gtest.h>

#include <limits>

#include "model/timeutil.h"

namespace tsdb {
namespace {

TEST(Duration, ParsesPrometheusSyntax) {
  EXPECT_EQ(*ParseDuration("15s"), 15000);
  EXPECT_EQ(*ParseDuration("1h30m"), 5400000);
  EXPECT_EQ(*ParseDuration("1d"), 86400000);
  EXPECT_EQ(*ParseDuration("1w"), 7 * 86400000LL);
  EXPECT_EQ(*ParseDuration("1y"), 365 * 86400000LL);
  EXPECT_EQ(*ParseDuration("1s500ms"), 1500);
  EXPECT_EQ(*ParseDuration("0"), 0);
  EXPECT_EQ(*ParseDuration("2y3w"), (2 * 365 + 21) * 86400000LL);
}

TEST(Duration, RejectsBadSyntaxWithReason) {
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("1").ok());
  EXPECT_FALSE(ParseDuration("h").ok());
  EXPECT_FALSE(ParseDuration("1.5h").ok());
  EXPECT_FALSE(ParseDuration("-1h").ok());
  auto order = ParseDuration("30m1h");
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.status().message().find("out of order"), std::string::npos);
  auto unit = ParseDuration("5x");
  ASSERT_FALSE(unit.ok());
  EXPECT_NE(unit.status().message().find("unknown unit \"x\""), std::string::npos);
  EXPECT_FALSE(ParseDuration("999999999999y").ok());
}

TEST(Duration, FormatsAsPrometheus) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(5400000), "1h30m");
  EXPECT_EQ(FormatDuration(90 * 86400000LL), "90d");
  EXPECT_EQ(FormatDuration(14 * 86400000LL), "2w");
  EXPECT_EQ(FormatDuration(365 * 86400000LL), "1y");
  EXPECT_EQ(FormatDuration(1500), "1s500ms");
}

TEST(Timestamp, ParsesEveryForm) {
  const int64_t now = 1795111200000;
  EXPECT_EQ(*ParseTimestamp("now", now), now);
  EXPECT_EQ(*ParseTimestamp("now-1h", now), now - 3600000);
  EXPECT_EQ(*ParseTimestamp("now+30m", now), now + 1800000);
  EXPECT_EQ(*ParseTimestamp("1700000000", now), 1700000000000);
  EXPECT_EQ(*ParseTimestamp("1700000000.123", now), 1700000000123);
  EXPECT_EQ(*ParseTimestamp("1700000000.5", now), 1700000000500);
  EXPECT_EQ(*ParseTimestamp("2023-11-14T22:13:20Z", now), 1700000000000);
  EXPECT_EQ(*ParseTimestamp("2023-11-14T23:13:20.25+01:00", now), 1700000000250);
  EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:00Z", now), 0);
  EXPECT_EQ(*ParseTimestamp("-1.5", now), -1500);
  EXPECT_EQ(*ParseTimestamp("9223372036854775.807", now), std::numeric_limits<int64_t>::max());
}

TEST(Timestamp, RejectsGarbage) {
  for (const char* s : {"", "yesterday", "now-", "now-1", "2023-13-01T00:00:00Z", "2023-11-14T22:13:20", "17e9",
                        "1.2.3", "--1000000100000000000", "-+5",
                        // the largest seconds whose milliseconds fit, plus a fraction that does not
                        "9223372036854775.999"}) {
    EXPECT_FALSE(ParseTimestamp(s, 0).ok()) << s;
  }
}

TEST(Timestamp, FormatsRFC3339UTC) {
  EXPECT_EQ(FormatTimestamp(1700000000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatTimestamp(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace tsdb
