// gocompat::parse_rfc3339_ns/_seconds: the timestamps docker writes (json-file logs, state files,
// image configs) and the ones `logs --since` accepts; the cases the three former copies tested.
#include <gtest/gtest.h>

#include "compose/gocompat/rfc3339.hpp"

using berth::gocompat::parse_rfc3339_ns;
using berth::gocompat::parse_rfc3339_seconds;
using berth::gocompat::rfc3339_now;

namespace {
constexpr std::int64_t kSec = 1'000'000'000;
}  // namespace

TEST(GoFmtRfc3339, FractionsAndZones) {
  EXPECT_EQ(parse_rfc3339_ns("2026-11-23T03:12:37Z"), 1795403557 * kSec);
  EXPECT_EQ(parse_rfc3339_ns("2026-11-23T03:12:37.000000001Z"), 1795403557 * kSec + 1);
  EXPECT_EQ(parse_rfc3339_ns("2026-11-23T05:12:37+02:00"), 1795403557 * kSec);
  EXPECT_EQ(parse_rfc3339_ns("2026-11-23T01:12:37.5-02:00"), 1795403557 * kSec + kSec / 2);
  EXPECT_EQ(parse_rfc3339_ns("2024-01-02T03:04:05.5Z"), 1704164645 * kSec + kSec / 2);
  EXPECT_EQ(parse_rfc3339_ns("1970-01-01T02:00:00.123456789+02:00"), 123456789);
}

TEST(GoFmtRfc3339, ShortFormsAreUtc) {
  EXPECT_EQ(parse_rfc3339_ns("2026-11-23T03:12:37"), 1795403557 * kSec);
  EXPECT_EQ(parse_rfc3339_ns("2026-11-23"), (1795403557 - 3 * 3600 - 12 * 60 - 37) * kSec);
}

TEST(GoFmtRfc3339, Invalid) {
  EXPECT_FALSE(parse_rfc3339_ns("2026-13-23T03:12:37Z"));
  EXPECT_FALSE(parse_rfc3339_ns("2026-11-23T03:12:37.1234567891Z"));
  EXPECT_FALSE(parse_rfc3339_ns("2026-11-23T03:12:37Zjunk"));
  EXPECT_FALSE(parse_rfc3339_ns("2026-11-23T03:12"));
  EXPECT_FALSE(parse_rfc3339_ns("yesterday"));
  EXPECT_FALSE(parse_rfc3339_ns(""));
}

TEST(GoFmtRfc3339, Seconds) {
  EXPECT_EQ(parse_rfc3339_seconds("1970-01-01T00:01:00Z"), 60);
  EXPECT_EQ(parse_rfc3339_seconds("1970-01-01T02:00:00.123456789+02:00"), 0);
  EXPECT_EQ(parse_rfc3339_seconds("1969-12-31T23:59:59.5Z"), -1);  // towards the past, as timegm
  EXPECT_FALSE(parse_rfc3339_seconds("yesterday"));
  // Go's zero time (state files before a container ever started): before the epoch.
  EXPECT_LT(*parse_rfc3339_seconds("0001-01-01T00:00:00Z"), 0);
}

TEST(Rfc3339, NowIsUtcWithNanosecondsAndParsesBack) {
  const std::string now = rfc3339_now();
  ASSERT_EQ(now.size(), 30u) << now;  // 2024-05-01T10:20:30.123456789Z
  EXPECT_EQ(now.back(), 'Z');
  EXPECT_TRUE(parse_rfc3339_ns(now)) << now;
}
