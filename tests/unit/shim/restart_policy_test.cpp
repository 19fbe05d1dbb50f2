// RestartManager against moby's restartmanager: parsing, back-off sequence and cap, the reset
// after a 10 s run, on-failure:N counting, and cancel() by stop/kill.
#include "runtime-shim/restart_policy.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace berth::shim;
using namespace std::chrono_literals;

namespace {

RestartManager manager(const char* policy) { return RestartManager(parse_restart_policy(policy)); }

}  // namespace

TEST(RestartPolicy, Parses) {
  EXPECT_EQ(parse_restart_policy("no").kind, RestartPolicy::Kind::No);
  EXPECT_EQ(parse_restart_policy("").kind, RestartPolicy::Kind::No);
  EXPECT_EQ(parse_restart_policy("always").kind, RestartPolicy::Kind::Always);
  EXPECT_EQ(parse_restart_policy("unless-stopped").kind, RestartPolicy::Kind::UnlessStopped);
  auto p = parse_restart_policy("on-failure");
  EXPECT_EQ(p.kind, RestartPolicy::Kind::OnFailure);
  EXPECT_EQ(p.max_retries, 0);
  EXPECT_EQ(parse_restart_policy("on-failure:5").max_retries, 5);
  for (const char* bad : {"sometimes", "on-failure:", "on-failure:x", "on-failure:-1", "on-failure5", "always:3"})
    EXPECT_THROW(parse_restart_policy(bad), std::invalid_argument) << bad;
  try {
    parse_restart_policy("sometimes");
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "invalid restart policy `sometimes`: expected no, always, on-failure[:N] or unless-stopped");
  }
}

TEST(RestartPolicy, NoNeverRestarts) {
  auto rm = manager("no");
  EXPECT_FALSE(rm.should_restart(1, 0s).restart);
  EXPECT_FALSE(rm.should_restart(0, 0s).restart);
  EXPECT_EQ(rm.restart_count(), 0);
}

TEST(RestartPolicy, BackoffDoublesFrom100msAndCapsAtOneMinute) {
  auto rm = manager("always");
  std::vector<long> delays;
  for (int i = 0; i < 12; ++i) {
    auto d = rm.should_restart(0, 1s);
    ASSERT_TRUE(d.restart);
    delays.push_back(static_cast<long>(d.delay.count()));
  }
  EXPECT_EQ(delays, (std::vector<long>{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000}));
  EXPECT_EQ(rm.restart_count(), 12);
}

TEST(RestartPolicy, BackoffResetsAfterTenSecondsOfRunning) {
  auto rm = manager("always");
  rm.should_restart(0, 1s);
  rm.should_restart(0, 1s);
  EXPECT_EQ(rm.should_restart(0, 9999ms).delay, 400ms);
  EXPECT_EQ(rm.should_restart(0, 10s).delay, 100ms);
  EXPECT_EQ(rm.should_restart(0, 1s).delay, 200ms);
}

TEST(RestartPolicy, OnFailureCountsRetries) {
  auto rm = manager("on-failure:2");
  EXPECT_FALSE(rm.should_restart(0, 0s).restart);  // success: done
  auto d1 = rm.should_restart(3, 0s);
  EXPECT_TRUE(d1.restart);
  // Docker advances the back-off on every exit, the successful one included.
  EXPECT_EQ(d1.delay, 200ms);
  EXPECT_TRUE(rm.should_restart(3, 0s).restart);
  EXPECT_FALSE(rm.should_restart(3, 0s).restart);  // two restarts done
  EXPECT_EQ(rm.restart_count(), 2);
}

TEST(RestartPolicy, OnFailureWithoutLimit) {
  auto rm = manager("on-failure");
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(rm.should_restart(137, 0s).restart);
  EXPECT_FALSE(rm.should_restart(0, 0s).restart);
}

TEST(RestartPolicy, CancelStopsEveryPolicy) {
  for (const char* p : {"always", "unless-stopped", "on-failure"}) {
    auto rm = manager(p);
    EXPECT_TRUE(rm.should_restart(1, 0s).restart) << p;
    rm.cancel();
    EXPECT_FALSE(rm.should_restart(1, 0s).restart) << p;
    EXPECT_EQ(rm.restart_count(), 1) << p;
  }
}
