// Signal names as compose files and `kill -s` write them.
#include "runtime-shim/signals.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <stdexcept>

using namespace berth::shim;

TEST(ShimSignals, ParsesNamesAndNumbers) {
  EXPECT_EQ(parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(parse_signal("TERM"), SIGTERM);
  EXPECT_EQ(parse_signal("sigkill"), SIGKILL);
  EXPECT_EQ(parse_signal("hup"), SIGHUP);
  EXPECT_EQ(parse_signal("SIGUSR1"), SIGUSR1);
  EXPECT_EQ(parse_signal("SIGWINCH"), SIGWINCH);
  EXPECT_EQ(parse_signal("9"), 9);
  EXPECT_EQ(parse_signal("SIGRTMIN+2"), SIGRTMIN + 2);
  EXPECT_EQ(parse_signal("RTMAX-1"), SIGRTMAX - 1);
  for (const char* bad : {"", "SIG", "NOPE", "0", "65", "-1", "RTMIN+99", "TERM2"})
    EXPECT_THROW(parse_signal(bad), std::invalid_argument) << bad;
}

TEST(ShimSignals, Names) {
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
}
