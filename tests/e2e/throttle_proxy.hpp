#pragma once
// A TCP proxy on 127.0.0.1 for registry tests: forwards every connection to an upstream
// host:port, and slows what comes back to a set rate, so a test can interrupt a download
// halfway (kill -9) at a moment it chooses. Threads end, and sockets close, when it goes.
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth::test {

class ThrottleProxy {
 public:
  /// Listens on a free 127.0.0.1 port; `upstream` is "127.0.0.1:PORT"; `bytes_per_second` = 0 is
  /// no limit.
  ThrottleProxy(const std::string& upstream, std::size_t bytes_per_second);
  ~ThrottleProxy();
  ThrottleProxy(const ThrottleProxy&) = delete;
  ThrottleProxy& operator=(const ThrottleProxy&) = delete;

  /// "127.0.0.1:PORT".
  const std::string& host() const { return m_host; }
  /// Changes the rate for every connection, open ones included (0: no limit).
  void set_rate(std::size_t bytes_per_second) { m_rate = bytes_per_second; }

 private:
  void accept_loop();
  void forward(UniqueFd client);

  std::string m_host;
  uint16_t m_upstream_port = 0;
  std::atomic<std::size_t> m_rate;
  std::atomic<bool> m_stop{false};
  UniqueFd m_listen;
  std::thread m_acceptor;
  std::mutex m_mutex;
  std::vector<std::thread> m_connections;
};

}  // namespace berth::test
