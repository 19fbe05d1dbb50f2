// Durations and byte sizes as compose-go reads and prints them (Go's time.Duration, go-units).
#include "compose/model/values.hpp"

#include <gtest/gtest.h>

namespace {

using namespace berth::model;

TEST(ModelValues, DurationsPrintLikeGo) {
  auto f = [](std::int64_t ns) { return format_duration(Duration{ns}); };
  EXPECT_EQ(f(0), "0s");
  EXPECT_EQ(f(100), "100ns");
  EXPECT_EQ(f(1'500), "1.5\xC2\xB5s");
  EXPECT_EQ(f(500'000'000), "500ms");
  EXPECT_EQ(f(1'500'000'000), "1.5s");
  EXPECT_EQ(f(60'000'000'000), "1m0s");
  EXPECT_EQ(f(3'600'000'000'000), "1h0m0s");
  EXPECT_EQ(f(7'384'500'000'000), "2h3m4.5s");
  EXPECT_EQ(f(-90'000'000'000), "-1m30s");
}

TEST(ModelValues, DurationsParseLikeComposeGo) {
  auto p = [](std::string_view s) { return parse_duration(s).value_or(Duration{-42}).nanoseconds; };
  EXPECT_EQ(p("0"), 0);
  EXPECT_EQ(p("1h2m3.5s"), 3'723'500'000'000);
  EXPECT_EQ(p(".5s"), 500'000'000);
  EXPECT_EQ(p("1.5h"), 5'400'000'000'000);
  EXPECT_EQ(p("300ms"), 300'000'000);
  EXPECT_EQ(p("2us"), 2'000);
  EXPECT_EQ(p("1d"), 86'400'000'000'000);
  EXPECT_EQ(p("1w"), 604'800'000'000'000);
  EXPECT_EQ(p("-1m"), -60'000'000'000);
  EXPECT_FALSE(parse_duration("10"));
  EXPECT_FALSE(parse_duration("1x"));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("s"));
}

TEST(ModelValues, ByteSizesParseLikeDocker) {
  EXPECT_EQ(parse_bytes("100"), 100);
  EXPECT_EQ(parse_bytes("10k"), 10240);
  EXPECT_EQ(parse_bytes("512m"), 536870912);
  EXPECT_EQ(parse_bytes("1.5GB"), 1610612736);
  EXPECT_EQ(parse_bytes("2 gib"), 2147483648);
  EXPECT_FALSE(parse_bytes("lots"));
  EXPECT_FALSE(parse_bytes("-1"));
  EXPECT_FALSE(parse_bytes("1q"));
}

}  // namespace
