// NetworkManager against the real kernel: bridges, veth pairs in persistent netns, addresses,
// routes, leases across restarts, isolation between networks (nftables), internal networks,
// rollback of a failed attach and complete cleanup. Runs as root; see network_fixture.hpp.
#include <atomic>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "compose/network/ipam.hpp"
#include "compose/network/netns.hpp"
#include "network_fixture.hpp"

namespace berth::test {
namespace {

namespace fs = std::filesystem;
using network::NetworkConfig;

bool has_default_route(const std::string& netns) {
  for (const auto& r : ip_json(netns, "-4 route"))
    if (r.value("dst", "") == "default") return true;
  return false;
}

nlohmann::json link_in(const std::string& netns, const std::string& name) {
  auto j = ip_json(netns, "addr show dev " + name);
  return j.empty() ? nlohmann::json() : j[0];
}

TEST_F(NetworkTest, NetnsCreateAndRemoveAreIdempotent) {
  const std::string path = make_netns("solo");
  EXPECT_TRUE(network::netns_exists(path));
  network::create_netns(path);  // kept, not stacked
  EXPECT_TRUE(network::netns_exists(path));
  auto lo = link_in(path, "lo");  // loopback is up from the start, as in Docker's `none`
  ASSERT_TRUE(lo.is_object());
  EXPECT_NE(std::find(lo["flags"].begin(), lo["flags"].end(), "UP"), lo["flags"].end()) << lo.dump();
  int inode_checks = 0;
  network::run_in_netns(path, [&] { inode_checks = fs::exists("/proc/self/ns/net") ? 1 : 0; });
  EXPECT_EQ(inode_checks, 1);
  EXPECT_THROW(network::run_in_netns(path, [] { throw std::runtime_error("inside"); }), std::runtime_error);
  network::remove_netns(path);
  network::remove_netns(path);
  EXPECT_FALSE(network::netns_exists(path));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(network::netns_exists(m_root));  // a plain directory is not a netns
}

TEST_F(NetworkTest, TwoNamespacesOnOneNetworkReachEachOther) {
  auto net = make_network("default");
  EXPECT_EQ(net.bridge, network::bridge_name(net.id));
  EXPECT_TRUE(host_links().contains(net.bridge));
  const std::string a = make_netns("a"), b = make_netns("b");
  auto ea = m_mgr->attach(request(container_id(1), net, a));
  auto eb = m_mgr->attach(request(container_id(2), net, b));
  EXPECT_EQ(ea.interface, "eth0");
  EXPECT_NE(ea.address, eb.address);
  EXPECT_EQ(ea.gateway, net.gateway);
  auto octets = *network::parse_ipv4(ea.address);
  EXPECT_EQ(ea.mac, fmt::format("02:42:{:02x}:{:02x}:{:02x}:{:02x}", octets >> 24, (octets >> 16) & 0xff,
                                (octets >> 8) & 0xff, octets & 0xff));
  auto eth0 = link_in(a, "eth0");
  ASSERT_FALSE(eth0.is_null());
  EXPECT_EQ(eth0["addr_info"][0].value("local", ""), ea.address);
  EXPECT_EQ(eth0.value("address", ""), ea.mac);
  EXPECT_TRUE(has_default_route(a));
  EXPECT_EQ(link_in(a, "lo").value("operstate", ""), "UNKNOWN");  // lo up reports UNKNOWN
  EXPECT_TRUE(ping_from(a, eb.address));
  EXPECT_TRUE(ping_from(b, ea.address));
  EXPECT_TRUE(ping_from(a, net.gateway));
  // The host veth ends are ports of the bridge.
  for (const auto& l : ip_json("", "link show master " + net.bridge)) {
    const std::string name = l.value("ifname", "");
    EXPECT_TRUE(name == ea.host_veth || name == eb.host_veth) << name;
  }
  m_mgr->detach(container_id(1), net.id, true);
  m_mgr->detach(container_id(2), net.id, true);
  EXPECT_FALSE(host_links().contains(ea.host_veth));
  EXPECT_TRUE(link_in(a, "eth0").is_null());
  EXPECT_TRUE(m_mgr->get(net.id)->leases.empty());
}

TEST_F(NetworkTest, OtherNetworkCannotReachThem) {
  auto net1 = make_network("one");
  auto net2 = make_network("two");
  EXPECT_FALSE(network::overlaps(*network::parse_cidr(net1.subnet), *network::parse_cidr(net2.subnet)));
  const std::string a = make_netns("a"), c = make_netns("c");
  auto ea = m_mgr->attach(request(container_id(1), net1, a));
  auto ec = m_mgr->attach(request(container_id(3), net2, c));
  EXPECT_TRUE(ping_from(c, net2.gateway));
  EXPECT_FALSE(ping_from(c, ea.address)) << "network isolation (nftables) let traffic through";
  EXPECT_FALSE(ping_from(a, ec.address)) << "network isolation (nftables) let traffic through";
}

TEST_F(NetworkTest, ReattachAfterRestartKeepsTheAddress) {
  auto net = make_network("default");
  std::string ns = make_netns("a");
  const std::string id = container_id(1);
  auto first = m_mgr->attach(request(id, net, ns));
  auto again = m_mgr->attach(request(id, net, ns));  // running container, attach re-run
  EXPECT_EQ(again.address, first.address);
  EXPECT_EQ(again.mac, first.mac);  // intact endpoint is left alone
  // Another container takes the next address; the first keeps its own across a restart with a
  // fresh manager (new process) and a fresh namespace.
  std::string other = make_netns("b");
  auto eb = m_mgr->attach(request(container_id(2), net, other));
  m_mgr->detach(id, net.id, false);
  network::remove_netns(ns);
  m_mgr.emplace(m_root, m_run);
  ns = make_netns("a2");
  auto restarted = m_mgr->attach(request(id, net, ns));
  EXPECT_EQ(restarted.address, first.address);
  EXPECT_EQ(restarted.mac, first.mac);  // 02:42:<address>: peers' ARP entries stay valid
  EXPECT_NE(eb.address, first.address);
  EXPECT_TRUE(ping_from(ns, eb.address));
  // Releasing the lease frees the address for someone else.
  m_mgr->detach(id, net.id, true);
  EXPECT_FALSE(m_mgr->get(net.id)->leases.contains(id));
}

TEST_F(NetworkTest, InternalNetworkHasNoDefaultRoute) {
  NetworkConfig cfg;
  cfg.internal = true;
  auto net = make_network("internal", cfg);
  EXPECT_TRUE(net.internal);
  const std::string a = make_netns("a"), b = make_netns("b");
  auto ea = m_mgr->attach(request(container_id(1), net, a));
  auto eb = m_mgr->attach(request(container_id(2), net, b));
  EXPECT_FALSE(has_default_route(a));
  EXPECT_TRUE(ping_from(a, eb.address));
  // Second interface: a non-internal network provides the default route on eth1.
  auto pub = make_network("public");
  auto e1 = m_mgr->attach(request(container_id(1), pub, a, 1));
  EXPECT_EQ(e1.interface, "eth1");
  EXPECT_TRUE(has_default_route(a));
  EXPECT_TRUE(ping_from(a, pub.gateway));
  (void)ea;
}

TEST_F(NetworkTest, EnsureIsIdempotentAndRecreatesAVanishedBridge) {
  auto net = make_network("default");
  NetworkConfig cfg;
  cfg.name = net.name;
  cfg.project = m_prefix;
  auto same = m_mgr->ensure_network(cfg);
  EXPECT_EQ(same.subnet, net.subnet);
  EXPECT_EQ(same.gateway, net.gateway);
  EXPECT_EQ(m_mgr->find_by_name(net.name)->id, net.id);
  EXPECT_FALSE(m_mgr->find_by_name(net.name + "_nope"));
  EXPECT_EQ(m_mgr->list().size(), 1u);
  ASSERT_EQ(run_shell("ip link del " + net.bridge).exit_code, 0);  // a crash/reboot lost it
  auto back = m_mgr->ensure_network(cfg);
  EXPECT_EQ(back.subnet, net.subnet);
  EXPECT_TRUE(host_links().contains(net.bridge));
  auto br = link_in("", net.bridge);
  EXPECT_EQ(br["addr_info"][0].value("local", ""), net.gateway);
  EXPECT_TRUE(fs::exists(m_root + "/networks/" + net.id + ".json"));
}

TEST_F(NetworkTest, RequestedSubnetGatewayAddressAndMtu) {
  const int third = static_cast<int>(::getpid() % 200) + 20;
  NetworkConfig cfg;
  cfg.ipam.subnet = "10.251." + std::to_string(third) + ".0/24";
  cfg.ipam.gateway = "10.251." + std::to_string(third) + ".254";
  cfg.driver_opts["com.docker.network.driver.mtu"] = "1400";
  auto net = make_network("custom", cfg);
  EXPECT_EQ(net.subnet, cfg.ipam.subnet);
  EXPECT_EQ(net.gateway, cfg.ipam.gateway);
  EXPECT_EQ(net.mtu, 1400);
  EXPECT_EQ(link_in("", net.bridge).value("mtu", 0), 1400);
  const std::string a = make_netns("a"), b = make_netns("b");
  auto req = request(container_id(1), net, a);
  req.ipv4_address = "10.251." + std::to_string(third) + ".77";
  auto ea = m_mgr->attach(req);
  EXPECT_EQ(ea.address, req.ipv4_address);
  EXPECT_EQ(link_in(a, "eth0").value("mtu", 0), 1400);
  // Same address for another container: refused, and nothing of that attach is left.
  auto clash = request(container_id(2), net, b);
  clash.ipv4_address = req.ipv4_address;
  EXPECT_THROW(m_mgr->attach(clash), std::invalid_argument);
  EXPECT_FALSE(host_links().contains(network::host_veth_name(container_id(2), net.id)));
  EXPECT_FALSE(m_mgr->get(net.id)->leases.contains(container_id(2)));
  // An overlapping requested subnet is refused before anything is created.
  NetworkConfig overlap;
  overlap.ipam.subnet = "10.251." + std::to_string(third) + ".128/25";
  EXPECT_THROW(make_network("overlap", overlap), std::invalid_argument);
  EXPECT_FALSE(m_mgr->find_by_name(m_prefix + "_overlap"));
  NetworkConfig bad_gw;
  bad_gw.ipam.subnet = "10.252." + std::to_string(third) + ".0/24";
  bad_gw.ipam.gateway = "10.253.0.1";
  EXPECT_THROW(make_network("badgw", bad_gw), std::invalid_argument);
  EXPECT_FALSE(m_mgr->find_by_name(m_prefix + "_badgw"));
}

TEST_F(NetworkTest, FailedAttachRollsBack) {
  auto net = make_network("default");
  const std::string a = make_netns("a");
  // eth0 is already taken inside the namespace by something that is not ours.
  ASSERT_EQ(run_shell("nsenter --net=" + a + " ip link add eth0 type veth peer name xeth0").exit_code, 0);
  const std::string id = container_id(1);
  EXPECT_THROW(m_mgr->attach(request(id, net, a)), std::runtime_error);
  EXPECT_FALSE(host_links().contains(network::host_veth_name(id, net.id)));
  EXPECT_FALSE(m_mgr->get(net.id)->leases.contains(id));
  EXPECT_TRUE(ip_json("", "link show master " + net.bridge).empty());
  // Not a namespace at all.
  EXPECT_THROW(m_mgr->attach(request(id, net, m_root)), std::runtime_error);
  // Unknown network.
  auto req = request(id, net, a);
  req.network_id = "000000000000";
  EXPECT_THROW(m_mgr->attach(req), std::runtime_error);
}

TEST_F(NetworkTest, RemoveLeavesNothing) {
  auto net = make_network("default");
  const std::string a = make_netns("a");
  network::PortMapping port;
  port.host_port = static_cast<uint16_t>(20000 + ::getpid() % 20000);
  port.container_port = 80;
  auto req = request(container_id(1), net, a);
  req.ports.push_back(port);
  auto ea = m_mgr->attach(req);
  EXPECT_NE(nft_ruleset().find(net.id), std::string::npos) << "firewall rules expected for the network";
  // Remove the network while the container is still attached (down after kill -9).
  m_mgr->remove_network(net.id);
  m_mgr->remove_network(net.id);  // idempotent
  const auto links = host_links();
  EXPECT_FALSE(links.contains(net.bridge));
  EXPECT_FALSE(links.contains(ea.host_veth));
  EXPECT_TRUE(link_in(a, "eth0").is_null());
  EXPECT_FALSE(fs::exists(m_root + "/networks/" + net.id + ".json"));
  const std::string rules = nft_ruleset();
  EXPECT_EQ(rules.find(net.id), std::string::npos);
  EXPECT_EQ(rules.find(container_id(1)), std::string::npos);
  m_mgr->detach(container_id(1), net.id, true);  // after removal: nothing to do, no error
}

TEST_F(NetworkTest, ASharedNetworkIsMadeByItsFirstUserAndGoesWithItsLast) {
  // The default bridge of `network_mode: bridge`: no project owns it.
  network::NetworkConfig config;
  config.name = m_prefix + "_shared";
  const std::string a = make_netns("a"), b = make_netns("b");
  network::AttachRequest req;
  req.container_id = container_id(1);
  req.netns_path = a;
  const network::Endpoint ea = m_mgr->attach_shared(config, req);
  const auto net = m_mgr->find_by_name(config.name);
  ASSERT_TRUE(net.has_value());
  m_nets.push_back(*net);  // teardown removes it should the test fail halfway
  EXPECT_EQ(ea.network_id, net->id);
  req.container_id = container_id(2);
  req.netns_path = b;
  const network::Endpoint eb = m_mgr->attach_shared(config, req);
  EXPECT_EQ(eb.network_id, net->id);
  EXPECT_TRUE(ping_from(a, eb.address));

  EXPECT_FALSE(m_mgr->detach_shared(container_id(1), net->id));  // b still uses it
  EXPECT_TRUE(host_links().contains(net->bridge));
  EXPECT_FALSE(host_links().contains(ea.host_veth));
  EXPECT_TRUE(m_mgr->detach_shared(container_id(2), net->id));
  EXPECT_FALSE(host_links().contains(net->bridge));
  EXPECT_FALSE(m_mgr->get(net->id).has_value());
  EXPECT_EQ(nft_ruleset().find(net->id), std::string::npos);
  EXPECT_FALSE(m_mgr->detach_shared(container_id(2), net->id));  // gone already: nothing to do
}

TEST_F(NetworkTest, ParallelEnsureAndAttachNeverShareSubnetsOrAddresses) {
  // Four threads, each with its own manager (as separate processes would be), race to create
  // networks; then eight threads attach to one network. The host-wide flock keeps subnet choice
  // and lease allocation exclusive.
  std::vector<network::NetworkState> nets(4);
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      try {
        network::NetworkManager mgr(m_root, m_run);
        NetworkConfig cfg;
        cfg.name = m_prefix + "_p" + std::to_string(i);
        nets[static_cast<size_t>(i)] = mgr.ensure_network(cfg);
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++errors;
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(errors.load(), 0);
  m_nets.insert(m_nets.end(), nets.begin(), nets.end());
  for (size_t i = 0; i < nets.size(); ++i)
    for (size_t j = i + 1; j < nets.size(); ++j)
      EXPECT_FALSE(network::overlaps(*network::parse_cidr(nets[i].subnet), *network::parse_cidr(nets[j].subnet)))
          << nets[i].subnet << " vs " << nets[j].subnet;

  std::vector<std::string> ns;
  for (int i = 0; i < 8; ++i) ns.push_back(make_netns(fmt::format("c{}", i)));
  std::vector<network::Endpoint> eps(8);
  threads.clear();
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      try {
        eps[static_cast<size_t>(i)] = m_mgr->attach(request(container_id(i), nets[0], ns[static_cast<size_t>(i)]));
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  for (auto& t : threads) t.join();
  std::set<std::string> addresses;
  for (const auto& e : eps) addresses.insert(e.address);
  EXPECT_EQ(addresses.size(), 8u);
  EXPECT_EQ(m_mgr->get(nets[0].id)->leases.size(), 8u);
  EXPECT_TRUE(ping_from(ns[0], eps[7].address));
}

}  // namespace
}  // namespace berth::test
