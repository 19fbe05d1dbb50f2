#pragma once
// Internal to server.cpp / server_tcp.cpp: listener and TCP connection state.
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "dns/forwarder_pool.hpp"
#include "dns/records.hpp"
#include "dns/server.hpp"
#include "dns/tcp_limits.hpp"

namespace berth::dns {

IpAddress to_ip(const boost::asio::ip::address& a);
boost::asio::ip::address to_asio(const IpAddress& a);

/// State that outlives the Server object for as long as a connection or callback needs it.
struct Server::Shared {
  std::atomic<std::shared_ptr<const Records>> records;
  ForwarderPool* forwarders = nullptr;
  std::chrono::milliseconds idle_timeout = kTcpIdleTimeout;
  TcpCaps caps;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> live;
};

struct Server::Listener {
  explicit Listener(boost::asio::io_context& io) : udp(io), tcp(io), retry(io) {}
  void close() {
    closed = true;
    boost::system::error_code ignored;
    udp.close(ignored);
    tcp.close(ignored);
    retry.cancel();
  }

  IpAddress address;
  boost::asio::ip::udp::socket udp;
  boost::asio::ip::tcp::acceptor tcp;
  boost::asio::steady_timer retry;  ///< accept back-off after EMFILE and the like
  std::array<uint8_t, 65535> buffer{};
  boost::asio::ip::udp::endpoint from;
  bool closed = false;
};

/// One TCP client: reads length-prefixed queries until EOF, idle timeout or close(); answers
/// are queued and written in completion order.
struct Server::Connection : std::enable_shared_from_this<Server::Connection> {
  Connection(boost::asio::ip::tcp::socket s, const IpAddress& client, std::shared_ptr<Shared> shared);
  void start();
  void close();
  /// What the admission policy sees of this connection.
  TcpPeer peer() const;

 private:
  void read_length();
  void read_body();
  void handle(std::vector<uint8_t> query);
  void send(std::vector<uint8_t> message);
  void write_next();
  void arm_idle();
  void wait_idle(std::chrono::steady_clock::time_point deadline);
  void finish_if_done();
  bool idle() const { return m_forwarding == 0 && !m_writing && m_out.empty(); }

  boost::asio::ip::tcp::socket m_socket;
  boost::asio::steady_timer m_idle;
  std::shared_ptr<Shared> m_shared;
  IpAddress m_client;
  std::chrono::steady_clock::time_point m_active;  ///< last query read or answer written
  std::array<uint8_t, 2> m_length{};
  std::vector<uint8_t> m_body;
  std::deque<std::vector<uint8_t>> m_out;
  size_t m_forwarding = 0;
  bool m_writing = false;
  bool m_read_done = false;
  bool m_closed = false;
};

}  // namespace berth::dns
