// gocompat::human_duration against go-units' own table (duration_test.go, TestHumanDuration), plus the
// fractional and negative inputs ps passes (a container started in the last second, a clock step back).
#include <gtest/gtest.h>

#include "compose/gocompat/duration.hpp"

using berth::gocompat::human_duration;

namespace {
constexpr double kSecond = 1, kMinute = 60, kHour = 3600, kDay = 24 * kHour, kWeek = 7 * kDay, kMonth = 30 * kDay,
                 kYear = 365 * kDay;
}  // namespace

TEST(GoFmtDuration, GoUnitsTable) {
  EXPECT_EQ(human_duration(0.450), "Less than a second");
  EXPECT_EQ(human_duration(1 * kSecond), "1 second");
  EXPECT_EQ(human_duration(45 * kSecond), "45 seconds");
  EXPECT_EQ(human_duration(46 * kSecond), "46 seconds");
  EXPECT_EQ(human_duration(59 * kSecond), "59 seconds");
  EXPECT_EQ(human_duration(60 * kSecond), "About a minute");
  EXPECT_EQ(human_duration(1 * kMinute), "About a minute");
  EXPECT_EQ(human_duration(3 * kMinute), "3 minutes");
  EXPECT_EQ(human_duration(35 * kMinute), "35 minutes");
  EXPECT_EQ(human_duration(35 * kMinute + 40 * kSecond), "35 minutes");
  EXPECT_EQ(human_duration(45 * kMinute), "45 minutes");
  EXPECT_EQ(human_duration(45 * kMinute + 40 * kSecond), "45 minutes");
  EXPECT_EQ(human_duration(46 * kMinute), "46 minutes");
  EXPECT_EQ(human_duration(59 * kMinute), "59 minutes");
  EXPECT_EQ(human_duration(1 * kHour), "About an hour");
  EXPECT_EQ(human_duration(1 * kHour + 29 * kMinute), "About an hour");
  EXPECT_EQ(human_duration(1 * kHour + 31 * kMinute), "2 hours");
  EXPECT_EQ(human_duration(1 * kHour + 59 * kMinute), "2 hours");
  EXPECT_EQ(human_duration(3 * kHour), "3 hours");
  EXPECT_EQ(human_duration(3 * kHour + 29 * kMinute), "3 hours");
  EXPECT_EQ(human_duration(3 * kHour + 31 * kMinute), "4 hours");
  EXPECT_EQ(human_duration(3 * kHour + 59 * kMinute), "4 hours");
  EXPECT_EQ(human_duration(3 * kHour + 60 * kMinute), "4 hours");
  EXPECT_EQ(human_duration(24 * kHour), "24 hours");
  EXPECT_EQ(human_duration(1 * kDay + 12 * kHour), "36 hours");
  EXPECT_EQ(human_duration(2 * kDay), "2 days");
  EXPECT_EQ(human_duration(7 * kDay), "7 days");
  EXPECT_EQ(human_duration(13 * kDay + 5 * kHour), "13 days");
  EXPECT_EQ(human_duration(2 * kWeek), "2 weeks");
  EXPECT_EQ(human_duration(2 * kWeek + 4 * kDay), "2 weeks");
  EXPECT_EQ(human_duration(3 * kWeek), "3 weeks");
  EXPECT_EQ(human_duration(4 * kWeek), "4 weeks");
  EXPECT_EQ(human_duration(4 * kWeek + 3 * kDay), "4 weeks");
  EXPECT_EQ(human_duration(1 * kMonth), "4 weeks");
  EXPECT_EQ(human_duration(1 * kMonth + 2 * kWeek), "6 weeks");
  EXPECT_EQ(human_duration(2 * kMonth), "2 months");
  EXPECT_EQ(human_duration(2 * kMonth + 2 * kWeek), "2 months");
  EXPECT_EQ(human_duration(3 * kMonth), "3 months");
  EXPECT_EQ(human_duration(3 * kMonth + 1 * kWeek), "3 months");
  EXPECT_EQ(human_duration(5 * kMonth + 2 * kWeek), "5 months");
  EXPECT_EQ(human_duration(13 * kMonth), "13 months");
  EXPECT_EQ(human_duration(23 * kMonth), "23 months");
  EXPECT_EQ(human_duration(24 * kMonth), "24 months");
  EXPECT_EQ(human_duration(24 * kMonth + 2 * kWeek), "2 years");
  EXPECT_EQ(human_duration(3 * kYear + 2 * kMonth), "3 years");
}

// The bug issue 11 names: ps said "Up 1 hour" at 100 minutes where docker says "Up 2 hours", and
// "47 hours" where docker's rounded hours already make "2 days".
TEST(GoFmtDuration, HoursRoundToNearestLikeGo) {
  EXPECT_EQ(human_duration(100 * kMinute), "2 hours");
  EXPECT_EQ(human_duration(47 * kHour + 40 * kMinute), "2 days");
}

TEST(GoFmtDuration, FractionsAndNegatives) {
  EXPECT_EQ(human_duration(0.999), "Less than a second");
  EXPECT_EQ(human_duration(-5), "Less than a second");
  EXPECT_EQ(human_duration(1.9), "1 second");
  EXPECT_EQ(human_duration(119.9), "About a minute");
}
