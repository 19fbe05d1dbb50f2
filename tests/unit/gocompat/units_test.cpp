// Durations, byte sizes and Go float printing (compose/gocompat/units.cpp), checked against what the
// Go functions they port return.
#include "compose/gocompat/units.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace berth::gocompat;

namespace {
constexpr int64_t k_ms = 1'000'000;
constexpr int64_t k_s = 1'000 * k_ms;
}  // namespace

TEST(Units, ParsesGoDurations) {
  EXPECT_EQ(berth::gocompat::parse_duration_ns("1m30s"), 90 * k_s);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("1.5h"), 5400 * k_s);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("300ms"), 300 * k_ms);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("0"), 0);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("-0"), 0);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("-1.5h"), -5400 * k_s);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("+10s"), 10 * k_s);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("2us"), 2000);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("2\xC2\xB5s"), 2000);  // micro sign
  EXPECT_EQ(berth::gocompat::parse_duration_ns("2\xCE\xBCs"), 2000);  // Greek mu
  EXPECT_EQ(berth::gocompat::parse_duration_ns("7ns"), 7);
  EXPECT_EQ(berth::gocompat::parse_duration_ns(".5s"), 500 * k_ms);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("1.s"), k_s);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("1h2m3s4ms"), 3723 * k_s + 4 * k_ms);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("1d"), 24 * 3600 * k_s);  // go-str2duration units compose-go accepts
  EXPECT_EQ(berth::gocompat::parse_duration_ns("1w"), 7 * 24 * 3600 * k_s);
  EXPECT_EQ(berth::gocompat::parse_duration_ns("9223372036854775807ns"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(berth::gocompat::parse_duration_ns("-9223372036854775808ns"), std::numeric_limits<int64_t>::min());
}

TEST(Units, RejectsBadDurations) {
  for (const char* bad : {"", "1", "10", "s", "1x", ".s", ".", "1.5.5s", "1s2", "- 1s", "1 s", "abc",
                          "9223372036854775808ns", "3000000h"}) {
    EXPECT_EQ(berth::gocompat::parse_duration_ns(bad), std::nullopt) << bad;
  }
}

TEST(Units, FormatsDurationsLikeGo) {
  EXPECT_EQ(berth::gocompat::format_duration(0), "0s");
  EXPECT_EQ(berth::gocompat::format_duration(10 * k_s), "10s");
  EXPECT_EQ(berth::gocompat::format_duration(60 * k_s), "1m0s");
  EXPECT_EQ(berth::gocompat::format_duration(120 * k_s), "2m0s");
  EXPECT_EQ(berth::gocompat::format_duration(90 * k_s), "1m30s");
  EXPECT_EQ(berth::gocompat::format_duration(3600 * k_s), "1h0m0s");
  EXPECT_EQ(berth::gocompat::format_duration(5400 * k_s), "1h30m0s");
  EXPECT_EQ(berth::gocompat::format_duration(100 * k_ms), "100ms");
  EXPECT_EQ(berth::gocompat::format_duration(1'500'000), "1.5ms");
  EXPECT_EQ(berth::gocompat::format_duration(1'500), "1.5\xC2\xB5s");
  EXPECT_EQ(berth::gocompat::format_duration(1), "1ns");
  EXPECT_EQ(berth::gocompat::format_duration(-k_s), "-1s");
  EXPECT_EQ(berth::gocompat::format_duration(k_s + 1), "1.000000001s");
  EXPECT_EQ(berth::gocompat::format_duration(std::numeric_limits<int64_t>::min()), "-2562047h47m16.854775808s");
  // Round trip: what format_duration prints parses back to the same value.
  for (int64_t ns : {int64_t{0}, 1'500 * int64_t{1}, 90 * k_s, 5400 * k_s + 7}) {
    EXPECT_EQ(berth::gocompat::parse_duration_ns(format_duration(ns)), ns);
  }
}

TEST(Units, ParsesSizesLikeDockerRAMInBytes) {
  EXPECT_EQ(berth::gocompat::parse_bytes("50M"), 52428800);
  EXPECT_EQ(berth::gocompat::parse_bytes("20M"), 20971520);
  EXPECT_EQ(berth::gocompat::parse_bytes("1g"), 1073741824);
  EXPECT_EQ(berth::gocompat::parse_bytes("512m"), 536870912);
  EXPECT_EQ(berth::gocompat::parse_bytes("100kb"), 102400);
  EXPECT_EQ(berth::gocompat::parse_bytes("1.5KiB"), 1536);
  EXPECT_EQ(berth::gocompat::parse_bytes("1024"), 1024);
  EXPECT_EQ(berth::gocompat::parse_bytes("10b"), 10);
  EXPECT_EQ(berth::gocompat::parse_bytes("10B"), 10);
  EXPECT_EQ(berth::gocompat::parse_bytes("20 MB"), 20971520);
  EXPECT_EQ(berth::gocompat::parse_bytes("1t"), int64_t{1} << 40);
  EXPECT_EQ(berth::gocompat::parse_bytes("2p"), int64_t{2} << 50);
  EXPECT_EQ(berth::gocompat::parse_bytes("0"), 0);
  EXPECT_EQ(berth::gocompat::parse_bytes("1.9"), 1);  // truncated, as Go's int64(float64)
}

TEST(Units, RejectsBadSizes) {
  for (const char* bad : {"", "12q", "m", "-1", "-1m", "1kk", "1bb", "1kxb", "1kibb", "abc", "1..2m", "99999999999p"}) {
    EXPECT_EQ(berth::gocompat::parse_bytes(bad), std::nullopt) << bad;
  }
}

TEST(Units, HumanSizeIsGoUnitsWithThreeDigits) {
  EXPECT_EQ(human_size(100), "100B");
  EXPECT_EQ(human_size(4260000), "4.26MB");
  EXPECT_EQ(human_size(1234), "1.23kB");
  EXPECT_EQ(human_size(999999), "1e+03kB");  // go-units: %.*g with 3 digits, as docker prints it
}

TEST(Units, BytesSizeIsGoUnitsBinaryWithFourDigits) {
  EXPECT_EQ(berth::gocompat::bytes_size(0), "0B");
  EXPECT_EQ(berth::gocompat::bytes_size(1023), "1023B");
  EXPECT_EQ(berth::gocompat::bytes_size(64ULL << 20), "64MiB");
  EXPECT_EQ(berth::gocompat::bytes_size(2514944), "2.398MiB");
  EXPECT_EQ(berth::gocompat::bytes_size(8221675520ULL), "7.657GiB");
}

TEST(Units, HumanSizeIsDecimalAsDockersLogDrivers) {
  using berth::gocompat::parse_human_size;
  EXPECT_EQ(parse_human_size("10m"), 10'000'000);
  EXPECT_EQ(parse_human_size("100k"), 100'000);
  EXPECT_EQ(parse_human_size("100KB"), 100'000);
  EXPECT_EQ(parse_human_size("1.5g"), 1'500'000'000);
  EXPECT_EQ(parse_human_size("1KiB"), 1000);  // go-units' FromHumanSize ignores the i
  EXPECT_EQ(parse_human_size("512"), 512);
  EXPECT_FALSE(parse_human_size("10x"));
  EXPECT_FALSE(parse_human_size("m"));
  EXPECT_FALSE(parse_human_size("-1m"));
}
