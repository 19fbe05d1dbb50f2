// gocompat::parse_docker_timestamp: moby's GetTimestamp forms, in a fixed local zone.
#include "compose/gocompat/timestamp.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

namespace {

using berth::gocompat::parse_docker_timestamp;

constexpr int64_t kTsSecond = 1'000'000'000;
// 2024-01-02T03:04:05.5Z
constexpr int64_t kTsNow = 1704164645 * kTsSecond + kTsSecond / 2;

/// TZ set for one test (two hours east of UTC), restored after.
class DockerTimestamp : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* tz = std::getenv("TZ")) m_old = tz;
    m_had = std::getenv("TZ") != nullptr;
    ::setenv("TZ", "XST-2", 1);
    ::tzset();
  }
  void TearDown() override {
    if (m_had)
      ::setenv("TZ", m_old.c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }

 private:
  std::string m_old;
  bool m_had = false;
};

}  // namespace

TEST_F(DockerTimestamp, DurationsAreBeforeNowInWholeSeconds) {
  EXPECT_EQ(parse_docker_timestamp("10m", kTsNow), (1704164645 - 600) * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("1h30m", kTsNow), (1704164645 - 5400) * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("1500ms", kTsNow), (1704164645 - 1) * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("-10s", kTsNow), (1704164645 + 10) * kTsSecond);  // the future: wait for it
}

TEST_F(DockerTimestamp, UnixTimestamps) {
  EXPECT_EQ(parse_docker_timestamp("0", kTsNow), 0);  // not a duration
  EXPECT_EQ(parse_docker_timestamp("1700000000", kTsNow), 1700000000 * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("1700000000.5", kTsNow), 1700000000 * kTsSecond + kTsSecond / 2);
  EXPECT_EQ(parse_docker_timestamp("1700000000.000000001", kTsNow), 1700000000 * kTsSecond + 1);
}

TEST_F(DockerTimestamp, DatesWithAZone) {
  EXPECT_EQ(parse_docker_timestamp("2024-01-02T03:04:05Z", kTsNow), 1704164645 * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("2024-01-02T03:04:05.25Z", kTsNow), 1704164645 * kTsSecond + kTsSecond / 4);
  EXPECT_EQ(parse_docker_timestamp("2024-01-02T05:04:05+02:00", kTsNow), 1704164645 * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("2024-01-02T01:04:05-02:00", kTsNow), 1704164645 * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("2024-01-02T03Z", kTsNow), (1704164645 - 245) * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("2024-01-02T03:04Z", kTsNow), (1704164645 - 5) * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("2024-01-02Z", kTsNow), (1704164645 - 3 * 3600 - 245) * kTsSecond);
}

TEST_F(DockerTimestamp, DatesWithoutAZoneAreLocal) {
  // Local time is UTC+2 here.
  EXPECT_EQ(parse_docker_timestamp("2024-01-02T05:04:05", kTsNow), 1704164645 * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("2024-01-02T05:04:05.5", kTsNow), kTsNow);
  EXPECT_EQ(parse_docker_timestamp("2024-01-02T05:04", kTsNow), (1704164645 - 5) * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("2024-01-02T05", kTsNow), (1704164645 - 245) * kTsSecond);
  EXPECT_EQ(parse_docker_timestamp("2024-01-02", kTsNow), (1704164645 - 5 * 3600 - 245) * kTsSecond);
}

TEST_F(DockerTimestamp, InvalidValues) {
  for (const char* bad :
       {"", "abc", "10x", "2024-13-01", "2024-01-02T25:00:00Z", "1700000000.", "1.2.3", "2024-01-02T03:04:05Zjunk"})
    EXPECT_FALSE(parse_docker_timestamp(bad, kTsNow)) << bad;
}
