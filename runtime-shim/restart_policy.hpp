#pragma once
// Restart policies (`no`, `always`, `on-failure[:N]`, `unless-stopped`) and Docker's restart
// manager: whether an exited container is started again, and after which back-off delay.
#include <chrono>
#include <string_view>

namespace berth::shim {

/// A parsed `restart:` value.
struct RestartPolicy {
  enum class Kind { No, Always, OnFailure, UnlessStopped };
  Kind kind = Kind::No;
  int max_retries = 0;  ///< on-failure:N; 0 = no limit (as Docker)
};

/// Parses "no" (or ""), "always", "on-failure", "on-failure:N", "unless-stopped";
/// throws std::invalid_argument naming the bad value.
RestartPolicy parse_restart_policy(std::string_view text);

/// Docker's restartmanager, without threads: the caller arms its own timer with `delay`.
/// Back-off: 100 ms, doubled after every restart, capped at 1 minute, and back to 100 ms when
/// the container ran for 10 s or more before exiting.
class RestartManager {
 public:
  struct Decision {
    bool restart = false;
    std::chrono::milliseconds delay{0};
  };

  explicit RestartManager(RestartPolicy policy) : m_policy(policy) {}

  /// Called when the container exited with `exit_code` after running `ran_for`. Counts the
  /// restart when it says yes. Never restarts after cancel().
  Decision should_restart(int exit_code, std::chrono::nanoseconds ran_for);

  /// A stop or kill was requested: no restart from now on.
  void cancel() { m_canceled = true; }
  bool canceled() const { return m_canceled; }

  /// Restarts decided so far.
  int restart_count() const { return m_restart_count; }

 private:
  RestartPolicy m_policy;
  int m_restart_count = 0;
  std::chrono::milliseconds m_timeout{0};
  bool m_canceled = false;
};

}  // namespace berth::shim
