// gocompat::format_g / format_json / float32_value: floats as Go's strconv, fmt.Sprint and
// encoding/json print them (what docker compose config shows).
#include <gtest/gtest.h>

#include "compose/gocompat/float.hpp"

using namespace berth::gocompat;

TEST(GoFmtFloat, FormatGLikeGoSprint) {
  EXPECT_EQ(format_g(1.5), "1.5");
  EXPECT_EQ(format_g(0.3), "0.3");
  EXPECT_EQ(format_g(-2.5), "-2.5");
  EXPECT_EQ(format_g(2.0), "2");
  EXPECT_EQ(format_g(123456.0), "123456");
  EXPECT_EQ(format_g(100000.5), "100000.5");
  EXPECT_EQ(format_g(1e6), "1e+06");
  EXPECT_EQ(format_g(1234567.0), "1.234567e+06");
  EXPECT_EQ(format_g(1e21), "1e+21");
  EXPECT_EQ(format_g(0.0001), "0.0001");
  EXPECT_EQ(format_g(0.00001), "1e-05");
  EXPECT_EQ(format_g(0.001), "0.001");
  EXPECT_EQ(format_g(0.0), "0");
}

TEST(GoFmtFloat, FormatGAndFloat32LikeStrconv) {
  EXPECT_EQ(format_g(0), "0");
  EXPECT_EQ(format_g(100), "100");
  EXPECT_EQ(format_g(1e20), "1e+20");
  EXPECT_EQ(format_g(1.5e-7), "1.5e-07");
  EXPECT_EQ(format_g(-0.001), "-0.001");
  EXPECT_EQ(float32_value(0.3f), 0.3);
  EXPECT_EQ(float32_value(0.0001f), 0.0001);
  EXPECT_EQ(format_g(float32_value(0.1f)), "0.1");
}
