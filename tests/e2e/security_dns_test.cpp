// Issue 10 item 6 end to end, as root: one project's container must not starve another project's
// DNS over TCP. Project A (the fixture's) runs `hog`; project B (a second project in the same
// --root and run dir) runs `web` and `client`. From inside hog's network namespace (the engine's
// bind mount under <run>/netns, entered on a test thread) the test opens 256 TCP connections to
// B's gateway:53, B's berth-dns. They must be closed at once (hog is no client of B's berth-dns),
// and while hog still holds its ends, B's client resolves B's service name over TCP (`dig +tcp`
// run by the test in client's namespace with nsenter) and over UDP (busybox nslookup inside).
// No query is forwarded anywhere: only names in B's table are asked.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "../integration/netns_tcp.hpp"
#include "common/scope_exit.hpp"
#include "engine_fixture.hpp"

using berth::test::EngineFixture;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSleep = R"(command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])";

}  // namespace

class SecurityDns : public EngineFixture {
 protected:
  void SetUp() override {
    if (auto missing = berth::test::engine_e2e_missing(); !missing.empty()) GTEST_SKIP() << missing;
    if (!fs::exists("/usr/bin/dig") || !fs::exists("/usr/bin/nsenter"))
      GTEST_SKIP() << "needs /usr/bin/dig (bind9-dnsutils) and /usr/bin/nsenter (util-linux)";
    EngineFixture::SetUp();
  }

  /// `berth` for project B: same root, run dir and helpers as the fixture's project.
  berth::test::CommandResult berth_b(std::vector<std::string> args) {
    std::vector<std::string> full = {"--root", root(), "-p", m_project_b, "--progress", "plain"};
    full.insert(full.end(), args.begin(), args.end());
    auto env = berth_env();
    env.erase("PATH");
    auto r = berth::test::run_berth(full, m_dir_b, env);
    remember_b();
    return r;
  }

  /// B's containers and networks join the fixture's leftover check.
  void remember_b() {
    std::ifstream in(root() + "/projects/" + m_project_b + "/state.json");
    auto state = nlohmann::json::parse(in, nullptr, false);
    if (!state.is_object()) return;
    for (const auto& c : state.value("containers", nlohmann::json::array())) {
      m_container_ids.insert(c.value("id", ""));
      m_ids_b[c.value("service", "")] = c.value("id", "");
      for (const auto& e : c.value("endpoints", nlohmann::json::array()))
        m_network_ids.insert(e.value("network_id", ""));
    }
    for (const auto& n : state.value("networks", nlohmann::json::array()))
      if (!n.value("external", false)) m_network_ids.insert(n.value("id", ""));
  }

  std::string m_project_b, m_dir_b;
  std::map<std::string, std::string> m_ids_b;  // service → container id
};

TEST_F(SecurityDns, AnotherProjectsTcpFloodDoesNotStopThisProjectsResolution) {
  write_compose(std::string("services:\n  hog:\n    image: busybox:e2e\n    ") + kSleep + "\n");
  m_project_b = project() + "b";
  m_dir_b = dir() + "-b";
  fs::create_directories(m_dir_b);
  const std::string service = std::string("    image: busybox:e2e\n    ") + kSleep + "\n";
  std::ofstream(m_dir_b + "/compose.yaml") << "services:\n  web:\n" + service + "  client:\n" + service;
  // B goes down before the fixture's leftover check (TearDown), whatever happens here.
  berth::ScopeExit down_b([&] {
    auto down = berth_b({"down", "-v", "--remove-orphans", "-t", "1"});
    EXPECT_EQ(down.exit_code, 0) << down.err;
  });

  auto up_a = berth({"up", "-d"});
  ASSERT_EQ(up_a.exit_code, 0) << up_a.err;
  auto up_b = berth_b({"up", "-d"});
  ASSERT_EQ(up_b.exit_code, 0) << up_b.err;
  ASSERT_TRUE(m_ids_b.count("web") && m_ids_b.count("client")) << up_b.out;

  // B's berth-dns: the nameserver in B's containers' resolv.conf (B's gateway); B's web address.
  auto resolv = berth_b({"exec", "-T", "client", "cat", "/etc/resolv.conf"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(resolv.out, m, std::regex(R"(nameserver ([0-9.]+))"))) << resolv.out << resolv.err;
  const std::string gateway_b = m[1].str();
  auto web_addr = berth_b({"exec", "-T", "web", "ip", "-4", "-o", "addr", "show", "eth0"});
  ASSERT_TRUE(std::regex_search(web_addr.out, m, std::regex(R"(inet ([0-9.]+)/)"))) << web_addr.out;
  const std::string web_b = m[1].str();
  std::string hog_id;
  for (const auto& [name, id] : container_ids()) hog_id = id;
  ASSERT_FALSE(hog_id.empty());

  // A's hog opens 256 TCP connections to B's berth-dns.
  std::string error;
  auto flood = berth::test::tcp_connections_from(run() + "/netns/" + hog_id, gateway_b, 53, 256, error);
  ASSERT_EQ(flood.size(), 256u) << error;
  // Not a client of B's berth-dns: every one is closed at once (the idle timeout is 3 s).
  EXPECT_EQ(berth::test::wait_open_at_most(flood, 0, std::chrono::milliseconds(1000)), 0u);

  // B's client, while hog still holds its ends: B's name over TCP, then over UDP.
  auto dig_tcp_from_client = [&] {
    return berth::test::run_command(
        {"/usr/bin/timeout", "-s", "KILL", "10", "/usr/bin/nsenter", "--net=" + run() + "/netns/" + m_ids_b["client"],
         "/usr/bin/dig", "+tcp", "+time=2", "+tries=1", "@" + gateway_b, "web", "+short"},
        "/", {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}});
  };
  auto tcp = dig_tcp_from_client();
  EXPECT_EQ(tcp.out, web_b + "\n") << tcp.err;
  auto udp = berth_b({"exec", "-T", "client", "nslookup", "web"});
  EXPECT_EQ(berth::test::nslookup_answer(udp.out), web_b) << udp.out << udp.err;

  // A second wave changes nothing.
  auto again = berth::test::tcp_connections_from(run() + "/netns/" + hog_id, gateway_b, 53, 256, error);
  EXPECT_EQ(again.size(), 256u) << error;
  EXPECT_EQ(berth::test::wait_open_at_most(again, 0, std::chrono::milliseconds(1000)), 0u);
  auto tcp_again = dig_tcp_from_client();
  EXPECT_EQ(tcp_again.out, web_b + "\n") << tcp_again.err;
}
