#pragma once
// Helpers for attacks from the network in e2e tests: a "LAN peer" (a network
// namespace joined to the host by a veth pair, on a TEST-NET range the host
// does not route: what a machine on the host's LAN can do), sockets made inside
// a network namespace, and hand-built IPv4 packets — a TCP SYN sent as a raw
// Ethernet frame (AF_PACKET, so it can carry a destination the peer's own
// kernel would never send, such as 127.0.0.1) and a UDP datagram with a forged
// source address (IPPROTO_RAW, what a container process with the default
// CAP_NET_RAW can send).
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "common/unique_fd.hpp"

namespace berth::test {

/// A socket created by a thread that joined the network namespace at
/// `netns_path` (a network namespace is per thread); "" = the caller's
/// namespace. Invalid on failure (errno kept).
UniqueFd socket_in_netns(const std::string &netns_path, int domain, int type, int protocol = 0);

/// The first TCP segment that came back for a probe: who sent it and its flags.
struct TcpReply {
  std::string source;  ///< IPv4 source address of the segment
  uint8_t flags = 0;   ///< TCP flags byte (0x12 = SYN|ACK, 0x04 = RST)
};

/// A network namespace `bsn<pid>` with a veth pair to the host: host end
/// <prefix>1/24, peer end <prefix>2/24, forwarding enabled on the host end only
/// (conf/<link>/forwarding goes away with the link). The range is the first of
/// 203.0.113.0/24 and 198.51.100.0/24 that `ip route` does not mention; error()
/// says why none could be used.
class LanPeer {
 public:
  LanPeer();
  ~LanPeer();
  LanPeer(const LanPeer &) = delete;
  LanPeer &operator=(const LanPeer &) = delete;

  /// Why the peer could not be made ("" when it was).
  const std::string &error() const { return m_error; }
  /// True when the reason is that the host routes both ranges (a test skips
  /// then).
  bool no_free_range() const { return !m_error.empty() && m_host_address.empty(); }
  /// Deletes the veth pair and the namespace; true when neither is left.
  bool destroy();

  const std::string &host_address() const { return m_host_address; }
  const std::string &peer_address() const { return m_peer_address; }
  /// /run/netns/<name>
  std::string netns_path() const { return "/run/netns/" + m_netns; }

  /// `ip route add <cidr> via <host end>` inside the peer: it routes that range
  /// through the host.
  bool route_via_host(const std::string &cidr);

  /// Sends a TCP SYN to dst:port as an Ethernet frame addressed to the host
  /// end's MAC (as a LAN host does when the host is its gateway or it targets
  /// the host's MAC on purpose), again every 700 ms, and returns the first TCP
  /// segment from dst port `port` to the SYN's source port seen on the peer's
  /// link within `timeout_ms` (any: a SYN-ACK or a RST both mean it got
  /// through).
  std::optional<TcpReply> syn_probe(const std::string &dst, uint16_t port, int timeout_ms = 2500);

 private:
  std::string m_error;
  std::string m_netns, m_host_link, m_peer_link;
  std::string m_host_address, m_peer_address;
  bool m_made = false;
};

/// A TCP server in a network namespace answering every connection with the
/// address the client connected from (so a test sees whether its source was
/// masqueraded). Stops when destroyed.
class AddressEchoServer {
 public:
  AddressEchoServer(const std::string &netns_path, const std::string &ip, uint16_t port);
  ~AddressEchoServer();
  AddressEchoServer(const AddressEchoServer &) = delete;
  AddressEchoServer &operator=(const AddressEchoServer &) = delete;
  bool ok() const { return m_ok; }

 private:
  UniqueFd m_fd;
  bool m_ok = false;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

/// A TCP connection made from the network namespace at `netns_path` ("" = the
/// caller's) to ip:port that sends `request` and returns what the server sent
/// until it closed or `timeout_ms` passed; nullopt when no connection was made
/// in that time.
std::optional<std::string> tcp_exchange(const std::string &netns_path, const std::string &ip, uint16_t port,
                                        const std::string &request, int timeout_ms = 2000);

/// Sends one UDP datagram src:40000 -> dst:dport with `payload` from the
/// network namespace at `netns_path`, the IPv4 header built here (IPPROTO_RAW),
/// so `src` may be any address. False (errno kept) when the socket or sendto
/// failed.
bool send_udp_raw(const std::string &netns_path, const std::string &src, const std::string &dst, uint16_t dport,
                  const std::string &payload);

}  // namespace berth::test
