// berth::split_path: the component list the shim's and the engine's in-root walks start from.
#include <gtest/gtest.h>

#include "common/split_path.hpp"

using berth::split_path;
using V = std::vector<std::string>;

TEST(CommonSplitPath, DropsEmptyAndDotKeepsDotDot) {
  EXPECT_EQ(split_path("a/b//c"), (V{"a", "b", "c"}));
  EXPECT_EQ(split_path("/a/./b/"), (V{"a", "b"}));
  EXPECT_EQ(split_path("../x/.."), (V{"..", "x", ".."}));
  EXPECT_EQ(split_path(""), V{});
  EXPECT_EQ(split_path("/"), V{});
  EXPECT_EQ(split_path("./."), V{});
}
