// LAN peer, namespace sockets and hand-built packets for e2e network attacks
// (see lan_peer.hpp).
//
// Frames and datagrams are built byte by byte (network order) with their
// checksums, so a test controls every field the kernel would otherwise fill in
// or refuse: the peer's kernel would never route a packet to 127.0.0.1 out of
// its veth, and a container's kernel refuses a loopback source on a bound
// socket that leaves through eth0 (EINVAL from the output route); AF_PACKET and
// IPPROTO_RAW bypass both, as an attacker's program does.
#include "lan_peer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "support/run_command.hpp"

namespace berth::test {
namespace {

using Clock = std::chrono::steady_clock;

bool ip(const std::vector<std::string> &args) {
  std::vector<std::string> argv = {"/bin/ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, "/", {}).exit_code == 0;
}

bool write_text(const std::string &path, const std::string &text) {
  std::ofstream out(path);
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

/// "aa:bb:cc:dd:ee:ff" -> 6 bytes; false unless exactly that form.
bool parse_mac(const std::string &text, unsigned char mac[6]) {
  unsigned v[6];
  if (std::sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) return false;
  for (int i = 0; i < 6; ++i) mac[i] = static_cast<unsigned char>(v[i]);
  return true;
}

in_addr to_addr(const std::string &text) {
  in_addr a{};
  ::inet_pton(AF_INET, text.c_str(), &a);
  return a;
}

void put16(std::vector<unsigned char> &b, size_t at, uint16_t v) {
  const unsigned char bytes[2] = {static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  std::memcpy(&b.at(at + 1) - 1, bytes, 2);  // at(): bounds-checked, and no GCC 12 -Wnull-dereference false positive
}
void put_addr(std::vector<unsigned char> &b, size_t at, in_addr a) { std::memcpy(&b[at], &a, 4); }
uint16_t get16(const unsigned char *p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

/// The Internet checksum (RFC 1071) of `len` bytes, continuing from `sum`.
uint32_t sum16(const unsigned char *data, size_t len, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < len; i += 2) sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
  if (len % 2) sum += static_cast<uint32_t>(data[len - 1] << 8);
  return sum;
}
uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

/// IPv4 header (20 bytes, DF, TTL 64) at `at` in `b`, followed by `payload_len`
/// bytes of `proto`.
void put_ipv4(std::vector<unsigned char> &b, size_t at, uint8_t proto, in_addr src, in_addr dst, size_t payload_len,
              uint16_t id) {
  b[at] = 0x45;
  put16(b, at + 2, static_cast<uint16_t>(20 + payload_len));
  put16(b, at + 4, id);
  put16(b, at + 6, 0x4000);
  b[at + 8] = 64;
  b[at + 9] = proto;
  put_addr(b, at + 12, src);
  put_addr(b, at + 16, dst);
  put16(b, at + 10, fold(sum16(&b[at], 20)));
}

/// Checksum of a TCP/UDP segment at `at` (length `len`) with the IPv4
/// pseudo-header.
uint16_t l4_checksum(const std::vector<unsigned char> &b, size_t at, size_t len, uint8_t proto, in_addr src,
                     in_addr dst) {
  unsigned char pseudo[12] = {};
  std::memcpy(pseudo, &src, 4);
  std::memcpy(pseudo + 4, &dst, 4);
  pseudo[9] = proto;
  pseudo[10] = static_cast<unsigned char>(len >> 8);
  pseudo[11] = static_cast<unsigned char>(len);
  return fold(sum16(&b[at], len, sum16(pseudo, sizeof pseudo)));
}

/// Joins the network namespace at `path` for the calling thread only.
bool join_netns(const std::string &path) {
  UniqueFd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  return ns && ::setns(ns.get(), CLONE_NEWNET) == 0;
}

bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & events) != 0;
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace

UniqueFd socket_in_netns(const std::string &netns_path, int domain, int type, int protocol) {
  UniqueFd result;
  int error = 0;
  std::thread([&] {
    if (!netns_path.empty() && !join_netns(netns_path)) {
      error = errno;
      return;
    }
    result.reset(::socket(domain, type | SOCK_CLOEXEC, protocol));
    error = errno;
  }).join();
  if (!result) errno = error;
  return result;
}

LanPeer::LanPeer() {
  const std::string tag = std::to_string(::getpid());
  m_netns = "bsn" + tag;
  m_host_link = "bsnh" + tag;
  m_peer_link = "bsnp" + tag;
  // 192.0.2.0/24 can be this machine kind's real uplink: only ranges no route
  // mentions.
  const std::string routes = run_command({"/bin/ip", "-4", "route", "show", "table", "all"}, "/", {}).out;
  std::string prefix;
  for (const char *candidate : {"203.0.113.", "198.51.100."}) {
    if (routes.find(candidate) == std::string::npos) {
      prefix = candidate;
      break;
    }
  }
  if (prefix.empty()) {
    m_error = "both 203.0.113.0/24 and 198.51.100.0/24 are routed on this host";
    return;
  }
  m_host_address = prefix + "1";
  m_peer_address = prefix + "2";
  m_made = true;  // from here on destroy() has something to undo
  const bool ok =
      ip({"netns", "add", m_netns}) &&
      ip({"link", "add", m_host_link, "address", "02:b5:00:00:00:01", "type", "veth", "peer", "name", m_peer_link,
          "address", "02:b5:00:00:00:02"}) &&
      ip({"link", "set", m_peer_link, "netns", m_netns}) &&
      ip({"addr", "add", m_host_address + "/24", "dev", m_host_link}) && ip({"link", "set", m_host_link, "up"}) &&
      write_text("/proc/sys/net/ipv4/conf/" + m_host_link + "/forwarding", "1\n") &&
      ip({"-n", m_netns, "addr", "add", m_peer_address + "/24", "dev", m_peer_link}) &&
      ip({"-n", m_netns, "link", "set", m_peer_link, "up"}) && ip({"-n", m_netns, "link", "set", "lo", "up"});
  if (!ok) m_error = "could not set up the LAN peer namespace " + m_netns + " and veth " + m_host_link;
}

LanPeer::~LanPeer() { destroy(); }

bool LanPeer::destroy() {
  if (!m_made) return true;
  ip({"link", "del", m_host_link});  // takes the peer end with it
  ip({"netns", "del", m_netns});
  m_made = false;
  return !std::filesystem::exists("/sys/class/net/" + m_host_link) && !std::filesystem::exists(netns_path());
}

bool LanPeer::route_via_host(const std::string &cidr) {
  return ip({"-n", m_netns, "route", "add", cidr, "via", m_host_address});
}

std::optional<TcpReply> LanPeer::syn_probe(const std::string &dst, uint16_t port, int timeout_ms) {
  unsigned char host_mac[6], peer_mac[6];
  std::ifstream mac_file("/sys/class/net/" + m_host_link + "/address");
  std::string mac_text;
  mac_file >> mac_text;
  if (!parse_mac(mac_text, host_mac) || !parse_mac("02:b5:00:00:00:02", peer_mac)) return std::nullopt;

  // The packet socket and the link's index, both from inside the peer's
  // namespace.
  UniqueFd sock;
  unsigned ifindex = 0;
  std::thread([&] {
    if (!join_netns(netns_path())) return;
    sock.reset(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_IP)));
    ifindex = ::if_nametoindex(m_peer_link.c_str());
  }).join();
  if (!sock || ifindex == 0) return std::nullopt;
  sockaddr_ll bind_to{};
  bind_to.sll_family = AF_PACKET;
  bind_to.sll_protocol = htons(ETH_P_IP);
  bind_to.sll_ifindex = static_cast<int>(ifindex);
  if (::bind(sock.get(), reinterpret_cast<sockaddr *>(&bind_to), sizeof bind_to) != 0) return std::nullopt;

  std::mt19937 random(std::random_device{}());
  const uint16_t sport = static_cast<uint16_t>(40000 + random() % 20000);
  const in_addr src = to_addr(m_peer_address), daddr = to_addr(dst);
  std::vector<unsigned char> frame(14 + 20 + 20, 0);
  std::memcpy(&frame[0], host_mac, 6);
  std::memcpy(&frame[6], peer_mac, 6);
  put16(frame, 12, ETH_P_IP);
  put_ipv4(frame, 14, IPPROTO_TCP, src, daddr, 20, static_cast<uint16_t>(random()));
  const size_t tcp = 34;
  put16(frame, tcp, sport);
  put16(frame, tcp + 2, port);
  const uint32_t seq = static_cast<uint32_t>(random());
  for (int i = 0; i < 4; ++i) frame[tcp + 4 + i] = static_cast<unsigned char>(seq >> (24 - 8 * i));
  frame[tcp + 12] = 5 << 4;  // data offset: 5 words
  frame[tcp + 13] = 0x02;    // SYN
  put16(frame, tcp + 14, 64240);
  put16(frame, tcp + 16, l4_checksum(frame, tcp, 20, IPPROTO_TCP, src, daddr));

  sockaddr_ll to = bind_to;
  to.sll_halen = 6;
  std::memcpy(to.sll_addr, host_mac, 6);
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  auto next_send = Clock::now();
  while (Clock::now() < deadline) {
    if (Clock::now() >= next_send) {
      ::sendto(sock.get(), frame.data(), frame.size(), 0, reinterpret_cast<sockaddr *>(&to), sizeof to);
      next_send = Clock::now() + std::chrono::milliseconds(700);
    }
    const int wait = std::min(remaining_ms(deadline), 100);
    if (!wait_for(sock.get(), POLLIN, wait)) continue;
    unsigned char buf[2048];
    sockaddr_ll from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(sock.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr *>(&from), &from_len);
    if (n < 14 + 20 + 20 || from.sll_pkttype == PACKET_OUTGOING) continue;
    const unsigned char *ip4 = buf + 14;
    const size_t ihl = static_cast<size_t>(ip4[0] & 0x0f) * 4;
    if ((ip4[0] >> 4) != 4 || ip4[9] != IPPROTO_TCP || static_cast<size_t>(n) < 14 + ihl + 20) continue;
    const unsigned char *seg = ip4 + ihl;
    if (get16(seg) != port || get16(seg + 2) != sport) continue;
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, ip4 + 12, text, sizeof text);
    return TcpReply{text, seg[13]};
  }
  return std::nullopt;
}

std::optional<std::string> tcp_exchange(const std::string &netns_path, const std::string &ip_text, uint16_t port,
                                        const std::string &request, int timeout_ms) {
  UniqueFd fd = socket_in_netns(netns_path, AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
  if (!fd) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr = to_addr(ip_text);
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS || !wait_for(fd.get(), POLLOUT, remaining_ms(deadline))) return std::nullopt;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return std::nullopt;
  }
  if (!request.empty() && ::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) < 0) return std::string();
  std::string got;
  while (wait_for(fd.get(), POLLIN, remaining_ms(deadline))) {
    char buf[4096];
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

AddressEchoServer::AddressEchoServer(const std::string &netns_path, const std::string &ip_text, uint16_t port) {
  m_fd = socket_in_netns(netns_path, AF_INET, SOCK_STREAM);
  int one = 1;
  ::setsockopt(m_fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr = to_addr(ip_text);
  m_ok =
      m_fd && ::bind(m_fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 && ::listen(m_fd.get(), 8) == 0;
  if (!m_ok) return;
  m_thread = std::thread([this] {
    while (!m_stop) {
      if (!wait_for(m_fd.get(), POLLIN, 50)) continue;
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      UniqueFd conn(::accept4(m_fd.get(), reinterpret_cast<sockaddr *>(&peer), &len, SOCK_CLOEXEC));
      if (!conn) continue;
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
      const std::string reply = std::string(text) + "\n";
      (void)!::send(conn.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
    }
  });
}

AddressEchoServer::~AddressEchoServer() {
  m_stop = true;
  if (m_thread.joinable()) m_thread.join();
}

bool send_udp_raw(const std::string &netns_path, const std::string &src_text, const std::string &dst_text,
                  uint16_t dport, const std::string &payload) {
  UniqueFd fd = socket_in_netns(netns_path, AF_INET, SOCK_RAW,
                                IPPROTO_RAW);  // implies IP_HDRINCL
  if (!fd) return false;
  const in_addr src = to_addr(src_text), dst = to_addr(dst_text);
  const size_t udp_len = 8 + payload.size();
  std::vector<unsigned char> packet(20 + udp_len, 0);
  put_ipv4(packet, 0, IPPROTO_UDP, src, dst, udp_len, static_cast<uint16_t>(::getpid()));
  put16(packet, 20, 40000);
  put16(packet, 22, dport);
  put16(packet, 24, static_cast<uint16_t>(udp_len));
  std::memcpy(&packet[28], payload.data(), payload.size());
  uint16_t check = l4_checksum(packet, 20, udp_len, IPPROTO_UDP, src, dst);
  put16(packet, 26, check == 0 ? 0xffff : check);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr = dst;
  return ::sendto(fd.get(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr *>(&to), sizeof to) ==
         static_cast<ssize_t>(packet.size());
}

}  // namespace berth::test
