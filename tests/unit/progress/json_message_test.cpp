// docker's jsonmessage display, byte for byte (docker/docker pkg/jsonmessage).
#include "compose/progress/json_message.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace berth::progress {
namespace {

TEST(JsonProgressText, BarAndCountsAsDockerPrintsThem) {
  EXPECT_EQ(json_progress_text(0, 0, 200), "");
  EXPECT_EQ(json_progress_text(0, 1000, 200), "[>                                                  ]       0B/1kB");
  EXPECT_EQ(json_progress_text(12345678, 161000000, 200),
            "[===>                                               ]  12.35MB/161MB");
  EXPECT_EQ(json_progress_text(161000000, 161000000, 200),
            "[==================================================>]    161MB/161MB");
  // No bar at 110 columns or fewer; no total when the count is wonky or unknown.
  EXPECT_EQ(json_progress_text(500, 1000, 110), "    500B/1kB");
  EXPECT_EQ(json_progress_text(2000, 1000, 80), "     2kB");
  EXPECT_EQ(json_progress_text(2000, 0, 200), "     2kB");
}

TEST(JsonMessageDisplay, OnATerminalEachLayerKeepsItsLine) {
  std::ostringstream out;
  JsonMessageDisplay d(out, true, 80);
  d.show("", "latest: Pulling from library/bb");
  d.show("aaa", "Pulling fs layer");
  d.show("bbb", "Pulling fs layer");
  d.show("aaa", "Downloading", 500, 1000);
  d.show("", "Digest: sha256:1");
  d.show("ccc", "Pushed");
  EXPECT_EQ(out.str(),
            "latest: Pulling from library/bb\n"
            "\n\x1b[1A\x1b[2K\raaa: Pulling fs layer \r\x1b[1B"
            "\n\x1b[1A\x1b[2K\rbbb: Pulling fs layer \r\x1b[1B"
            "\x1b[2A\x1b[2K\raaa: Downloading     500B/1kB\r\x1b[2B"
            "Digest: sha256:1\n"
            "\n\x1b[1A\x1b[2K\rccc: Pushed \r\x1b[1B");  // a new block after a line without an id
}

TEST(JsonMessageDisplay, WithoutATerminalLinesWithABarAreLeftOut) {
  std::ostringstream out;
  JsonMessageDisplay d(out, false);
  d.show("", "1: Pulling from bb");
  d.show("aaa", "Pulling fs layer");
  d.show("aaa", "Downloading", 10, 100);
  d.show("aaa", "Download complete");
  d.show("", "Status: Downloaded newer image for bb:1");
  EXPECT_EQ(out.str(),
            "1: Pulling from bb\naaa: Pulling fs layer\naaa: Download complete\n"
            "Status: Downloaded newer image for bb:1\n");
}

}  // namespace
}  // namespace berth::progress
