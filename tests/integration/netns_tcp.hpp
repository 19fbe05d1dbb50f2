#pragma once
// Test helper for the DNS tests (integration and e2e): many TCP connections opened from inside a
// network namespace, as a container would open them, and which of them the server has closed.
// setns(CLONE_NEWNET) changes only the calling thread, so the sockets are made on a short-lived
// thread and the test process itself never leaves its namespace; a socket keeps the namespace
// it was made in.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth::test {

/// Opens up to `count` TCP connections to `ipv4`:`port` from the network namespace file
/// `netns_path` (/run/netns/NAME, or a container's bind-mounted netns). Each connect is bounded
/// (2 s). Stops at the first failure and says what failed in `error`. A connect that fails with
/// ECONNRESET was accepted and reset by the server before connect() returned (the server's RST can
/// arrive between the handshake and the caller waking up): it is kept, as a connection the peer
/// has already closed, which is what the caller measures.
inline std::vector<UniqueFd> tcp_connections_from(const std::string& netns_path, const std::string& ipv4, uint16_t port,
                                                  size_t count, std::string& error) {
  std::vector<UniqueFd> out;
  std::thread([&] {
    UniqueFd ns(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns || ::setns(ns.get(), CLONE_NEWNET) != 0) {
      error = "enter netns `" + netns_path + "`: " + std::strerror(errno);
      return;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    if (::inet_pton(AF_INET, ipv4.c_str(), &to.sin_addr) != 1) {
      error = "not an IPv4 address: " + ipv4;
      return;
    }
    for (size_t i = 0; i < count; ++i) {
      UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      timeval limit{2, 0};
      if (fd) ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
      if (!fd || (::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && errno != ECONNRESET)) {
        error = "connection " + std::to_string(i) + " to " + ipv4 + ":" + std::to_string(port) + ": " +
                std::strerror(errno);
        return;
      }
      out.push_back(std::move(fd));
    }
  }).join();
  return out;
}

/// How many of `fds` the peer has not closed: no EOF, reset or error is pending on them.
inline size_t still_open(std::span<const UniqueFd> fds) {
  std::vector<pollfd> p;
  for (const auto& fd : fds) p.push_back({fd.get(), POLLIN | POLLRDHUP, 0});
  if (::poll(p.data(), p.size(), 0) < 0) return fds.size();
  size_t open = 0;
  for (const auto& e : p) open += e.revents == 0 ? 1 : 0;
  return open;
}

/// Waits up to `limit` until at most `max` of `fds` are still open; returns how many are.
inline size_t wait_open_at_most(std::span<const UniqueFd> fds, size_t max, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  size_t open = still_open(fds);
  while (open > max && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    open = still_open(fds);
  }
  return open;
}

}  // namespace berth::test
