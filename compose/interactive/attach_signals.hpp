#pragma once
// Ctrl+C for the commands that stream (logs -f, attached up, run, exec, events): SIGINT and
// SIGTERM only count, in an async-signal-safe handler; the command's own loop looks at the
// count and decides (stop following, stop the project gracefully, force on the second one).
#include <atomic>
#include <csignal>

namespace berth::interactive {

/// Installs counting SIGINT/SIGTERM handlers for its lifetime; the previous ones come back on
/// destruction. One at a time per process.
class InterruptWatch {
 public:
  InterruptWatch();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  /// Interrupts received so far.
  int count() const;
  /// The last signal received (0 if none).
  int last_signal() const;
  /// True once count() > 0: handy as the stop flag of a LogReader/LogFollower.
  const std::atomic<bool>& interrupted() const;

 private:
  struct sigaction m_old_int {};
  struct sigaction m_old_term {};
};

}  // namespace berth::interactive
