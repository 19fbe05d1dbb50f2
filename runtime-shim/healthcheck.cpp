// Healthcheck rules ported from moby's daemon/health.go: defaults for zero values, the probe
// interval during and after the start period (monitor/getInterval), the failing streak and
// status transitions (handleProbeResult), the 4 KiB output cap (limitedBuffer) and the
// timeout message. Running probes and timers is the supervisor's job.
#include "runtime-shim/healthcheck.hpp"

#include <algorithm>
#include <cstdio>

namespace berth::shim {

namespace {

Nanos or_default(int64_t configured_ns, Nanos fallback) { return configured_ns == 0 ? fallback : Nanos(configured_ns); }

/// Go's fmtFrac + fmtInt for one unit: value/unit with trailing zeros of the fraction trimmed.
std::string with_fraction(int64_t value, int64_t unit) {
  std::string out = std::to_string(value / unit);
  int64_t frac = value % unit;
  if (frac != 0) {
    std::string digits;
    for (int64_t u = unit / 10; u > 0; u /= 10) digits += static_cast<char>('0' + (frac / u) % 10);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += '.' + digits;
  }
  return out;
}

}  // namespace

std::vector<std::string> healthcheck_argv(const std::vector<std::string>& test) {
  if (test.empty()) return {};
  if (test[0] == "CMD") return {test.begin() + 1, test.end()};
  if (test[0] == "CMD-SHELL") {
    std::vector<std::string> argv{"/bin/sh", "-c"};
    argv.insert(argv.end(), test.begin() + 1, test.end());
    return argv;
  }
  return {};  // "NONE" or an unknown type: no probe, as Docker's getProbe
}

std::string go_duration(Nanos d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  if (ns < 0) ns = -ns;
  if (ns < 1'000) return sign + std::to_string(ns) + "ns";
  if (ns < 1'000'000) return sign + with_fraction(ns, 1'000) + "µs";
  if (ns < 1'000'000'000) return sign + with_fraction(ns, 1'000'000) + "ms";
  int64_t hours = ns / 3'600'000'000'000;
  int64_t minutes = ns / 60'000'000'000 % 60;
  int64_t sec_ns = ns % 60'000'000'000;
  std::string out = sign;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  return out + with_fraction(sec_ns, 1'000'000'000) + "s";
}

void ProbeOutput::append(std::string_view data) {
  size_t keep = std::min(kHealthOutputMax - m_buf.size(), data.size());
  m_buf.append(data.substr(0, keep));
  if (keep < data.size()) m_truncated = true;
}

HealthMonitor::HealthMonitor(const Healthcheck& config)
    : m_argv(healthcheck_argv(config.test)),
      m_interval(or_default(config.interval_ns, std::chrono::seconds(30))),
      m_timeout(or_default(config.timeout_ns, std::chrono::seconds(30))),
      m_start_period(or_default(config.start_period_ns, Nanos(0))),
      m_start_interval(or_default(config.start_interval_ns, std::chrono::seconds(5))),
      m_retries(config.retries <= 0 ? 3 : config.retries) {}

void HealthMonitor::container_started(Nanos started) {
  m_started = started;
  m_health.status = "starting";
  m_health.failing_streak = 0;
}

Nanos HealthMonitor::next_delay(Nanos now) const {
  Nanos elapsed = now - m_started;
  if (elapsed >= m_start_period) return m_interval;
  // Within the start period. Docker (since 25.0) probes every start_interval while starting;
  // its newer "don't sleep past the start period" cap is applied to the regular interval only,
  // so a start_interval shorter than the remaining period is still honoured.
  if (m_health.status == "starting") return m_start_interval;
  return std::min(m_interval, m_start_period - elapsed);
}

bool HealthMonitor::record(Nanos probe_start, shim_protocol::HealthLogEntry result) {
  std::string old_status = m_health.status;
  auto& log = m_health.log;
  if (log.size() >= kHealthLogMax)
    log.erase(log.begin(), log.begin() + static_cast<long>(log.size() + 1 - kHealthLogMax));
  bool healthy = result.exit_code == 0;
  log.push_back(std::move(result));

  if (healthy) {
    m_health.failing_streak = 0;
    m_health.status = "healthy";
  } else {
    bool count = true;
    if (m_health.status == "starting" && probe_start - m_started < m_start_period) count = false;
    if (count) {
      ++m_health.failing_streak;
      if (m_health.failing_streak >= m_retries) m_health.status = "unhealthy";
    }
  }
  return m_health.status != old_status;
}

std::string HealthMonitor::timeout_output(std::string_view output) const {
  std::string msg = "Health check exceeded timeout (" + go_duration(m_timeout) + ")";
  if (!output.empty()) msg += ": " + std::string(output);
  return msg;
}

}  // namespace berth::shim
