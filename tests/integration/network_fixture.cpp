// See network_fixture.hpp. Shell commands are allowed in tests (never in product code); every
// command talks only to namespaces and bridges this test made.
#include "network_fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "compose/network/ipam.hpp"
#include "compose/network/netns.hpp"

namespace berth::test {

namespace fs = std::filesystem;

bool ping_from(const std::string& netns, const std::string& address) {
  return run_shell("nsenter --net=" + netns + " /bin/busybox ping -c1 -W1 " + address).exit_code == 0;
}

nlohmann::json ip_json(const std::string& netns, const std::string& args) {
  std::string cmd = netns.empty() ? "ip -j " + args : "nsenter --net=" + netns + " ip -j " + args;
  auto r = run_shell(cmd);
  if (r.exit_code != 0) return nlohmann::json::array();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json::array() : j;
}

std::set<std::string> host_links() {
  std::set<std::string> out;
  for (const auto& l : ip_json("", "link")) out.insert(l.value("ifname", ""));
  return out;
}

std::string nft_ruleset() { return run_shell("nft -j list ruleset").out; }

void NetworkTest::SetUp() {
  if (::geteuid() != 0) GTEST_SKIP() << "network tests need root (netns, bridges, nftables)";
  if (run_shell("nsenter --version").exit_code != 0) GTEST_SKIP() << "nsenter (util-linux) is missing";
  if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "/bin/busybox (busybox-static) is missing for ping";
  static std::atomic<int> counter{0};
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(counter++);
  m_root = "/tmp/berth-nettest-" + tag;
  m_run = m_root + "/run";
  m_prefix = "nt" + tag;
  fs::remove_all(m_root);
  fs::create_directories(m_run);
  m_mgr.emplace(m_root, m_run);
}

void NetworkTest::TearDown() {
  if (!m_mgr) return;
  std::vector<std::string> ids;
  std::vector<std::string> links;
  for (const auto& net : m_mgr->list()) {
    ids.push_back(net.id);
    links.push_back(net.bridge);
    for (const auto& [ctr, addr] : net.leases) {
      links.push_back(network::host_veth_name(ctr, net.id));
      ids.push_back(ctr);
    }
    EXPECT_NO_THROW(m_mgr->remove_network(net.id));
  }
  for (const auto& net : m_nets) {
    ids.push_back(net.id);
    links.push_back(net.bridge);
  }
  for (const auto& ns : m_netns) EXPECT_NO_THROW(network::remove_netns(ns));
  // Nothing of this test may be left: links, netns mounts, registry files, nft rules.
  const auto names = host_links();
  for (const auto& l : links) EXPECT_FALSE(names.contains(l)) << "link left: " << l;
  for (const auto& ns : m_netns) EXPECT_FALSE(fs::exists(ns)) << "netns left: " << ns;
  EXPECT_TRUE(m_mgr->list().empty());
  const std::string rules = nft_ruleset();
  for (const auto& id : ids) EXPECT_EQ(rules.find(id), std::string::npos) << "nft rule left for " << id;
  std::error_code ec;
  fs::remove_all(m_root, ec);
  EXPECT_FALSE(fs::exists(m_root));
}

network::NetworkState NetworkTest::make_network(const std::string& suffix, network::NetworkConfig config) {
  config.name = m_prefix + "_" + suffix;
  if (config.project.empty()) config.project = m_prefix;
  auto state = m_mgr->ensure_network(config);
  m_nets.push_back(state);
  return state;
}

std::string NetworkTest::make_netns(const std::string& name) {
  std::string path = m_run + "/netns/" + name;
  m_netns.push_back(path);
  network::create_netns(path);
  return path;
}

std::string NetworkTest::container_id(int n) const {
  // Distinct per test and per process: hash of the unique prefix and n, as 64 hex.
  std::string a = network::network_id(m_prefix, std::to_string(n));
  std::string b = network::network_id(std::to_string(n), m_prefix);
  return (a + b + a + b + a + b).substr(0, 64);
}

network::AttachRequest NetworkTest::request(const std::string& container, const network::NetworkState& net,
                                            const std::string& netns, unsigned index) const {
  network::AttachRequest r;
  r.container_id = container;
  r.network_id = net.id;
  r.netns_path = netns;
  r.interface_index = index;
  return r;
}

}  // namespace berth::test
