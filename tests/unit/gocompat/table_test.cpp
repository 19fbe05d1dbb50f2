// gocompat::format_table: docker's tabwriter layout for ps, ls, images, top and image ls.
#include <gtest/gtest.h>

#include "compose/gocompat/table.hpp"

using berth::gocompat::format_table;

TEST(GoFmtTable, PadsColumnsLikeTabwriter) {
  EXPECT_EQ(format_table({{"NAME", "STATUS"}, {"a-long-name", "running(2)"}}),
            "NAME          STATUS\na-long-name   running(2)\n");
}

TEST(GoFmtTable, Utf8WidthAndNoTrailingBlanks) {
  EXPECT_EQ(format_table({{"COMMAND", "PORTS"}, {"\"sleep\u2026\"", ""}}), "COMMAND    PORTS\n\"sleep\u2026\"\n");
}

TEST(GoFmtTable, MinimumWidthAsDockersFormatterPackage) {
  // tabwriter.NewWriter(out, 10, 1, 3, ' ', 0): a narrow column still takes 10.
  EXPECT_EQ(format_table({{"DRIVER", "VOLUME NAME"}, {"local", "p_data"}}, 10),
            "DRIVER    VOLUME NAME\nlocal     p_data\n");
  EXPECT_EQ(format_table({{"A-WIDE-COLUMN", "B"}}, 10), "A-WIDE-COLUMN   B\n");
}
