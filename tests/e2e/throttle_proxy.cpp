#include "throttle_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>

#include "support/ports.hpp"

namespace berth::test {

namespace {

constexpr int kTickMs = 50;  // how often a blocked loop looks at the stop flag

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

/// Writes all of `data` to `fd`; false when the peer is gone.
bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

ThrottleProxy::ThrottleProxy(const std::string& upstream, std::size_t bytes_per_second) : m_rate(bytes_per_second) {
  const auto colon = upstream.rfind(':');
  if (colon == std::string::npos || upstream.substr(0, colon) != "127.0.0.1")
    throw std::invalid_argument("ThrottleProxy: upstream must be 127.0.0.1:PORT, not " + upstream);
  m_upstream_port = static_cast<uint16_t>(std::stoi(upstream.substr(colon + 1)));
  const uint16_t port = free_loopback_port();
  m_listen = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  ::setsockopt(m_listen.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = loopback(port);
  if (!m_listen || ::bind(m_listen.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(m_listen.get(), 64) != 0)
    throw std::system_error(errno, std::generic_category(),
                            "ThrottleProxy: listen on 127.0.0.1:" + std::to_string(port));
  m_host = "127.0.0.1:" + std::to_string(port);
  m_acceptor = std::thread([this] { accept_loop(); });
}

ThrottleProxy::~ThrottleProxy() {
  m_stop = true;
  m_acceptor.join();
  std::lock_guard lock(m_mutex);
  for (auto& t : m_connections) t.join();
}

void ThrottleProxy::accept_loop() {
  while (!m_stop) {
    pollfd p{m_listen.get(), POLLIN, 0};
    if (::poll(&p, 1, kTickMs) <= 0) continue;
    UniqueFd client(::accept4(m_listen.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!client) continue;
    std::lock_guard lock(m_mutex);
    m_connections.emplace_back([this, c = std::move(client)]() mutable { forward(std::move(c)); });
  }
}

void ThrottleProxy::forward(UniqueFd client) {
  UniqueFd upstream(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = loopback(m_upstream_port);
  if (!upstream || ::connect(upstream.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
  char buf[16384];
  pollfd p[2] = {{client.get(), POLLIN, 0}, {upstream.get(), POLLIN, 0}};
  while (!m_stop) {
    if (::poll(p, 2, kTickMs) <= 0) continue;
    if (p[0].revents) {  // requests go up unchanged
      ssize_t n = ::recv(client.get(), buf, sizeof buf, 0);
      if (n <= 0 || !send_all(upstream.get(), buf, static_cast<std::size_t>(n))) return;
    }
    if (p[1].revents) {  // answers come back at the rate
      const std::size_t rate = m_rate;
      const std::size_t chunk = rate == 0 ? sizeof buf : std::min(sizeof buf, std::max<std::size_t>(rate / 20, 1));
      ssize_t n = ::recv(upstream.get(), buf, chunk, 0);
      if (n <= 0 || !send_all(client.get(), buf, static_cast<std::size_t>(n))) return;
      if (rate != 0)
        std::this_thread::sleep_for(std::chrono::microseconds(1000000LL * n / static_cast<long long>(rate)));
    }
  }
}

}  // namespace berth::test
