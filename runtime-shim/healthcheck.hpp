#pragma once
// The healthcheck state machine (Docker's daemon/health.go), separate from the process that
// runs probes: the supervisor asks when the next probe is due, runs it in the container with
// exec_in_container, and hands the result back here. Times are monotonic nanoseconds passed
// in by the caller, so tests drive it with a fake clock.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/shim_protocol.hpp"
#include "runtime-shim/container/bundle.hpp"

namespace berth::shim {

using Nanos = std::chrono::nanoseconds;

/// Longest probe output kept (stdout and stderr together), as Docker.
inline constexpr size_t kHealthOutputMax = 4096;
/// Probe results kept in the health log, as Docker.
inline constexpr size_t kHealthLogMax = 5;

/// The probe's command: ["CMD", args...] -> args; ["CMD-SHELL", "cmd"] -> /bin/sh -c cmd.
/// Empty for ["NONE"], an empty test or an unknown type (no healthcheck).
std::vector<std::string> healthcheck_argv(const std::vector<std::string>& test);

/// Go's time.Duration.String(): "30s", "1.5s", "500ms", "1m30s", "1h0m0s".
std::string go_duration(Nanos d);

/// Collects a probe's output up to kHealthOutputMax bytes; "..." marks a cut.
class ProbeOutput {
 public:
  void append(std::string_view data);
  std::string str() const { return m_truncated ? m_buf + "..." : m_buf; }

 private:
  std::string m_buf;
  bool m_truncated = false;
};

/// Health status, failing streak and the last 5 results of one container.
class HealthMonitor {
 public:
  /// Zero durations/retries take Docker's defaults (30s interval, 30s timeout, 3 retries,
  /// no start period, 5s start interval).
  explicit HealthMonitor(const Healthcheck& config);

  bool enabled() const { return !m_argv.empty(); }
  const std::vector<std::string>& argv() const { return m_argv; }
  Nanos timeout() const { return m_timeout; }

  /// The container (re)started at `started`: status "starting", streak 0; the log is kept.
  void container_started(Nanos started);

  /// Delay after `now` (a probe just finished, or the container just started) until the next
  /// probe: start_interval while starting within the start period, the interval otherwise, but
  /// never past the end of the start period.
  Nanos next_delay(Nanos now) const;

  /// Records the result of a probe that started at `probe_start`; returns true when the
  /// status changed. Failures inside the start period don't count while still "starting".
  bool record(Nanos probe_start, shim_protocol::HealthLogEntry result);

  /// Docker's output for a probe that ran past the timeout.
  std::string timeout_output(std::string_view output) const;

  const shim_protocol::Health& health() const { return m_health; }

 private:
  std::vector<std::string> m_argv;
  Nanos m_interval, m_timeout, m_start_period, m_start_interval;
  int m_retries;
  Nanos m_started{0};
  shim_protocol::Health m_health;
};

}  // namespace berth::shim
