// The healthcheck state machine with a fake clock: probe scheduling during and after the start
// period, failing streak and retries, status transitions, the 5-entry log, output capping and
// the timeout message (Docker's daemon/health.go).
#include "runtime-shim/healthcheck.hpp"

#include <gtest/gtest.h>

using namespace berth::shim;
using namespace std::chrono_literals;
using berth::shim_protocol::HealthLogEntry;

namespace {

Healthcheck config(int64_t interval_s, int retries, int64_t start_period_s = 0, int64_t start_interval_s = 0) {
  Healthcheck c;
  c.test = {"CMD", "true"};
  c.interval_ns = interval_s * 1'000'000'000;
  c.timeout_ns = 0;
  c.retries = retries;
  c.start_period_ns = start_period_s * 1'000'000'000;
  c.start_interval_ns = start_interval_s * 1'000'000'000;
  return c;
}

HealthLogEntry result(int exit_code, std::string output = "") {
  HealthLogEntry e;
  e.exit_code = exit_code;
  e.output = std::move(output);
  return e;
}

}  // namespace

TEST(Healthcheck, Argv) {
  EXPECT_EQ(healthcheck_argv({"CMD", "curl", "-f", "x"}), (std::vector<std::string>{"curl", "-f", "x"}));
  EXPECT_EQ(healthcheck_argv({"CMD-SHELL", "curl -f x || exit 1"}),
            (std::vector<std::string>{"/bin/sh", "-c", "curl -f x || exit 1"}));
  EXPECT_TRUE(healthcheck_argv({"NONE"}).empty());
  EXPECT_TRUE(healthcheck_argv({}).empty());
  EXPECT_TRUE(healthcheck_argv({"WHAT", "x"}).empty());
  Healthcheck none;
  none.test = {"NONE"};
  EXPECT_FALSE(HealthMonitor(none).enabled());
}

TEST(Healthcheck, GoDurations) {
  EXPECT_EQ(go_duration(30s), "30s");
  EXPECT_EQ(go_duration(1500ms), "1.5s");
  EXPECT_EQ(go_duration(500ms), "500ms");
  EXPECT_EQ(go_duration(90s), "1m30s");
  EXPECT_EQ(go_duration(3600s), "1h0m0s");
  EXPECT_EQ(go_duration(2us), "2µs");
  EXPECT_EQ(go_duration(1500us), "1.5ms");
  EXPECT_EQ(go_duration(100ns), "100ns");
  EXPECT_EQ(go_duration(0s), "0s");
}

TEST(Healthcheck, DefaultsForZeroValues) {
  Healthcheck c;
  c.test = {"CMD", "x"};
  c.interval_ns = c.timeout_ns = c.start_period_ns = c.start_interval_ns = 0;
  c.retries = 0;
  HealthMonitor m(c);
  EXPECT_EQ(m.timeout(), 30s);
  m.container_started(0s);
  EXPECT_EQ(m.next_delay(0s), 30s);
  for (int i = 0; i < 2; ++i) m.record(100s, result(1));
  EXPECT_EQ(m.health().status, "starting");
  m.record(200s, result(1));
  EXPECT_EQ(m.health().status, "unhealthy");  // 3 retries by default
}

TEST(Healthcheck, HealthyThenUnhealthyAfterRetries) {
  HealthMonitor m(config(1, 2));
  m.container_started(0s);
  EXPECT_EQ(m.health().status, "starting");
  EXPECT_TRUE(m.record(1s, result(0, "ok")));
  EXPECT_EQ(m.health().status, "healthy");
  EXPECT_FALSE(m.record(2s, result(1)));
  EXPECT_EQ(m.health().failing_streak, 1);
  EXPECT_EQ(m.health().status, "healthy");
  EXPECT_TRUE(m.record(3s, result(2)));
  EXPECT_EQ(m.health().status, "unhealthy");
  EXPECT_EQ(m.health().failing_streak, 2);
  EXPECT_TRUE(m.record(4s, result(0)));  // one success heals
  EXPECT_EQ(m.health().failing_streak, 0);
}

TEST(Healthcheck, FailuresInStartPeriodDoNotCountUntilASuccess) {
  HealthMonitor m(config(10, 1, 30, 2));
  m.container_started(100s);
  // Fake clock: probes every start_interval while starting within the start period.
  EXPECT_EQ(m.next_delay(100s), 2s);
  m.record(102s, result(1));
  m.record(104s, result(1));
  EXPECT_EQ(m.health().failing_streak, 0);
  EXPECT_EQ(m.health().status, "starting");
  EXPECT_EQ(m.next_delay(104s), 2s);
  // A success inside the period ends "starting": later failures count at once.
  m.record(106s, result(0));
  EXPECT_EQ(m.health().status, "healthy");
  // Healthy inside the start period: the interval, but not past the period's end.
  EXPECT_EQ(m.next_delay(106s), 10s);
  EXPECT_EQ(m.next_delay(125s), 5s);
  m.record(108s, result(1));
  EXPECT_EQ(m.health().status, "unhealthy");
}

TEST(Healthcheck, FailuresAfterStartPeriodCount) {
  HealthMonitor m(config(10, 2, 5, 1));
  m.container_started(0s);
  m.record(4s, result(1));  // inside: ignored
  EXPECT_EQ(m.health().failing_streak, 0);
  EXPECT_EQ(m.next_delay(5s), 10s);  // period over: the regular interval
  m.record(6s, result(1));
  m.record(16s, result(1));
  EXPECT_EQ(m.health().status, "unhealthy");
}

TEST(Healthcheck, RestartResetsStatusButKeepsLog) {
  HealthMonitor m(config(1, 1));
  m.container_started(0s);
  m.record(1s, result(1));
  EXPECT_EQ(m.health().status, "unhealthy");
  m.container_started(10s);
  EXPECT_EQ(m.health().status, "starting");
  EXPECT_EQ(m.health().failing_streak, 0);
  EXPECT_EQ(m.health().log.size(), 1u);
}

TEST(Healthcheck, KeepsTheLastFiveResults) {
  HealthMonitor m(config(1, 3));
  m.container_started(0s);
  for (int i = 0; i < 8; ++i) m.record(1s, result(i, std::to_string(i)));
  ASSERT_EQ(m.health().log.size(), 5u);
  EXPECT_EQ(m.health().log.front().output, "3");
  EXPECT_EQ(m.health().log.back().output, "7");
}

TEST(Healthcheck, OutputCappedAt4KiB) {
  ProbeOutput out;
  out.append("abc");
  EXPECT_EQ(out.str(), "abc");
  out.append(std::string(5000, 'x'));
  EXPECT_EQ(out.str().size(), 4096u + 3);
  EXPECT_EQ(out.str().substr(4096), "...");
  ProbeOutput exact;
  exact.append(std::string(4096, 'y'));
  EXPECT_EQ(exact.str().size(), 4096u);
}

TEST(Healthcheck, TimeoutMessage) {
  Healthcheck c = config(1, 1);
  c.timeout_ns = 1'500'000'000;
  HealthMonitor m(c);
  EXPECT_EQ(m.timeout_output(""), "Health check exceeded timeout (1.5s)");
  EXPECT_EQ(m.timeout_output("partial"), "Health check exceeded timeout (1.5s): partial");
}
