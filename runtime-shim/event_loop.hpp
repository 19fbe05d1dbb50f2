#pragma once
// The shim's single-threaded reactor: epoll for file descriptors, a handful of one-shot timers
// (restart back-off, stop timeout, healthcheck) and signals turned into readable bytes.
// No Boost: the shim must stay small.
#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth::shim {

/// Monotonic clock reading (CLOCK_MONOTONIC) in nanoseconds.
std::chrono::nanoseconds monotonic_now();

class EventLoop {
 public:
  using Handler = std::function<void(uint32_t events)>;
  using TimerId = uint64_t;

  /// Throws SysError when epoll cannot be created.
  EventLoop();

  /// Watches `fd` (level-triggered) for `events`; the handler may add or remove any fd,
  /// including its own. Throws SysError.
  void add(int fd, uint32_t events, Handler handler);
  /// Changes the events watched on `fd`.
  void modify(int fd, uint32_t events);
  /// Stops watching `fd` (call before closing it). Unknown fds are ignored.
  void remove(int fd);

  /// Runs `fn` once after `delay`; returns an id for cancel().
  TimerId after(std::chrono::nanoseconds delay, std::function<void()> fn);
  /// Cancels a pending timer; unknown or fired ids are ignored.
  void cancel(TimerId id);

  /// Dispatches events and timers until stop() is called.
  void run();
  /// Makes run() return after the current dispatch.
  void stop() { m_stopped = true; }

  /// Called with an exception a handler or timer let escape; the loop carries on (a shim
  /// that died on one failed request would take its container with it). Default: stderr.
  void on_error(std::function<void(const std::exception&)> report) { m_report = std::move(report); }

 private:
  struct Watch {
    int fd;
    Handler handler;
  };
  struct Timer {
    std::chrono::nanoseconds deadline;
    std::function<void()> fn;
  };

  void run_once();
  int next_timeout_ms() const;
  void fire_due_timers();
  template <class F>
  void guarded(F&& f);

  UniqueFd m_epoll;
  std::map<uint64_t, std::shared_ptr<Watch>> m_watches;  ///< by token (never reused)
  std::map<int, uint64_t> m_token_of_fd;
  uint64_t m_next_token = 1;
  std::map<TimerId, Timer> m_timers;
  TimerId m_next_timer = 1;
  bool m_stopped = false;
  std::function<void(const std::exception&)> m_report;
};

/// Delivers signals as bytes on a pipe (a classic self-pipe) so the loop handles them like any
/// fd. Signals are caught, never blocked or ignored: a process forked by create_container
/// inherits neither a blocked mask nor SIG_IGN, and caught dispositions reset at exec.
class SignalPipe {
 public:
  /// Catches `signals` (SA_RESTART) and calls `on_signal(signo)` from the loop.
  SignalPipe(EventLoop& loop, std::initializer_list<int> signals, std::function<void(int)> on_signal);
  ~SignalPipe();
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;

 private:
  EventLoop& m_loop;
  UniqueFd m_read;
  std::function<void(int)> m_on_signal;
  std::vector<int> m_signals;
};

}  // namespace berth::shim
