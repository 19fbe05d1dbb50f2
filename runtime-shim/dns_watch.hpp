#pragma once
// Keeps the project's berth-dns alive while this shim's container may use it. Berth has no
// daemon to restart a berth-dns that was killed, so each shim of a container resolving through it
// watches it: a pidfd in the shim's event loop says at once when it exits; then, if the project
// still wants it (its records file exists), the shim that gets the run dir's lock first starts a
// new one with the engine's command line (common/dns_process.hpp) and the others find the new pid
// and watch that. With nothing to watch (berth stopped it; start failed) a timer looks again.
#include <chrono>
#include <functional>
#include <string>

#include "common/unique_fd.hpp"
#include "runtime-shim/event_loop.hpp"

namespace berth::shim {

class DnsWatch {
 public:
  /// `dir`: the project's run dir (dns.json, dns.pid); `binary`: berth-dns. `warn` reports
  /// restarts and failures (the shim's log).
  DnsWatch(EventLoop& loop, std::string dir, std::string binary, std::function<void(const std::string&)> warn);
  DnsWatch(const DnsWatch&) = delete;
  DnsWatch& operator=(const DnsWatch&) = delete;
  ~DnsWatch();

 private:
  /// Watches the live berth-dns, or starts one when it is wanted and gone, or tries later.
  void check();
  void watch(int pid);
  void unwatch();
  void retry_in(std::chrono::milliseconds delay);

  EventLoop& m_loop;
  std::string m_dir;
  std::string m_binary;
  std::function<void(const std::string&)> m_warn;
  UniqueFd m_pidfd;
  EventLoop::TimerId m_timer = 0;
};

}  // namespace berth::shim
