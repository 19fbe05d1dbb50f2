// Restart decisions, ported from moby's restartmanager (restartmanager/restartmanager.go):
// the back-off is advanced on every exit (restart or not), reset when the run lasted >= 10 s,
// and on-failure:N compares the restarts done so far with N. Pure logic: no clock, no timers.
#include "runtime-shim/restart_policy.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace berth::shim {

namespace {

constexpr std::chrono::milliseconds kDefaultTimeout{100};
constexpr std::chrono::milliseconds kMaxTimeout{60'000};
constexpr int kBackoffMultiplier = 2;
constexpr std::chrono::seconds kResetAfter{10};

}  // namespace

RestartPolicy parse_restart_policy(std::string_view text) {
  RestartPolicy p;
  if (text.empty() || text == "no") return p;
  if (text == "always") {
    p.kind = RestartPolicy::Kind::Always;
    return p;
  }
  if (text == "unless-stopped") {
    p.kind = RestartPolicy::Kind::UnlessStopped;
    return p;
  }
  constexpr std::string_view kOnFailure = "on-failure";
  if (text.substr(0, kOnFailure.size()) == kOnFailure) {
    std::string_view rest = text.substr(kOnFailure.size());
    p.kind = RestartPolicy::Kind::OnFailure;
    if (rest.empty()) return p;
    if (rest.front() == ':') {
      rest.remove_prefix(1);
      int n = 0;
      auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
      if (ec == std::errc() && end == rest.data() + rest.size() && !rest.empty() && n >= 0) {
        p.max_retries = n;
        return p;
      }
    }
  }
  throw std::invalid_argument("invalid restart policy `" + std::string(text) +
                              "`: expected no, always, on-failure[:N] or unless-stopped");
}

RestartManager::Decision RestartManager::should_restart(int exit_code, std::chrono::nanoseconds ran_for) {
  if (m_policy.kind == RestartPolicy::Kind::No || m_canceled) return {};

  if (ran_for >= kResetAfter) m_timeout = std::chrono::milliseconds{0};
  if (m_timeout.count() == 0)
    m_timeout = kDefaultTimeout;
  else if (m_timeout < kMaxTimeout)
    m_timeout *= kBackoffMultiplier;
  if (m_timeout > kMaxTimeout) m_timeout = kMaxTimeout;

  bool restart = false;
  switch (m_policy.kind) {
    case RestartPolicy::Kind::Always:
    case RestartPolicy::Kind::UnlessStopped:  // "stopped" = cancel(), handled above
      restart = true;
      break;
    case RestartPolicy::Kind::OnFailure:
      if (m_policy.max_retries == 0 || m_restart_count < m_policy.max_retries) restart = exit_code != 0;
      break;
    case RestartPolicy::Kind::No:
      break;
  }
  if (!restart) return {};
  ++m_restart_count;
  return {true, m_timeout};
}

}  // namespace berth::shim
