// A service's `dns:` servers end to end, as root (Docker's behaviour on user-defined networks):
// the container's resolv.conf keeps berth-dns, so service names still resolve, and berth-dns
// forwards the container's other queries to the `dns` servers instead of the host's. The `dns`
// server is a stub run by this test on 127.0.0.x:53 of the host (berth-dns runs in the host
// network namespace, so it reaches the host's loopback; the containers never do). Without a
// Berth network (network_mode: none) the `dns` servers are the nameservers, as before.
// No query leaves loopback and the project's own namespaces: the service without `dns` only
// asks names berth-dns answers itself.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "dns/wire.hpp"
#include "engine_fixture.hpp"

using berth::test::EngineFixture;
namespace wire = berth::dns;

namespace {

/// A UDP DNS server on 127.0.0.x:53 (x free, chosen from the pid): some.test.name → A
/// 198.51.100.99, AAAA → NODATA; anything else NXDOMAIN. Remembers every name asked.
class StubDns {
 public:
  StubDns() {
    for (unsigned i = 0; i < 40 && m_fd < 0; ++i) {
      std::string address = "127.0.0." + std::to_string((static_cast<unsigned>(::getpid()) + i * 7) % 200 + 40);
      int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(53);
      ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
      if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        m_fd = fd;
        m_address = address;
      } else {
        ::close(fd);
      }
    }
    if (m_fd >= 0) m_thread = std::thread([this] { run(); });
  }
  ~StubDns() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    if (m_fd >= 0) ::close(m_fd);
  }
  /// "" when no 127.0.0.x:53 could be bound.
  const std::string& address() const { return m_address; }
  std::vector<std::string> asked() {
    std::lock_guard lock(m_mutex);
    return m_asked;
  }

 private:
  void run() {
    while (!m_stop) {
      pollfd p{m_fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      uint8_t buf[1500];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(m_fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      auto q = n > 0 ? wire::decode_message({buf, static_cast<size_t>(n)}) : std::nullopt;
      if (!q || q->questions.size() != 1) continue;
      const wire::Question& question = q->questions[0];
      std::string name = wire::lowercase(question.name);
      if (!name.empty() && name.back() == '.') name.pop_back();
      {
        std::lock_guard lock(m_mutex);
        m_asked.push_back(name);
      }
      wire::Message m;
      m.header.id = q->header.id;
      m.header.flags = wire::flag::kQr | wire::flag::kRa | (q->header.flags & wire::flag::kRd);
      m.questions = q->questions;
      if (name != "some.test.name")
        m.header.flags |= 3;  // NXDOMAIN
      else if (question.type == wire::kTypeA)
        m.answers.push_back(wire::make_a(question.name, 30, {198, 51, 100, 99}));
      auto out = wire::encode_message(m);
      if (out) ::sendto(m_fd, out->data(), out->size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }

  int m_fd = -1;
  std::string m_address;
  std::mutex m_mutex;
  std::vector<std::string> m_asked;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

/// The address in busybox nslookup's answer section ("Name: x" then "Address: a.b.c.d").
constexpr const char* kSleep = R"(command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])";

}  // namespace

class DnsUpstream : public EngineFixture {
 protected:
  void SetUp() override {
    if (auto missing = berth::test::engine_e2e_missing(); !missing.empty()) GTEST_SKIP() << missing;
    EngineFixture::SetUp();
  }
};

TEST_F(DnsUpstream, ServiceDnsServersAreBerthDnsUpstreamsAndServiceNamesStillResolve) {
  StubDns stub;
  if (stub.address().empty()) GTEST_SKIP() << "no free 127.0.0.x:53 for the stub DNS server";
  const std::string service = std::string("    image: busybox:e2e\n    ") + kSleep + "\n";
  write_compose("services:\n  a:\n" + service + "    dns: [" + stub.address() + "]\n" +  // berth-dns + own upstream
                "  b:\n" + service +                                                     // berth-dns, default upstream
                "  c:\n" + service + "    network_mode: none\n    dns: [" + stub.address() + ", 192.0.2.1]\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string a = eth0_address("a"), b = eth0_address("b");

  // a's resolv.conf names berth-dns (its network's gateway), not the stub.
  auto resolv = berth({"exec", "-T", "a", "cat", "/etc/resolv.conf"});
  ASSERT_EQ(resolv.exit_code, 0) << resolv.err;
  std::smatch ns;
  ASSERT_TRUE(std::regex_search(resolv.out, ns, std::regex(R"(\nnameserver (\S+)\n)"))) << resolv.out;
  EXPECT_NE(ns[1].str(), stub.address()) << resolv.out;
  EXPECT_EQ(ns[1].str().substr(0, ns[1].str().rfind('.')), a.substr(0, a.rfind('.'))) << "the gateway of a's network";
  int nameservers = 0;
  for (size_t at = resolv.out.find("nameserver "); at != std::string::npos; at = resolv.out.find("nameserver ", at + 1))
    ++nameservers;
  EXPECT_EQ(nameservers, 1) << resolv.out;
  EXPECT_NE(resolv.out.find("# ExtServers: [" + stub.address() + "]"), std::string::npos) << resolv.out;

  // Service names come from berth-dns's table, both ways; the stub is never asked for them.
  auto b_from_a = berth({"exec", "-T", "a", "nslookup", "b"});
  EXPECT_EQ(berth::test::nslookup_answer(b_from_a.out), b) << b_from_a.out << b_from_a.err;
  auto a_from_b = berth({"exec", "-T", "b", "nslookup", "a"});
  EXPECT_EQ(berth::test::nslookup_answer(a_from_b.out), a) << a_from_b.out << a_from_b.err;

  // Other names from a go to a's own server, the stub.
  auto other = berth({"exec", "-T", "a", "nslookup", "some.test.name"});
  EXPECT_EQ(berth::test::nslookup_answer(other.out), "198.51.100.99") << other.out << other.err;
  auto missing = berth({"exec", "-T", "a", "nslookup", "nothing.test.name"});
  EXPECT_NE(missing.exit_code, 0) << missing.out;
  EXPECT_EQ(berth::test::nslookup_answer(missing.out), "") << missing.out;
  const std::vector<std::string> asked = stub.asked();
  EXPECT_NE(std::find(asked.begin(), asked.end(), "some.test.name"), asked.end());
  EXPECT_NE(std::find(asked.begin(), asked.end(), "nothing.test.name"), asked.end());
  for (const auto& name : asked) EXPECT_TRUE(name != "a" && name != "b") << "service name " << name << " forwarded";

  // No Berth network, no berth-dns: the `dns` servers are c's nameservers, as before.
  auto c_resolv = berth({"exec", "-T", "c", "cat", "/etc/resolv.conf"});
  ASSERT_EQ(c_resolv.exit_code, 0) << c_resolv.err;
  EXPECT_NE(c_resolv.out.find("nameserver " + stub.address() + "\nnameserver 192.0.2.1\n"), std::string::npos)
      << c_resolv.out;
  EXPECT_EQ(c_resolv.out.find("ExtServers"), std::string::npos) << c_resolv.out;
}
