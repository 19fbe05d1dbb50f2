// Firewall against the real kernel: network namespaces stand in for containers and for an
// outside client, wired with veths into test bridges named like Berth's (`berth-…`), and
// TCP/UDP servers run in them on sockets created from a thread that joined the namespace (a
// network namespace is per thread). Traffic goes only to loopback and to these namespaces.
//
// IP forwarding is switched on per interface (conf/<link>/forwarding) on the test's own links
// only, so the host-wide ip_forward setting is neither needed nor changed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "common/unique_fd.hpp"
#include "compose/network/firewall.hpp"
#include "support/run_command.hpp"

namespace berth::network {
namespace {

using nlohmann::json;

bool run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

std::string read_command(const std::string& command) { return test::run_shell(command).out; }

/// Every rule comment in the whole ruleset (what `nft -j list ruleset` shows).
std::vector<std::string> ruleset_comments() {
  std::vector<std::string> comments;
  const json all = json::parse(read_command("nft -j list ruleset"), nullptr, false);
  if (!all.is_object()) return comments;
  for (const auto& item : all.value("nftables", json::array())) {
    if (item.contains("rule")) comments.push_back(item["rule"].value("comment", ""));
  }
  return comments;
}

/// A socket in the network namespace /run/netns/<netns> ("" = the test's own namespace).
UniqueFd socket_in(const std::string& netns, int type) {
  UniqueFd result;
  std::thread([&] {
    if (!netns.empty()) {
      UniqueFd ns(::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC));
      if (!ns || ::setns(ns.get(), CLONE_NEWNET) != 0) return;
    }
    result.reset(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  }).join();
  return result;
}

sockaddr_in endpoint(const std::string& ip, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  return addr;
}

std::string ip_of(const sockaddr_in& addr) {
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &addr.sin_addr, text, sizeof text);
  return text;
}

bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & events) != 0;
}

/// Answers every TCP connection or UDP datagram on 0.0.0.0:port with the peer's address, so a
/// test sees whether (and to what) the source was masqueraded.
class PeerServer {
 public:
  PeerServer(const std::string& netns, int type, uint16_t port) : m_type(type) {
    m_fd = socket_in(netns, type);
    int one = 1;
    ::setsockopt(m_fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto addr = endpoint("0.0.0.0", port);
    m_ok = m_fd && ::bind(m_fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
           (type != SOCK_STREAM || ::listen(m_fd.get(), 16) == 0);
    if (m_ok) m_thread = std::thread([this] { serve(); });
  }
  ~PeerServer() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
  }
  bool ok() const { return m_ok; }

 private:
  void serve() {
    while (!m_stop) {
      if (!wait_for(m_fd.get(), POLLIN, 50)) continue;
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      if (m_type == SOCK_STREAM) {
        UniqueFd conn(::accept4(m_fd.get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC));
        if (!conn) continue;
        const std::string reply = ip_of(peer);
        (void)!::write(conn.get(), reply.data(), reply.size());
      } else {
        char buf[64];
        if (::recvfrom(m_fd.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len) < 0) continue;
        const std::string reply = ip_of(peer);
        ::sendto(m_fd.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), len);
      }
    }
  }

  int m_type;
  UniqueFd m_fd;
  bool m_ok = false;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

/// Connects from `netns` to ip:port; the server's answer (the source address it saw), or nothing
/// within ~1 s per attempt (UDP tries twice: the first datagram may race neighbour discovery).
std::optional<std::string> ask(const std::string& netns, int type, const std::string& ip, uint16_t port) {
  const int attempts = type == SOCK_DGRAM ? 2 : 1;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    UniqueFd fd = socket_in(netns, type | SOCK_NONBLOCK);
    if (!fd) return std::nullopt;
    auto addr = endpoint(ip, port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      if (errno != EINPROGRESS || !wait_for(fd.get(), POLLOUT, 1000)) continue;
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) continue;
    }
    if (type == SOCK_DGRAM && ::send(fd.get(), "?", 1, 0) != 1) continue;
    if (!wait_for(fd.get(), POLLIN, 1000)) continue;
    char buf[64];
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n > 0) return std::string(buf, n);
  }
  return std::nullopt;
}

/// Test networks: bridges A, B (normal) and I (internal), a "container" netns on each, and an
/// "outside" netns linked to the host by a plain veth (10.225.X.0/30), all named after the pid.
class FirewallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, nftables)";
    if (!run("ip -V") || !run("nft --version")) GTEST_SKIP() << "needs the `ip` and `nft` tools";
    char tag[8];
    std::snprintf(tag, sizeof tag, "%05x", static_cast<unsigned>(::getpid()) & 0xfffff);
    m_tag = tag;
    const int x = ::getpid() % 250;
    m_octet = std::to_string(x);
    m_outside_host = "10.225." + m_octet + ".1";
    m_outside_peer = "10.225." + m_octet + ".2";
    for (char net : {'a', 'b', 'i'}) make_network(net);
    make_outside();
  }

  void TearDown() override {
    if (m_tag.empty()) return;
    Firewall firewall(HostLock::take);
    for (char net : {'a', 'b', 'i'}) {
      firewall.remove_endpoint(container_id(net));
      firewall.remove_network(network_id(net));
    }
    // Deleting a veth end deletes the pair at once; a deleted netns takes its links only when the
    // kernel frees it, which can be later than the next test's setup.
    for (char net : {'a', 'b', 'i'}) run("ip link del berthf" + m_tag + net);
    for (char net : {'a', 'b', 'i', 'o'}) run("ip netns del " + netns(net));
    for (char net : {'a', 'b', 'i'}) run("ip link del " + bridge(net));
    run("ip link del bfo" + m_tag + "h");
    for (char net : {'a', 'b', 'i'}) {
      EXPECT_FALSE(run("ip link show " + bridge(net))) << bridge(net) << " left behind";
      EXPECT_FALSE(run("ip netns pids " + netns(net))) << netns(net) << " left behind";
    }
    EXPECT_FALSE(run("ip link show bfo" + m_tag + "h"));
    EXPECT_EQ(own_rules(), 0) << "berth rules of this test left behind";
  }

  std::string bridge(char net) const { return "berth-f" + std::string(1, net) + m_tag; }
  std::string netns(char net) const { return "bft" + m_tag + net; }
  std::string subnet_prefix(char net) const {
    return (net == 'a' ? "10.222." : net == 'b' ? "10.223." : "10.224.") + m_octet + ".";
  }
  std::string gateway(char net) const { return subnet_prefix(net) + "1"; }
  std::string address(char net) const { return subnet_prefix(net) + "2"; }
  std::string network_id(char net) const { return std::string{'f', net} + m_tag + "00000"; }
  std::string container_id(char net) const { return std::string(56, net) + m_tag + "fff"; }
  uint16_t port(int n) const { return static_cast<uint16_t>(20000 + (::getpid() % 4000) * 10 + n); }

  FirewallNetwork fw_network(char net) const {
    return {network_id(net), bridge(net), subnet_prefix(net) + "0/24", gateway(net), net == 'i'};
  }
  FirewallEndpoint fw_endpoint(char net, std::vector<PortMapping> ports) const {
    return {container_id(net), network_id(net), bridge(net), address(net), std::move(ports)};
  }

  /// Rules anywhere in the ruleset whose comment names this test's networks or containers.
  int own_rules() const {
    int count = 0;
    for (const auto& comment : ruleset_comments()) {
      if (comment.find(m_tag) != std::string::npos && comment.rfind("berth ", 0) == 0) ++count;
    }
    return count;
  }

  void sh(const std::string& command) { ASSERT_TRUE(run(command)) << command; }

  void make_network(char net) {
    const std::string br = bridge(net);
    const std::string host_end = "berthf" + m_tag + net;
    const std::string peer = "bff" + m_tag + net;
    sh("ip link add " + br + " type bridge");
    sh("ip addr add " + gateway(net) + "/24 dev " + br);
    sh("ip link set " + br + " up");
    sh("sysctl -qw net.ipv4.conf." + br + ".forwarding=1");
    sh("ip netns add " + netns(net));
    sh("ip link add " + host_end + " type veth peer name " + peer);
    sh("ip link set " + host_end + " master " + br + " up");
    sh("ip link set " + peer + " netns " + netns(net));
    const std::string in = "ip -n " + netns(net) + " ";
    sh(in + "link set " + peer + " name eth0");
    sh(in + "addr add " + address(net) + "/24 dev eth0");
    sh(in + "link set eth0 up");
    sh(in + "link set lo up");
    sh(in + "route add default via " + gateway(net));
  }

  void make_outside() {
    const std::string host_end = "bfo" + m_tag + "h";
    sh("ip netns add " + netns('o'));
    sh("ip link add " + host_end + " type veth peer name bfo" + m_tag + "p");
    sh("ip link set bfo" + m_tag + "p netns " + netns('o'));
    sh("ip addr add " + m_outside_host + "/30 dev " + host_end);
    sh("ip link set " + host_end + " up");
    sh("sysctl -qw net.ipv4.conf." + host_end + ".forwarding=1");
    const std::string in = "ip -n " + netns('o') + " ";
    sh(in + "addr add " + m_outside_peer + "/30 dev bfo" + m_tag + "p");
    sh(in + "link set bfo" + m_tag + "p up");
    sh(in + "link set lo up");
  }

  std::string m_tag;
  std::string m_octet;
  std::string m_outside_host;
  std::string m_outside_peer;
};

TEST_F(FirewallTest, PublishedTcpPortFromHostOutsideAndHairpin) {
  Firewall firewall(HostLock::take);
  PeerServer server(netns('a'), SOCK_STREAM, 8080);
  ASSERT_TRUE(server.ok());
  const uint16_t published = port(0);
  EXPECT_EQ(ask("", SOCK_STREAM, "127.0.0.1", published), std::nullopt) << "reachable before publishing";

  firewall.add_network(fw_network('a'));
  firewall.add_endpoint(fw_endpoint('a', {{"", published, 8080, "tcp"}}));
  firewall.add_endpoint(fw_endpoint('a', {{"", published, 8080, "tcp"}}));  // idempotent
  EXPECT_EQ(own_rules(), 6 + 2) << "network rules + one DNAT rule per hook";

  // From the host: 127.0.0.1 is masqueraded to the gateway (route_localnet), a host address not.
  EXPECT_EQ(ask("", SOCK_STREAM, "127.0.0.1", published), gateway('a'));
  EXPECT_EQ(ask("", SOCK_STREAM, gateway('a'), published), gateway('a'));
  // From outside: the client's own address reaches the container.
  EXPECT_EQ(ask(netns('o'), SOCK_STREAM, m_outside_host, published), m_outside_peer);
  // Hairpin: the container reaches itself through host addresses, the reply comes from the gateway.
  EXPECT_EQ(ask(netns('a'), SOCK_STREAM, gateway('a'), published), gateway('a'));
  EXPECT_EQ(ask(netns('a'), SOCK_STREAM, m_outside_host, published), gateway('a'));

  // add_endpoint put the bridge ports in hairpin mode (needed with br_netfilter).
  EXPECT_NE(read_command("ip -d link show berthf" + m_tag + "a").find("hairpin on"), std::string::npos);

  firewall.remove_endpoint(container_id('a'));
  EXPECT_EQ(ask("", SOCK_STREAM, "127.0.0.1", published), std::nullopt);
  EXPECT_EQ(own_rules(), 6);
}

TEST_F(FirewallTest, PublishedUdpPortAndHostIp) {
  Firewall firewall(HostLock::take);
  PeerServer udp(netns('a'), SOCK_DGRAM, 5353);
  PeerServer tcp(netns('a'), SOCK_STREAM, 8080);
  ASSERT_TRUE(udp.ok() && tcp.ok());
  const uint16_t published_udp = port(1);
  const uint16_t gateway_only = port(2);
  firewall.add_network(fw_network('a'));
  firewall.add_endpoint(
      fw_endpoint('a', {{"", published_udp, 5353, "udp"}, {gateway('a'), gateway_only, 8080, "tcp"}}));

  EXPECT_EQ(ask("", SOCK_DGRAM, "127.0.0.1", published_udp), gateway('a'));
  EXPECT_EQ(ask(netns('o'), SOCK_DGRAM, m_outside_host, published_udp), m_outside_peer);
  // The UDP mapping is not a TCP mapping.
  EXPECT_EQ(ask("", SOCK_STREAM, "127.0.0.1", published_udp), std::nullopt);
  // host_ip limits the mapping to that address.
  EXPECT_EQ(ask("", SOCK_STREAM, gateway('a'), gateway_only), gateway('a'));
  EXPECT_EQ(ask("", SOCK_STREAM, "127.0.0.1", gateway_only), std::nullopt);
  EXPECT_EQ(ask(netns('o'), SOCK_STREAM, m_outside_host, gateway_only), std::nullopt);
}

TEST_F(FirewallTest, EgressIsMasqueradedAndNetworksAreIsolated) {
  PeerServer in_b(netns('b'), SOCK_STREAM, 8080);
  PeerServer outside(netns('o'), SOCK_STREAM, 8080);
  ASSERT_TRUE(in_b.ok() && outside.ok());
  // Without berth rules: A reaches B (plain routing), but not the outside (no route back).
  ASSERT_EQ(ask(netns('a'), SOCK_STREAM, address('b'), 8080), address('a'));
  ASSERT_EQ(ask(netns('a'), SOCK_STREAM, m_outside_peer, 8080), std::nullopt);

  Firewall firewall(HostLock::take);
  firewall.add_network(fw_network('a'));
  firewall.add_network(fw_network('b'));
  EXPECT_EQ(ask(netns('a'), SOCK_STREAM, m_outside_peer, 8080), m_outside_host);
  EXPECT_EQ(ask(netns('a'), SOCK_STREAM, address('b'), 8080), std::nullopt);
  EXPECT_EQ(ask(netns('b'), SOCK_STREAM, address('a'), 8080), std::nullopt);
  // The host itself still reaches every container directly.
  EXPECT_EQ(ask("", SOCK_STREAM, address('b'), 8080), gateway('b'));

  const auto tags = firewall.tags();
  EXPECT_NE(std::find(tags.networks.begin(), tags.networks.end(), network_id('a')), tags.networks.end());
  EXPECT_NE(std::find(tags.networks.begin(), tags.networks.end(), network_id('b')), tags.networks.end());
  firewall.remove_network(network_id('b'));
  EXPECT_EQ(ask(netns('a'), SOCK_STREAM, address('b'), 8080), std::nullopt) << "A's own isolation rule";
}

TEST_F(FirewallTest, InternalNetworkHasNoForwarding) {
  PeerServer outside(netns('o'), SOCK_STREAM, 8080);
  PeerServer in_i(netns('i'), SOCK_STREAM, 8080);
  ASSERT_TRUE(outside.ok() && in_i.ok());
  sh("ip -n " + netns('o') + " route add " + subnet_prefix('i') + "0/24 via " + m_outside_host);
  // Without berth rules the outside and the internal network reach each other by routing.
  ASSERT_EQ(ask(netns('i'), SOCK_STREAM, m_outside_peer, 8080), address('i'));

  Firewall firewall(HostLock::take);
  firewall.add_network(fw_network('i'));
  EXPECT_EQ(ask(netns('i'), SOCK_STREAM, m_outside_peer, 8080), std::nullopt);
  EXPECT_EQ(ask(netns('o'), SOCK_STREAM, address('i'), 8080), std::nullopt);
  EXPECT_EQ(ask("", SOCK_STREAM, address('i'), 8080), gateway('i')) << "the host is not forwarding";
}

TEST_F(FirewallTest, RoutedOutsideReachesOnlyPublishedPorts) {
  PeerServer in_a(netns('a'), SOCK_STREAM, 8080);
  PeerServer outside(netns('o'), SOCK_STREAM, 8080);
  ASSERT_TRUE(in_a.ok() && outside.ok());
  sh("ip -n " + netns('o') + " route add " + subnet_prefix('a') + "0/24 via " + m_outside_host);
  // Without berth rules a host that routes the subnet through this one reaches any port.
  ASSERT_EQ(ask(netns('o'), SOCK_STREAM, address('a'), 8080), m_outside_peer);

  Firewall firewall(HostLock::take);
  firewall.add_network(fw_network('a'));
  const uint16_t published = port(6);
  firewall.add_endpoint(fw_endpoint('a', {{"", published, 8080, "tcp"}}));
  EXPECT_EQ(ask(netns('o'), SOCK_STREAM, address('a'), 8080), std::nullopt) << "routed in without DNAT";
  EXPECT_EQ(ask(netns('o'), SOCK_STREAM, m_outside_host, published), m_outside_peer) << "published port";
  EXPECT_EQ(ask(netns('a'), SOCK_STREAM, m_outside_peer, 8080), m_outside_host) << "egress and its replies";
  EXPECT_EQ(ask(netns('a'), SOCK_STREAM, gateway('a'), published), gateway('a')) << "hairpin";
  EXPECT_EQ(ask("", SOCK_STREAM, address('a'), 8080), gateway('a')) << "host to container";
}

TEST_F(FirewallTest, WorksWhenIptablesForwardPolicyIsDrop) {
  PeerServer in_a(netns('a'), SOCK_STREAM, 8080);
  PeerServer outside(netns('o'), SOCK_STREAM, 8080);
  ASSERT_TRUE(in_a.ok() && outside.ok());
  // `create` fails when the table exists (Docker's, or another test process's): never touch that.
  if (!run("nft 'create table ip filter; add chain ip filter FORWARD { type filter hook forward priority 0; "
           "policy drop; }'")) {
    GTEST_SKIP() << "table ip filter exists on this host; not touching it";
  }
  struct DropTable {
    ~DropTable() { run("nft delete table ip filter"); }
  } drop_table;
  const uint16_t published = port(3);
  Firewall firewall(HostLock::take);
  firewall.add_network(fw_network('a'));
  firewall.add_endpoint(fw_endpoint('a', {{"", published, 8080, "tcp"}}));

  EXPECT_EQ(ask(netns('o'), SOCK_STREAM, m_outside_host, published), m_outside_peer);
  EXPECT_EQ(ask(netns('a'), SOCK_STREAM, m_outside_peer, 8080), m_outside_host);
  EXPECT_EQ(ask(netns('a'), SOCK_STREAM, m_outside_host, published), gateway('a'));
  int in_filter = 0;
  const json forward = json::parse(read_command("nft -j list chain ip filter FORWARD"), nullptr, false);
  for (const auto& item : forward.value("nftables", json::array())) {
    if (item.contains("rule") && item["rule"].value("comment", "") == "berth net=" + network_id('a')) ++in_filter;
  }
  EXPECT_EQ(in_filter, 3);

  firewall.remove_network(network_id('a'));
  EXPECT_TRUE(run("nft list chain ip filter FORWARD")) << "Docker's chain is not ours to delete";
  EXPECT_EQ(own_rules(), 0);
  EXPECT_EQ(ask(netns('o'), SOCK_STREAM, m_outside_host, published), std::nullopt);
}

TEST_F(FirewallTest, RemovalLeavesNoRuleAndEmptyTableGoes) {
  Firewall firewall(HostLock::take);
  firewall.add_network(fw_network('a'));
  firewall.add_network(fw_network('a'));  // idempotent
  firewall.add_network(fw_network('i'));
  firewall.add_endpoint(fw_endpoint('a', {{"", port(4), 80, "tcp"}, {"", port(4), 80, "udp"}}));
  firewall.add_endpoint(fw_endpoint('i', {{"127.0.0.1", port(5), 80, "tcp"}}));
  EXPECT_EQ(own_rules(), 6 + 6 + 4 + 2);
  const auto ids = firewall.tagged_ids();
  for (const auto& id : {network_id('a'), network_id('i'), container_id('a'), container_id('i')}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }

  firewall.remove_endpoint(container_id('a'), network_id('b'));  // not on that network: no-op
  EXPECT_EQ(own_rules(), 18);
  firewall.remove_endpoint(container_id('a'));
  EXPECT_EQ(own_rules(), 14);
  firewall.add_endpoint(fw_endpoint('a', {{"", port(4), 80, "tcp"}}));
  firewall.remove_network(network_id('i'));  // takes the endpoint's rules on it too
  EXPECT_EQ(own_rules(), 6 + 2);
  firewall.remove_network(network_id('a'));
  EXPECT_EQ(own_rules(), 0) << "endpoint rules of a removed network are removed with it";
  firewall.remove_endpoint(container_id('a'));  // absent: no error
  // The table stays only while someone else (another test process) still owns rules in it.
  if (run("nft list table inet berth")) {
    EXPECT_FALSE(firewall.tagged_ids().empty()) << "empty table inet berth left behind";
  }
}

}  // namespace
}  // namespace berth::network
