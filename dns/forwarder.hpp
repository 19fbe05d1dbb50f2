#pragma once
// Forwards queries we don't answer to the host's upstream resolvers with c-ares, inside the
// server's Asio loop (one thread, no locks).
//
// Integration: c-ares tells us through its socket-state callback which sockets it wants watched;
// each gets a non-owning asio::posix::stream_descriptor with async_wait(read/write), whose
// completion calls ares_process_fd. Asio's epoll reactor is edge-triggered and c-ares reads a TCP
// answer in several calls, so after processing a readable socket we poll it once more and keep
// going while data is waiting. One steady_timer follows ares_timeout() for retries and timeouts.
//
// Raw pass-through: ares_send() sends the client's query bytes (c-ares only changes the id) and
// hands back the upstream's raw response, so its rcode (NXDOMAIN vs NODATA), every record and the
// upstream's flags reach the client unchanged. Answers over 512 bytes or with TC are fetched again
// over TCP by c-ares (ARES_FLAG_EDNS is deliberately not set: c-ares would then rewrite our query
// buffer on FORMERR/SERVFAIL), and the server cuts them down with TC for UDP clients whose limit
// is smaller, so they retry over TCP. ARES_FLAG_NOCHECKRESP passes SERVFAIL/REFUSED through.
// The forwarder runs in the host network namespace, so a 127.0.0.53-style stub upstream works.
#include <ares.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dns/upstream.hpp"

namespace berth::dns {

struct ForwarderOptions {
  std::vector<std::string> servers;  ///< "IP" / "IP:PORT" / "[IPv6]:PORT"
  int timeout_ms = 2000;             ///< per try
  int tries = 2;
  size_t max_in_flight = 4096;  ///< beyond that, queries fail at once (SERVFAIL)
};

class Forwarder {
 public:
  /// Empty span = the upstream failed (timeout, refused connection, no servers, shutdown).
  using Callback = std::function<void(std::span<const uint8_t> response)>;

  /// Throws std::runtime_error when c-ares cannot be set up or a server is invalid.
  Forwarder(boost::asio::io_context& io, const ForwarderOptions& options);
  /// Fails every outstanding query (their callbacks run with an empty span).
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  /// Sends `query` upstream; `done` runs exactly once, possibly before forward() returns.
  void forward(std::span<const uint8_t> query, Callback done);
  size_t in_flight() const { return m_in_flight; }
  const std::vector<std::string>& servers() const { return m_servers; }

 private:
  struct Watch;
  static void on_socket_state(void* self, ares_socket_t fd, int readable, int writable);
  static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
  void socket_state(int fd, bool readable, bool writable);
  void arm(const std::shared_ptr<Watch>& watch);
  void process(const std::shared_ptr<Watch>& watch, bool readable);
  void reschedule();

  boost::asio::io_context& m_io;
  ares_channel m_channel = nullptr;
  boost::asio::steady_timer m_timer;
  std::unordered_map<int, std::shared_ptr<Watch>> m_watches;
  std::vector<std::string> m_servers;
  size_t m_max_in_flight;
  size_t m_in_flight = 0;
};

}  // namespace berth::dns
