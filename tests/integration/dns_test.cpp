// berth-dns end to end, as root: two "containers" (network namespaces) on one test bridge, a third
// on a second bridge, the real berth-dns binary (BERTH_DNS) listening on both gateways, `dig` and
// `getent` run inside the namespaces, and a stub upstream DNS server on 127.0.0.1 run by the test
// (fixed A record, NXDOMAIN, and an answer too big for UDP to exercise TC + TCP fallback).
// Checked: scoping, search suffix, getent through the namespace's resolv.conf, PTR, TCP, reload
// on SIGHUP (new name, vanished gateway's listener closed), forwarding, clean exit on SIGTERM;
// a client whose container has its own `upstreams` (a second stub on another 127.0.0.x) gets
// that stub's answers while the others keep the default one's. Limits: an address in no
// container's records (a fourth namespace) is refused over UDP and its 256 TCP connections are
// closed at once; a client's 256 are cut to its cap; other clients keep getting answers over
// TCP and UDP either way; the idle timeout never cuts off a forwarded answer still on its way.
// Every link, namespace, /etc/netns dir and temp file is removed, and that is checked.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dns/tcp_limits.hpp"
#include "dns/wire.hpp"
#include "netns_tcp.hpp"

namespace {

namespace fs = std::filesystem;
namespace wire = berth::dns;

/// A tiny upstream DNS server on a loopback address (UDP and TCP on one port, one thread):
/// fixed.test → A `fixed` (192.0.2.10 by default), big.test → 100 A records (TC over UDP),
/// slow.test → A 198.51.100.1 after 600 ms (the stub does nothing else meanwhile), anything else
/// NXDOMAIN.
class StubUpstream {
 public:
  explicit StubUpstream(const std::string& address = "127.0.0.1", std::array<uint8_t, 4> fixed = {192, 0, 2, 10})
      : m_address(address), m_fixed(fixed) {
    for (int attempt = 0; attempt < 20 && m_tcp < 0; ++attempt) {
      m_udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
      socklen_t len = sizeof a;
      if (::bind(m_udp, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
          ::getsockname(m_udp, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        ::close(m_udp);
        m_udp = -1;
        continue;
      }
      m_port = ntohs(a.sin_port);
      int tcp = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (::bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(tcp, 16) == 0) {
        m_tcp = tcp;
      } else {
        ::close(tcp);
        ::close(m_udp);
        m_udp = -1;
      }
    }
    if (m_tcp >= 0) m_thread = std::thread([this] { run(); });
  }
  ~StubUpstream() { stop(); }
  /// Stops serving and closes every socket (queries to it are then refused).
  void stop() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    for (int fd : m_conns) ::close(fd);
    m_conns.clear();
    if (m_udp >= 0) ::close(m_udp);
    if (m_tcp >= 0) ::close(m_tcp);
    m_udp = m_tcp = -1;
  }
  uint16_t port() const { return m_port; }
  /// "127.0.0.x:PORT", as the records file and --upstream take it.
  std::string endpoint() const { return m_address + ":" + std::to_string(m_port); }
  int udp_queries() const { return m_udp_queries; }
  int tcp_queries() const { return m_tcp_queries; }

 private:
  std::vector<uint8_t> respond(std::span<const uint8_t> query, bool tcp) const {
    auto q = wire::decode_message(query);
    if (!q || q->questions.size() != 1) return {};
    wire::Message m;
    m.header.id = q->header.id;
    m.header.flags = wire::flag::kQr | wire::flag::kRa | (q->header.flags & wire::flag::kRd);
    m.questions = q->questions;
    if (q->edns) m.edns = wire::Edns{1232};
    std::string name = wire::lowercase(q->questions[0].name);
    if (name == "fixed.test") {
      m.answers.push_back(wire::make_a(q->questions[0].name, 30, m_fixed));
    } else if (name == "slow.test") {
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
      m.answers.push_back(wire::make_a(q->questions[0].name, 30, {198, 51, 100, 1}));
    } else if (name == "big.test") {
      for (int i = 0; i < 100; ++i)
        m.answers.push_back(wire::make_a(q->questions[0].name, 30, {198, 51, 100, static_cast<uint8_t>(i)}));
    } else {
      m.header.flags |= 3;  // NXDOMAIN
    }
    auto out = *wire::encode_message(m);
    size_t limit = q->edns ? q->edns->udp_size : 512;
    if (!tcp && out.size() > limit) {
      m.answers.clear();
      m.header.flags |= wire::flag::kTc;
      out = *wire::encode_message(m);
    }
    return out;
  }

  void run() {
    while (!m_stop) {
      std::vector<pollfd> fds{{m_udp, POLLIN, 0}, {m_tcp, POLLIN, 0}};
      for (int fd : m_conns) fds.push_back({fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        uint8_t buf[4096];
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t n = ::recvfrom(m_udp, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0) {
          ++m_udp_queries;
          auto out = respond({buf, static_cast<size_t>(n)}, false);
          ::sendto(m_udp, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
      }
      if (fds[1].revents & POLLIN) {
        int c = ::accept4(m_tcp, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          timeval tv{1, 0};
          ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
          m_conns.push_back(c);
        }
      }
      for (size_t i = 2; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
        int c = fds[i].fd;
        uint8_t len[2];
        std::vector<uint8_t> body;
        bool ok = ::recv(c, len, 2, MSG_WAITALL) == 2;
        if (ok) {
          body.resize(static_cast<size_t>(len[0] << 8 | len[1]));
          ok = ::recv(c, body.data(), body.size(), MSG_WAITALL) == static_cast<ssize_t>(body.size());
        }
        std::vector<uint8_t> out = ok ? respond(body, true) : std::vector<uint8_t>{};
        if (ok && !out.empty()) {
          ++m_tcp_queries;
          uint8_t prefix[2] = {static_cast<uint8_t>(out.size() >> 8), static_cast<uint8_t>(out.size())};
          ok = ::send(c, prefix, 2, MSG_NOSIGNAL) == 2 &&
               ::send(c, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size());
        }
        if (!ok) {
          ::close(c);
          std::erase(m_conns, c);
        }
      }
    }
  }

  std::string m_address;
  std::array<uint8_t, 4> m_fixed;
  int m_udp = -1, m_tcp = -1;
  uint16_t m_port = 0;
  std::vector<int> m_conns;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_tcp_queries{0};
  std::atomic<int> m_udp_queries{0};
  std::thread m_thread;
};

struct Out {
  int status = -1;
  std::string text;
};

/// Runs a shell command, capturing stdout (stderr too when `merge`).
Out sh(const std::string& cmd, bool merge = false) {
  Out out;
  FILE* p = ::popen((cmd + (merge ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.text.append(buf, n);
  int st = ::pclose(p);
  out.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    if (nl > start) out.push_back(text.substr(start, nl - start));
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

class DnsServer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, bridges, port 53)";
#ifndef BERTH_DNS
    GTEST_SKIP() << "berth-dns was not built (BERTH_DNS undefined)";
#else
    m_binary = BERTH_DNS;
#endif
    if (sh("ip -V").status != 0 || sh("dig -v", true).status != 0 || sh("getent --version").status != 0)
      GTEST_SKIP() << "needs the `ip`, `dig` and `getent` tools";
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);  // the daemon re-parents to us, so we can reap it
    m_pid = std::to_string(::getpid() % 1000000);
    unsigned octet = static_cast<unsigned>(::getpid()) % 200 + 20;
    m_net_a = "10.251." + std::to_string(octet);
    m_net_b = "10.252." + std::to_string(octet);
    m_dir = fs::temp_directory_path() / ("berth-dns-test-" + m_pid);
    fs::create_directories(m_dir);
    m_bridge_a = "bdb" + m_pid + "a";
    m_bridge_b = "bdb" + m_pid + "b";
    make_bridge(m_bridge_a, m_net_a + ".1/24");
    make_bridge(m_bridge_b, m_net_b + ".1/24");
    make_ns("1", m_bridge_a, m_net_a + ".2", m_net_a + ".1");  // the client
    make_ns("2", m_bridge_a, m_net_a + ".3", m_net_a + ".1");  // web
    make_ns("3", m_bridge_b, m_net_b + ".2", m_net_b + ".1");  // on another network
    m_stub = std::make_unique<StubUpstream>();
    ASSERT_NE(m_stub->port(), 0) << "stub upstream could not bind 127.0.0.1";
    write_records(false, true);
  }

  void TearDown() override {
    if (m_daemon > 0) {
      ::kill(m_daemon, SIGKILL);
      ::waitpid(m_daemon, nullptr, 0);
    }
    m_stub.reset();
    for (const auto& ns : m_netns) {
      sh("ip netns del " + ns);
      fs::remove_all("/etc/netns/" + ns);
    }
    for (const auto& br : m_bridges) sh("ip link del " + br);
    if (!m_dir.empty()) fs::remove_all(m_dir);
    // Nothing of ours is left: no link or namespace with our pid in its name, no temp dir.
    if (!m_pid.empty()) {
      EXPECT_EQ(sh("ip -o link show | grep -c 'bd[bv]" + m_pid + "'").text, "0\n");
      EXPECT_EQ(sh("ip netns list | grep -c 'bdns" + m_pid + "-'").text, "0\n");
      EXPECT_FALSE(fs::exists(m_dir));
    }
  }

  void make_bridge(const std::string& name, const std::string& cidr) {
    ASSERT_EQ(sh("ip link add " + name + " type bridge", true).status, 0) << name;
    m_bridges.push_back(name);
    ASSERT_EQ(sh("ip addr add " + cidr + " dev " + name + " && ip link set " + name + " up", true).status, 0);
  }

  void make_ns(const std::string& n, const std::string& bridge, const std::string& addr, const std::string& gw) {
    std::string ns = "bdns" + m_pid + "-" + n;
    std::string host = "bdv" + m_pid + "h" + n;
    ASSERT_EQ(sh("ip netns add " + ns, true).status, 0);
    m_netns.push_back(ns);
    std::string cmd = "ip link add " + host + " type veth peer name eth0 netns " + ns + " && ip link set " + host +
                      " master " + bridge + " up && ip -n " + ns + " addr add " + addr + "/24 dev eth0 && ip -n " + ns +
                      " link set eth0 up && ip -n " + ns + " link set lo up && ip -n " + ns +
                      " route add default via " + gw;
    Out out = sh(cmd, true);
    ASSERT_EQ(out.status, 0) << out.text;
  }

  std::string ns(int n) const { return "bdns" + m_pid + "-" + std::to_string(n); }
  std::string netns_file(int n) const { return "/run/netns/" + ns(n); }
  std::string records_path() const { return (m_dir / "dns.json").string(); }
  std::string pid_path() const { return (m_dir / "dns.pid").string(); }
  std::string log_path() const { return (m_dir / "dns.log").string(); }

  /// The records file: client (ns1) and web (ns2) on network a, other (ns3) on network b;
  /// client and web get `upstreams` when the lists are given.
  void write_records(bool with_api, bool with_b, const std::vector<std::string>& client_upstreams = {},
                     const std::vector<std::string>& web_upstreams = {}) {
    nlohmann::json networks = nlohmann::json::array({{{"id", "neta"}, {"gateway", m_net_a + ".1"}}});
    if (with_b) networks.push_back({{"id", "netb"}, {"gateway", m_net_b + ".1"}});
    std::vector<std::string> web_names = {"web", "t-web-1"};
    if (with_api) web_names.push_back("api");
    nlohmann::json containers = nlohmann::json::array(
        {{{"id", "c1"},
          {"name", "t-client-1"},
          {"service", "client"},
          {"endpoints", {{{"network", "neta"}, {"address", m_net_a + ".2"}, {"names", {"client", "t-client-1"}}}}}},
         {{"id", "c2"},
          {"name", "t-web-1"},
          {"service", "web"},
          {"endpoints", {{{"network", "neta"}, {"address", m_net_a + ".3"}, {"names", web_names}}}}}});
    if (!client_upstreams.empty()) containers[0]["upstreams"] = client_upstreams;
    if (!web_upstreams.empty()) containers[1]["upstreams"] = web_upstreams;
    if (with_b)
      containers.push_back({{"id", "c3"},
                            {"name", "t-other-1"},
                            {"service", "other"},
                            {"endpoints", {{{"network", "netb"}, {"address", m_net_b + ".2"}, {"names", {"other"}}}}}});
    nlohmann::json doc = {{"ttl", 5}, {"search", {"t.internal"}}, {"networks", networks}, {"containers", containers}};
    std::string tmp = records_path() + ".tmp";
    std::ofstream(tmp) << doc.dump(2);
    fs::rename(tmp, records_path());
  }

  void start_daemon(const std::string& extra = "") {
    Out out = sh(m_binary + " --records " + records_path() + " --pid-file " + pid_path() + " --log " + log_path() +
                 " --upstream 127.0.0.1:" + std::to_string(m_stub->port()) + " " + extra);
    ASSERT_EQ(out.status, 0) << out.text;
    auto ready = nlohmann::json::parse(out.text, nullptr, false);
    ASSERT_TRUE(ready.is_object() && ready.value("ok", false)) << out.text;
    m_daemon = ready["pid"].get<pid_t>();
    std::ifstream pid_file(pid_path());
    pid_t from_file = 0;
    pid_file >> from_file;
    EXPECT_EQ(from_file, m_daemon);
  }

  /// `dig` inside namespace `n`; returns its output.
  std::string dig(int n, const std::string& args) {
    return sh("ip netns exec " + ns(n) + " dig +time=2 +tries=1 " + args).text;
  }

  bool listening_on(const std::string& addr, const char* proto) {
    return !sh(std::string("ss -Hln") + proto + " src " + addr + ":53").text.empty();
  }

  std::string m_binary, m_pid, m_net_a, m_net_b, m_bridge_a, m_bridge_b;
  fs::path m_dir;
  std::vector<std::string> m_bridges, m_netns;
  std::unique_ptr<StubUpstream> m_stub;
  pid_t m_daemon = 0;
};

TEST_F(DnsServer, AnswersScopedNamesForwardsReloadsAndExitsCleanly) {
  start_daemon();
  const std::string gw_a = m_net_a + ".1", gw_b = m_net_b + ".1", web = m_net_a + ".3";
  EXPECT_TRUE(listening_on(gw_a, "u") && listening_on(gw_a, "t"));
  EXPECT_TRUE(listening_on(gw_b, "u"));

  // Scoped names, with and without the search suffix, any case; UDP and TCP.
  EXPECT_EQ(dig(1, "@" + gw_a + " web +short"), web + "\n");
  EXPECT_EQ(dig(1, "@" + gw_a + " WEB.t.internal. +short"), web + "\n");
  EXPECT_EQ(dig(1, "@" + gw_a + " web +tcp +short"), web + "\n");
  EXPECT_NE(dig(1, "@" + gw_a + " web AAAA").find("status: NOERROR"), std::string::npos) << "NODATA";
  EXPECT_NE(dig(1, "@" + gw_a + " nope.t.internal").find("status: NXDOMAIN"), std::string::npos);
  // PTR.
  EXPECT_EQ(dig(1, "@" + gw_a + " -x " + web + " +short"), "t-web-1.t.internal.\n");

  // The third namespace is on another network: `web` is to it what an unknown name is (forwarded,
  // and the stub says NXDOMAIN), `web.t.internal` is NXDOMAIN; its own network's names work.
  std::string other = dig(3, "@" + gw_b + " web");
  EXPECT_NE(other.find("status: NXDOMAIN"), std::string::npos) << other;
  EXPECT_EQ(other.find(web), std::string::npos);
  EXPECT_NE(dig(3, "@" + gw_b + " web.t.internal").find("status: NXDOMAIN"), std::string::npos);
  EXPECT_EQ(dig(3, "@" + gw_b + " -x " + web + " +short"), "") << "PTR is scoped too";
  EXPECT_EQ(dig(3, "@" + gw_b + " other +short"), m_net_b + ".2\n");

  // getent through the namespace's own resolv.conf (ip netns exec bind-mounts it).
  fs::create_directories("/etc/netns/" + ns(1));
  std::ofstream("/etc/netns/" + ns(1) + "/resolv.conf") << "nameserver " << gw_a << "\nsearch t.internal\n";
  Out getent = sh("ip netns exec " + ns(1) + " getent hosts web");
  EXPECT_EQ(getent.status, 0);
  EXPECT_EQ(getent.text.substr(0, getent.text.find(' ')), web) << getent.text;

  // Forwarding to the stub upstream: a record, NXDOMAIN passed through, a big answer (TC over
  // UDP, dig retries over TCP and gets all 100 records).
  EXPECT_EQ(dig(1, "@" + gw_a + " fixed.test +short"), "192.0.2.10\n");
  EXPECT_NE(dig(1, "@" + gw_a + " nx.test").find("status: NXDOMAIN"), std::string::npos);
  std::string truncated = dig(1, "@" + gw_a + " big.test +ignore +bufsize=1232");
  EXPECT_NE(truncated.find(" tc"), std::string::npos) << truncated;
  EXPECT_EQ(lines(dig(1, "@" + gw_a + " big.test +short")).size(), 100u);
  EXPECT_GT(m_stub->tcp_queries(), 0);

  // Reload: a new name and network b gone.
  EXPECT_EQ(dig(1, "@" + gw_a + " api +short"), "");
  write_records(true, false);
  ASSERT_EQ(::kill(m_daemon, SIGHUP), 0);
  std::string api;
  for (int i = 0; i < 50 && (api.empty() || listening_on(gw_b, "u")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    api = dig(1, "@" + gw_a + " api +short");
  }
  EXPECT_EQ(api, web + "\n");
  EXPECT_FALSE(listening_on(gw_b, "u"));
  EXPECT_FALSE(listening_on(gw_b, "t"));
  EXPECT_EQ(dig(1, "@" + gw_a + " web +short"), web + "\n");

  // SIGTERM: the daemon exits 0, removes its pid file, and no listener is left.
  ASSERT_EQ(::kill(m_daemon, SIGTERM), 0);
  int status = -1;
  pid_t reaped = 0;
  for (int i = 0; i < 100 && reaped == 0; ++i) {
    reaped = ::waitpid(m_daemon, &status, WNOHANG);
    if (reaped == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(reaped, m_daemon) << "berth-dns did not exit after SIGTERM";
  m_daemon = 0;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(fs::exists(pid_path()));
  EXPECT_FALSE(listening_on(gw_a, "u"));
  EXPECT_FALSE(listening_on(gw_a, "t"));
}

TEST_F(DnsServer, ContainerWithOwnUpstreamsGetsItsServersOthersTheDefault) {
  // The default upstream (--upstream) says fixed.test = 192.0.2.10; the client's own one, on
  // another loopback address, says 198.51.100.77.
  std::string own_address = "127.0.0." + std::to_string(::getpid() % 200 + 30);
  StubUpstream own(own_address, {198, 51, 100, 77});
  ASSERT_NE(own.port(), 0) << "stub upstream could not bind " << own_address;
  write_records(false, true, {own.endpoint()});
  start_daemon();
  const std::string gw_a = m_net_a + ".1", gw_b = m_net_b + ".1";
  const std::string client = m_net_a + ".2", web = m_net_a + ".3";

  EXPECT_EQ(dig(1, "@" + gw_a + " fixed.test +short"), "198.51.100.77\n");
  EXPECT_EQ(dig(2, "@" + gw_a + " fixed.test +short"), "192.0.2.10\n");
  EXPECT_EQ(dig(3, "@" + gw_b + " fixed.test +short"), "192.0.2.10\n");
  // Service names still come from the table, for both kinds of client; over TCP too.
  EXPECT_EQ(dig(1, "@" + gw_a + " web +short"), web + "\n");
  EXPECT_EQ(dig(1, "@" + gw_a + " web +tcp +short"), web + "\n");
  EXPECT_EQ(dig(2, "@" + gw_a + " client.t.internal +short"), client + "\n");
  EXPECT_NE(dig(1, "@" + gw_a + " nope.t.internal").find("status: NXDOMAIN"), std::string::npos);
  // The own upstream's answers pass through unchanged: NXDOMAIN, and a big answer that comes
  // with TC over UDP and in full over TCP (dig retries; c-ares fetches it over TCP).
  EXPECT_NE(dig(1, "@" + gw_a + " nx.test").find("status: NXDOMAIN"), std::string::npos);
  EXPECT_NE(dig(1, "@" + gw_a + " big.test +ignore +bufsize=1232").find(" tc"), std::string::npos);
  EXPECT_EQ(lines(dig(1, "@" + gw_a + " big.test +short")).size(), 100u);
  EXPECT_GT(own.tcp_queries(), 0);
  EXPECT_EQ(dig(1, "@" + gw_a + " fixed.test +tcp +short"), "198.51.100.77\n");
  EXPECT_EQ(dig(2, "@" + gw_a + " fixed.test +tcp +short"), "192.0.2.10\n");
  EXPECT_GE(own.udp_queries(), 3);

  // Reload: the client goes back to the default servers, web gets the own one.
  write_records(false, true, {}, {own.endpoint()});
  ASSERT_EQ(::kill(m_daemon, SIGHUP), 0);
  std::string web_answer;
  for (int i = 0; i < 50 && web_answer != "198.51.100.77\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    web_answer = dig(2, "@" + gw_a + " fixed.test +short");
  }
  EXPECT_EQ(web_answer, "198.51.100.77\n");
  EXPECT_EQ(dig(1, "@" + gw_a + " fixed.test +short"), "192.0.2.10\n");

  // A dead own upstream means SERVFAIL for that client, never the default servers' answer.
  int before = m_stub->udp_queries();
  own.stop();
  std::string dead = dig(2, "@" + gw_a + " fixed.test +time=6");
  EXPECT_NE(dead.find("status: SERVFAIL"), std::string::npos) << dead;
  EXPECT_EQ(dead.find("192.0.2.10"), std::string::npos) << dead;
  EXPECT_EQ(m_stub->udp_queries(), before) << "no fallback to the default upstream";
  EXPECT_EQ(dig(1, "@" + gw_a + " fixed.test +short"), "192.0.2.10\n");

  // The daemon logged its channels: made for the first set, kept across the reload.
  std::ifstream log(log_path());
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("upstream channel " + own.endpoint()), std::string::npos) << text.str();
}

TEST_F(DnsServer, TcpAnswersPipelinedQueriesAndClosesIdleConnections) {
  start_daemon("--tcp-idle-ms 300");
  // From the client's namespace: the host is no client of berth-dns.
  std::string error;
  auto conn = berth::test::tcp_connections_from(netns_file(1), m_net_a + ".1", 53, 1, error);
  ASSERT_EQ(conn.size(), 1u) << error;
  int fd = conn[0].get();
  // Three queries in one write (names under our domain: answered locally, NXDOMAIN).
  std::vector<uint8_t> batch;
  for (uint16_t id : {101, 102, 103}) {
    wire::Message q;
    q.header.id = id;
    q.questions.push_back({"n" + std::to_string(id) + ".t.internal", wire::kTypeA, wire::kClassIn});
    auto bytes = *wire::encode_message(q);
    batch.push_back(static_cast<uint8_t>(bytes.size() >> 8));
    batch.push_back(static_cast<uint8_t>(bytes.size()));
    batch.insert(batch.end(), bytes.begin(), bytes.end());
  }
  ASSERT_EQ(::send(fd, batch.data(), batch.size(), 0), static_cast<ssize_t>(batch.size()));
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::vector<uint16_t> ids;
  for (int i = 0; i < 3; ++i) {
    uint8_t len[2];
    ASSERT_EQ(::recv(fd, len, 2, MSG_WAITALL), 2);
    std::vector<uint8_t> body(static_cast<size_t>(len[0] << 8 | len[1]));
    ASSERT_EQ(::recv(fd, body.data(), body.size(), MSG_WAITALL), static_cast<ssize_t>(body.size()));
    auto reply = wire::decode_message(body);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->header.rcode(), 3);
    ids.push_back(reply->header.id);
  }
  EXPECT_EQ(ids, (std::vector<uint16_t>{101, 102, 103}));
  // Idle for longer than --tcp-idle-ms: the server closes (EOF), well before our 2 s timeout.
  auto before = std::chrono::steady_clock::now();
  uint8_t byte;
  EXPECT_EQ(::recv(fd, &byte, 1, 0), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(1500));
}

TEST_F(DnsServer, StrangersAreRefusedAndTheirTcpConnectionsClosedAtOnce) {
  start_daemon();
  const std::string gw_a = m_net_a + ".1", web = m_net_a + ".3";
  // Namespace 4 is on network a but in no container's records: another project's container, as
  // far as this berth-dns can tell.
  make_ns("4", m_bridge_a, m_net_a + ".9", gw_a);
  std::string error;
  auto flood = berth::test::tcp_connections_from(netns_file(4), gw_a, 53, 256, error);
  ASSERT_EQ(flood.size(), 256u) << error;
  // Closed at once: well before the idle timeout (3 s by default), all of them.
  EXPECT_EQ(berth::test::wait_open_at_most(flood, 0, std::chrono::milliseconds(1000)), 0u);

  // The real client, while the stranger still holds its ends: TCP and UDP, table and forwarded.
  EXPECT_EQ(dig(1, "@" + gw_a + " web +tcp +short"), web + "\n");
  EXPECT_EQ(dig(1, "@" + gw_a + " fixed.test +tcp +short"), "192.0.2.10\n");
  EXPECT_EQ(dig(1, "@" + gw_a + " web +short"), web + "\n");

  // The stranger gets REFUSED over UDP (nothing looked up, nothing forwarded for it) and no
  // answer over TCP; a second flood changes nothing.
  int asked = m_stub->udp_queries() + m_stub->tcp_queries();
  std::string udp = dig(4, "@" + gw_a + " fixed.test");
  EXPECT_NE(udp.find("status: REFUSED"), std::string::npos) << udp;
  EXPECT_EQ(udp.find("192.0.2.10"), std::string::npos) << udp;
  EXPECT_NE(dig(4, "@" + gw_a + " web").find("status: REFUSED"), std::string::npos);
  std::string tcp = dig(4, "@" + gw_a + " web +tcp");
  EXPECT_EQ(tcp.find("status:"), std::string::npos) << tcp;
  EXPECT_EQ(m_stub->udp_queries() + m_stub->tcp_queries(), asked);
  auto again = berth::test::tcp_connections_from(netns_file(4), gw_a, 53, 256, error);
  EXPECT_EQ(again.size(), 256u) << error;
  EXPECT_EQ(dig(1, "@" + gw_a + " web +tcp +short"), web + "\n");
  EXPECT_EQ(berth::test::wait_open_at_most(again, 0, std::chrono::milliseconds(1000)), 0u);
}

TEST_F(DnsServer, OneClientsTcpFloodIsCutToItsCapAndOthersKeepTheirAnswers) {
  start_daemon();
  const std::string gw_a = m_net_a + ".1", client = m_net_a + ".2", web = m_net_a + ".3";
  // web (a client of this berth-dns) opens 256 idle connections.
  std::string error;
  auto hog = berth::test::tcp_connections_from(netns_file(2), gw_a, 53, 256, error);
  ASSERT_EQ(hog.size(), 256u) << error;
  // Each one beyond its cap closed its own least recently active idle one: the newest stay.
  EXPECT_EQ(berth::test::wait_open_at_most(hog, berth::dns::kTcpPerClient, std::chrono::milliseconds(1000)),
            berth::dns::kTcpPerClient);
  EXPECT_EQ(berth::test::still_open(std::span(hog).last(berth::dns::kTcpPerClient)), berth::dns::kTcpPerClient);

  // The other client over TCP and UDP; and the hog itself still gets a TCP answer.
  EXPECT_EQ(dig(1, "@" + gw_a + " web +tcp +short"), web + "\n");
  EXPECT_EQ(dig(1, "@" + gw_a + " fixed.test +tcp +short"), "192.0.2.10\n");
  EXPECT_EQ(dig(1, "@" + gw_a + " web +short"), web + "\n");
  EXPECT_EQ(dig(2, "@" + gw_a + " client +tcp +short"), client + "\n");

  // The rest go after the idle timeout (3 s), not 10.
  EXPECT_EQ(berth::test::wait_open_at_most(hog, 0, berth::dns::kTcpIdleTimeout + std::chrono::milliseconds(1500)), 0u);
}

TEST_F(DnsServer, IdleTimeoutWaitsForAForwardedAnswer) {
  // The stub takes 600 ms for slow.test; the idle timeout is 200 ms. The connection has a query
  // in flight, so it is not idle: the answer arrives, then the connection closes when idle.
  start_daemon("--tcp-idle-ms 200");
  std::string slow = dig(1, "@" + m_net_a + ".1 slow.test +tcp +short");
  EXPECT_EQ(slow, "198.51.100.1\n");
}

TEST_F(DnsServer, ReportsStartupErrorsOnStdout) {
  // A gateway that is not an address of this host cannot be bound: {"ok":false,...}, exit 1.
  std::ofstream(records_path()) << R"({"networks": [{"id": "x", "gateway": "192.0.2.123"}], "containers": []})";
  Out out = sh(m_binary + " --records " + records_path() + " --pid-file " + pid_path());
  EXPECT_EQ(out.status, 1);
  auto reply = nlohmann::json::parse(out.text, nullptr, false);
  ASSERT_TRUE(reply.is_object()) << out.text;
  EXPECT_FALSE(reply.value("ok", true));
  EXPECT_NE(reply.value("error", "").find("192.0.2.123:53"), std::string::npos) << out.text;
  EXPECT_FALSE(fs::exists(pid_path()));

  Out missing = sh(m_binary + " --records " + (m_dir / "absent.json").string() + " --pid-file " + pid_path());
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.text.find("absent.json"), std::string::npos) << missing.text;
}

}  // namespace
