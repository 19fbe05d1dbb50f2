// Network attacks on a Berth project, performed as an attacker would (issue 10, items 3-5):
// from a machine on the host's LAN (a LanPeer: a network namespace with a veth to the host on a
// TEST-NET range) and from inside a container. Each test first shows that the same machinery
// gets an answer where one is due, so a silent network cannot make it pass.
//
// ip_forward: creating a non-internal network sets net.ipv4.ip_forward=1 (as Docker does) and
// the LanPeer enables forwarding on its own host link; the tests change no other sysctl.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "common/unique_fd.hpp"
#include "engine_fixture.hpp"
#include "lan_peer.hpp"
#include "support/text.hpp"

using berth::UniqueFd;
using berth::test::EngineFixture;
using berth::test::LanPeer;
using berth::test::tcp_exchange;
using namespace std::chrono_literals;

namespace {

const char* kGet = "GET /index.html HTTP/1.0\r\n\r\n";

using berth::test::contains;

/// Two distinct free TCP ports (both held while the second is chosen; the race with other
/// processes afterwards is accepted in tests).
std::pair<uint16_t, uint16_t> free_ports() {
  UniqueFd a(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)), b(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  auto port_of = [](int fd) -> uint16_t {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 0;
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
  };
  return {port_of(a.get()), port_of(b.get())};
}

/// `web` serves the same page on 8080 (published on 127.0.0.1 only), 8081 (published on every
/// address) and 8082 (not published); `client` is a second container on the same network.
std::string web_and_client(uint16_t loopback_port, uint16_t all_port) {
  return R"(services:
  web:
    image: busybox:e2e
    command: ["sh", "-c", "mkdir -p /www; echo berth-ok > /www/index.html; for p in 8080 8081 8082; do httpd -p $$p -h /www; done; trap 'exit 0' TERM; sleep 300 & wait"]
    ports: ["127.0.0.1:)" +
         std::to_string(loopback_port) + R"(:8080", ")" + std::to_string(all_port) + R"(:8081"]
    stop_grace_period: 1s
  client:
    image: busybox:e2e
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]
    stop_grace_period: 1s
)";
}

/// True when /proc/net/tcp{,6} text has a socket on `local_port` whose remote address is
/// `remote` (IPv4, or IPv4-mapped in tcp6: busybox httpd listens on [::]) — a connection, or a
/// half-open one in SYN_RECV: the container answered a SYN from there.
bool tcp_peer_seen(const std::string& proc_net_tcp, uint16_t local_port, const std::string& remote) {
  in_addr want{};
  ::inet_pton(AF_INET, remote.c_str(), &want);
  char want_hex[9];
  std::snprintf(want_hex, sizeof want_hex, "%08X", want.s_addr);  // /proc prints the raw u32
  std::istringstream lines(proc_net_tcp);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string slot, local, rem;
    if (!(fields >> slot >> local >> rem) || local.find(':') == std::string::npos) continue;
    const auto port = std::strtoul(local.substr(local.find(':') + 1).c_str(), nullptr, 16);
    const std::string rem_addr = rem.substr(0, rem.find(':'));
    if (port == local_port && (rem_addr == want_hex || rem_addr == std::string("0000000000000000FFFF0000") + want_hex))
      return true;
  }
  return false;
}

/// The subnet of "a.b.c.d/len" as "n.n.n.n/len".
std::string subnet_of(const std::string& cidr) {
  const auto slash = cidr.find('/');
  const int len = std::stoi(cidr.substr(slash + 1));
  in_addr a{};
  ::inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &a);
  const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
  a.s_addr = htonl(ntohl(a.s_addr) & mask);
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &a, text, sizeof text);
  return std::string(text) + "/" + std::to_string(len);
}

}  // namespace

class SecurityNetwork : public EngineFixture {
 protected:
  /// Waits (at most 10 s) until the page answers on 127.0.0.1:port from the host.
  bool page_ready(uint16_t port) {
    for (int i = 0; i < 50; ++i) {
      if (contains(tcp_exchange("", "127.0.0.1", port, kGet, 1000).value_or(""), "berth-ok")) return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  /// "a.b.c.d/len" of eth0 in `service` (empty when not found).
  std::string eth0_cidr(const std::string& service) {
    auto r = berth({"exec", "-T", service, "ip", "-4", "-o", "addr", "show", "eth0"});
    std::smatch m;
    static const std::regex inet(R"(inet ([0-9.]+/[0-9]+))");
    return std::regex_search(r.out, m, inet) ? m[1].str() : "";
  }

  /// The default gateway inside `service` (the bridge address).
  std::string gateway_of(const std::string& service) {
    auto r = berth({"exec", "-T", service, "ip", "-4", "route", "show", "default"});
    std::smatch m;
    static const std::regex via(R"(default via ([0-9.]+))");
    return std::regex_search(r.out, m, via) ? m[1].str() : "";
  }
};

// moby #45610: a LAN host sends a SYN to 127.0.0.1:PORT in a frame addressed to the host's MAC.
// The nat hook DNATed it to a port published on 127.0.0.1 only before the kernel's martian check
// could drop it; now a raw-priority rule drops every packet to 127.0.0.0/8 not from lo.
TEST_F(SecurityNetwork, LoopbackPublishedPortDoesNotAnswerTheLan) {
  const auto [loopback_port, all_port] = free_ports();
  write_compose(web_and_client(loopback_port, all_port));
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  ASSERT_TRUE(page_ready(loopback_port)) << "web does not answer on 127.0.0.1:" << loopback_port;

  LanPeer peer;
  if (peer.no_free_range()) GTEST_SKIP() << peer.error();
  ASSERT_EQ(peer.error(), "");

  // The frame machinery gets an answer where one is due: the port published on every address,
  // through the host end's own address.
  auto control = peer.syn_probe(peer.host_address(), all_port);
  ASSERT_TRUE(control) << "no answer from " << peer.host_address() << ":" << all_port << " to a hand-built SYN";
  EXPECT_EQ(control->flags & 0x12, 0x12) << "not a SYN-ACK: flags " << int(control->flags);
  EXPECT_EQ(control->source, peer.host_address());

  // The attack: the same frame to 127.0.0.1. Any TCP answer (SYN-ACK or RST) means it got in.
  auto attack = peer.syn_probe("127.0.0.1", loopback_port);
  EXPECT_FALSE(attack) << "127.0.0.1:" << loopback_port << " answered the LAN: flags " << int(attack->flags) << " from "
                       << attack->source;
  // 127.0.0.1 is no way in for a port published on every address either (it has its own).
  auto attack_all = peer.syn_probe("127.0.0.1", all_port);
  EXPECT_FALSE(attack_all) << "127.0.0.1:" << all_port << " answered the LAN";
  // Nor did the container see the SYN (it would hold a SYN_RECV socket from the peer).
  auto tcp = berth({"exec", "-T", "web", "cat", "/proc/net/tcp", "/proc/net/tcp6"});
  ASSERT_EQ(tcp.exit_code, 0) << tcp.err;
  EXPECT_FALSE(tcp_peer_seen(tcp.out, 8080, peer.peer_address())) << tcp.out;

  // The host itself still reaches the port on 127.0.0.1 (output path, lo).
  EXPECT_TRUE(contains(tcp_exchange("", "127.0.0.1", loopback_port, kGet).value_or(""), "berth-ok"));
  EXPECT_TRUE(peer.destroy()) << "LAN peer namespace or veth left behind";
}

// Docker 28's fix: a LAN host that routes the bridge's subnet through this host reached every
// port of every container. Into the bridge now only replies, DNATed (published) traffic and
// traffic from the same network pass.
TEST_F(SecurityNetwork, UnpublishedPortsAreNotRoutableFromTheLan) {
  const auto [loopback_port, all_port] = free_ports();
  write_compose(web_and_client(loopback_port, all_port));
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  ASSERT_TRUE(page_ready(loopback_port));
  const std::string cidr = eth0_cidr("web");
  ASSERT_FALSE(cidr.empty());
  const std::string web_ip = cidr.substr(0, cidr.find('/'));
  const std::string gateway = gateway_of("web");
  ASSERT_FALSE(gateway.empty());

  LanPeer peer;
  if (peer.no_free_range()) GTEST_SKIP() << peer.error();
  ASSERT_EQ(peer.error(), "");
  ASSERT_TRUE(peer.route_via_host(subnet_of(cidr)));

  // Published on every address: answers the LAN through the host's address.
  auto page = tcp_exchange(peer.netns_path(), peer.host_address(), all_port, kGet);
  ASSERT_TRUE(page) << "no connection to " << peer.host_address() << ":" << all_port;
  EXPECT_TRUE(contains(*page, "berth-ok")) << *page;

  // Routed straight to the container: an unpublished port, and a published one without the
  // host's DNAT, are closed to the LAN.
  auto unpublished = tcp_exchange(peer.netns_path(), web_ip, 8082, kGet, 1500);
  EXPECT_FALSE(unpublished) << "unpublished " << web_ip << ":8082 reachable from the LAN: " << *unpublished;
  auto direct = tcp_exchange(peer.netns_path(), web_ip, 8081, kGet, 1500);
  EXPECT_FALSE(direct) << web_ip << ":8081 reachable from the LAN without the published port";

  // Unchanged: egress (masqueraded to the host end's address; the replies come back in) ...
  const uint16_t echo_port = static_cast<uint16_t>(20000 + ::getpid() % 20000);
  berth::test::AddressEchoServer echo(peer.netns_path(), peer.peer_address(), echo_port);
  ASSERT_TRUE(echo.ok());
  auto egress = berth({"exec", "-T", "web", "sh", "-c",
                       "nc -w 3 " + peer.peer_address() + " " + std::to_string(echo_port) + " </dev/null"});
  EXPECT_TRUE(contains(egress.out, peer.host_address())) << egress.out << egress.err;
  // ... same-network traffic to any port ...
  // (busybox wget's own -T crashes in this busybox: timeout(1) bounds it instead.)
  auto same = berth({"exec", "-T", "client", "timeout", "3", "wget", "-q", "-O", "-", "http://web:8082/index.html"});
  EXPECT_TRUE(contains(same.out, "berth-ok")) << same.exit_code << ": " << same.out << same.err;
  // ... hairpin to a published port through a host address ...
  auto hairpin = berth({"exec", "-T", "client", "timeout", "3", "wget", "-q", "-O", "-",
                        "http://" + gateway + ":" + std::to_string(all_port) + "/index.html"});
  EXPECT_TRUE(contains(hairpin.out, "berth-ok")) << hairpin.exit_code << ": " << hairpin.out << hairpin.err;
  // ... and the host to the container (output path, not forwarding).
  EXPECT_TRUE(contains(tcp_exchange("", web_ip, 8082, kGet).value_or(""), "berth-ok"));
  EXPECT_TRUE(peer.destroy()) << "LAN peer namespace or veth left behind";
}

// route_localnet on the bridge turns off the kernel's martian-source check there: a container
// (any process with the default CAP_NET_RAW) sent UDP from 127.0.0.2 that a host socket received
// as coming from loopback. The datagrams are built here and sent from the container's network
// namespace, exactly as such a process would send them.
TEST_F(SecurityNetwork, LoopbackSourceFromAContainerNeverArrives) {
  write_compose(R"(services:
  sender:
    image: busybox:e2e
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]
    stop_grace_period: 1s
)");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string own = eth0_address("sender");
  const std::string gateway = gateway_of("sender");
  ASSERT_FALSE(gateway.empty());
  std::string id;
  for (const auto& [name, cid] : container_ids())
    if (contains(name, "sender")) id = cid;
  ASSERT_FALSE(id.empty());
  const std::string netns = run() + "/netns/" + id;

  // The host socket: every address, a free port.
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ASSERT_EQ(::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  const uint16_t port = ntohs(addr.sin_port);

  // Forged datagrams first, then one from the container's own address through the same
  // machinery, which must arrive (and after which the forged ones would have arrived too).
  bool own_arrived = false;
  std::vector<std::string> forged_from;
  for (int round = 0; round < 3 && !own_arrived; ++round) {
    ASSERT_TRUE(berth::test::send_udp_raw(netns, "127.0.0.2", gateway, port, "forged")) << std::strerror(errno);
    ASSERT_TRUE(berth::test::send_udp_raw(netns, own, gateway, port, "own")) << std::strerror(errno);
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{sock.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) != 1) continue;
      char buf[64];
      sockaddr_in from{};
      socklen_t from_len = sizeof from;
      const ssize_t n = ::recvfrom(sock.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n <= 0) continue;
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
      const std::string payload(buf, static_cast<size_t>(n));
      if (payload == "own" && text == own) own_arrived = true;
      if (payload == "forged") forged_from.emplace_back(text);
    }
  }
  EXPECT_TRUE(own_arrived) << "no datagram from the container's own address " << own << " arrived";
  EXPECT_TRUE(forged_from.empty()) << "a datagram forged as 127.0.0.2 arrived, as from " << forged_from.front();
}
