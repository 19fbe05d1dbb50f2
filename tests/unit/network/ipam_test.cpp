// IPAM: CIDR parsing, the subnet pool and its overlap checks, requested subnet/gateway/ip_range
// validation, address leases, names and the registry files (in a temporary root).
#include "compose/network/ipam.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace berth::network {
namespace {

Ipv4Net cidr(const char* text) {
  auto n = parse_cidr(text);
  EXPECT_TRUE(n) << text;
  return n.value_or(Ipv4Net{});
}

TEST(Ipam, ParsesAndFormatsAddresses) {
  EXPECT_EQ(parse_ipv4("10.89.0.5"), 0x0A590005u);
  EXPECT_EQ(format_ipv4(0x0A590005u), "10.89.0.5");
  for (const char* bad : {"", "10.89.0", "10.89.0.256", "10.89.0.5.", "1.2.3.04", "a.b.c.d", "1..2.3", "1.2.3.4 "})
    EXPECT_FALSE(parse_ipv4(bad)) << bad;
  auto n = cidr("10.89.3.7/24");
  EXPECT_EQ(n.prefix, 24);
  EXPECT_EQ(format_cidr(n), "10.89.3.0/24");
  EXPECT_EQ(format_ipv4(n.broadcast()), "10.89.3.255");
  EXPECT_EQ(cidr("0.0.0.0/0").mask(), 0u);
  EXPECT_EQ(cidr("1.2.3.4").prefix, 32);
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/ab", "10.0.0.0/2x", "/24"})
    EXPECT_FALSE(parse_cidr(bad)) << bad;
}

TEST(Ipam, Overlaps) {
  EXPECT_TRUE(overlaps(cidr("10.0.0.0/8"), cidr("10.89.1.0/24")));
  EXPECT_TRUE(overlaps(cidr("10.89.1.0/24"), cidr("10.0.0.0/8")));
  EXPECT_FALSE(overlaps(cidr("10.89.1.0/24"), cidr("10.89.2.0/24")));
  EXPECT_TRUE(overlaps(cidr("10.89.1.128/25"), cidr("10.89.1.0/24")));
  EXPECT_TRUE(overlaps(cidr("10.89.1.7/32"), cidr("10.89.1.0/24")));
}

TEST(Ipam, PoolSkipsRoutesAndOtherNetworks) {
  SubnetPool pool;
  EXPECT_EQ(format_cidr(*choose_subnet(pool, {})), "10.89.0.0/24");
  // A host route covering the first two /24s and another network on the third.
  auto chosen = choose_subnet(pool, {cidr("10.89.0.0/23"), cidr("10.89.2.0/24"), cidr("192.168.1.0/24")});
  ASSERT_TRUE(chosen);
  EXPECT_EQ(format_cidr(*chosen), "10.89.3.0/24");
  // A single host address inside a /24 is enough to skip it.
  EXPECT_EQ(format_cidr(*choose_subnet(pool, {cidr("10.89.0.77/32")})), "10.89.1.0/24");
  // Configurable pool; exhaustion is nullopt.
  SubnetPool small{cidr("172.30.0.0/23"), 24};
  EXPECT_EQ(format_cidr(*choose_subnet(small, {cidr("172.30.0.0/24")})), "172.30.1.0/24");
  EXPECT_FALSE(choose_subnet(small, {cidr("172.30.0.0/16")}));
  EXPECT_FALSE(choose_subnet(SubnetPool{cidr("10.0.0.0/24"), 16}, {}));  // step wider than the base
}

TEST(Ipam, RequestedAddressingIsChecked) {
  auto a = resolve_addressing({"172.28.5.9/16", "", ""}, std::nullopt);
  EXPECT_EQ(format_cidr(a.subnet), "172.28.0.0/16");
  EXPECT_EQ(format_ipv4(a.gateway), "172.28.0.1");
  EXPECT_EQ(a.range, a.subnet);
  a = resolve_addressing({"172.28.0.0/16", "172.28.5.254", "172.28.5.0/24"}, std::nullopt);
  EXPECT_EQ(format_ipv4(a.gateway), "172.28.5.254");
  EXPECT_EQ(format_cidr(a.range), "172.28.5.0/24");
  a = resolve_addressing({}, cidr("10.89.4.0/24"));
  EXPECT_EQ(format_ipv4(a.gateway), "10.89.4.1");

  auto message = [](const SubnetRequest& r) {
    try {
      resolve_addressing(r, std::nullopt);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({"10.2.0.0/24", "10.1.0.1", ""}), "gateway 10.1.0.1 is not in subnet 10.2.0.0/24");
  EXPECT_NE(message({"10.2.0.0", "", ""}).find("invalid subnet"), std::string::npos);
  EXPECT_NE(message({"10.2.0.0/24", "10.2.0.255", ""}).find("broadcast"), std::string::npos);
  EXPECT_NE(message({"10.2.0.0/24", "", "10.3.0.0/25"}).find("not inside subnet"), std::string::npos);
  EXPECT_NE(message({"10.2.0.0/24", "", "10.2.0.0/16"}).find("not inside subnet"), std::string::npos);
  EXPECT_NE(message({"10.2.0.0/31", "", ""}).find("too small"), std::string::npos);
  EXPECT_THROW(resolve_addressing({}, std::nullopt), std::runtime_error);
}

NetworkRecord record(const std::string& subnet, const std::string& gateway, const std::string& range = "") {
  NetworkRecord r;
  r.id = "0123456789ab";
  r.name = "demo_default";
  r.bridge = bridge_name(r.id);
  r.subnet = subnet;
  r.gateway = gateway;
  r.ip_range = range;
  return r;
}

TEST(Ipam, LeasesAreStablePerContainerAndReleased) {
  auto r = record("10.89.7.0/24", "10.89.7.1");
  EXPECT_EQ(lease_address(r, "a"), "10.89.7.2");
  EXPECT_EQ(lease_address(r, "b"), "10.89.7.3");
  EXPECT_EQ(lease_address(r, "a"), "10.89.7.2");  // same container, same address
  EXPECT_TRUE(release_address(r, "a"));
  EXPECT_FALSE(release_address(r, "a"));
  EXPECT_EQ(lease_address(r, "c"), "10.89.7.2");  // freed address is reused
  EXPECT_EQ(r.leases.size(), 2u);
}

TEST(Ipam, RequestedAddressIsCheckedAndHonoured) {
  auto r = record("10.89.7.0/24", "10.89.7.1");
  EXPECT_EQ(lease_address(r, "a", "10.89.7.50"), "10.89.7.50");
  EXPECT_EQ(lease_address(r, "a", "10.89.7.50"), "10.89.7.50");
  EXPECT_THROW(lease_address(r, "b", "10.89.7.50"), std::invalid_argument);   // taken
  EXPECT_THROW(lease_address(r, "b", "10.89.8.5"), std::invalid_argument);    // outside
  EXPECT_THROW(lease_address(r, "b", "10.89.7.1"), std::invalid_argument);    // gateway
  EXPECT_THROW(lease_address(r, "b", "10.89.7.255"), std::invalid_argument);  // broadcast
  EXPECT_THROW(lease_address(r, "b", "10.89.7"), std::invalid_argument);
  EXPECT_FALSE(r.leases.contains("b"));
  EXPECT_EQ(lease_address(r, "a", "10.89.7.60"), "10.89.7.60");  // a changed request moves the lease
  EXPECT_EQ(lease_address(r, "b"), "10.89.7.2");
}

TEST(Ipam, RangeLimitsAllocationAndRunsFull) {
  auto r = record("10.89.7.0/24", "10.89.7.1", "10.89.7.128/30");
  EXPECT_EQ(lease_address(r, "a"), "10.89.7.128");
  EXPECT_EQ(lease_address(r, "b"), "10.89.7.129");
  EXPECT_EQ(lease_address(r, "c"), "10.89.7.130");
  EXPECT_EQ(lease_address(r, "d"), "10.89.7.131");
  EXPECT_THROW(lease_address(r, "e"), std::runtime_error);
  // A requested address may lie outside the range but inside the subnet (Docker allows it).
  EXPECT_EQ(lease_address(r, "e", "10.89.7.9"), "10.89.7.9");

  auto tiny = record("10.89.9.0/30", "10.89.9.1");
  EXPECT_EQ(lease_address(tiny, "a"), "10.89.9.2");
  EXPECT_THROW(lease_address(tiny, "b"), std::runtime_error);
}

TEST(Ipam, Names) {
  const std::string id = network_id("/var/lib/berth", "demo_default");
  EXPECT_EQ(id.size(), 12u);
  EXPECT_EQ(id, network_id("/var/lib/berth", "demo_default"));
  EXPECT_NE(id, network_id("/tmp/other", "demo_default"));
  EXPECT_EQ(bridge_name(id), "berth-" + id.substr(0, 9));
  EXPECT_EQ(bridge_name(id).size(), 15u);
  const std::string c(64, 'a');
  EXPECT_EQ(host_veth_name(c, id).size(), 15u);
  EXPECT_EQ(host_veth_name(c, id).substr(0, 5), "berth");
  EXPECT_EQ(peer_veth_name(c, id).substr(0, 2), "bt");
  EXPECT_EQ(host_veth_name(c, id).substr(5), peer_veth_name(c, id).substr(2));
  EXPECT_NE(host_veth_name(c, id), host_veth_name(c, network_id("/x", "y")));
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root = std::filesystem::temp_directory_path() / ("berth-ipam-" + std::to_string(::getpid()));
    std::filesystem::remove_all(m_root);
  }
  void TearDown() override {
    std::filesystem::remove_all(m_root);
    EXPECT_FALSE(std::filesystem::exists(m_root));
  }
  std::filesystem::path m_root;
};

TEST_F(RegistryTest, RoundTripListRemove) {
  Registry reg(m_root.string());
  EXPECT_FALSE(reg.load("0123456789ab"));
  EXPECT_TRUE(reg.list().empty());
  auto r = record("10.89.7.0/24", "10.89.7.1", "10.89.7.0/25");
  r.project = "demo";
  r.mtu = 1400;
  r.internal = true;
  r.labels["k"] = "v";
  lease_address(r, std::string(64, 'c'));
  reg.save(r);
  EXPECT_EQ(reg.path(r.id), (m_root / "networks" / "0123456789ab.json").string());
  auto back = reg.load(r.id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, r.name);
  EXPECT_EQ(back->project, "demo");
  EXPECT_EQ(back->bridge, r.bridge);
  EXPECT_EQ(back->subnet, r.subnet);
  EXPECT_EQ(back->gateway, r.gateway);
  EXPECT_EQ(back->ip_range, r.ip_range);
  EXPECT_EQ(back->mtu, 1400);
  EXPECT_TRUE(back->internal);
  EXPECT_EQ(back->labels, r.labels);
  EXPECT_EQ(back->leases, r.leases);

  auto other = record("10.89.8.0/24", "10.89.8.1");
  other.id = "ba9876543210";
  reg.save(other);
  // Stray files (temporaries, other names) are ignored; a corrupt record does not hide others.
  std::ofstream(m_root / "networks" / "0123456789ab.json.tmp.abcdef") << "{";
  std::ofstream(m_root / "networks" / "ffffffffffff.json") << "not json";
  auto all = reg.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "0123456789ab");
  EXPECT_EQ(all[1].id, "ba9876543210");
  EXPECT_THROW(reg.load("ffffffffffff"), std::runtime_error);

  reg.remove(r.id);
  reg.remove(r.id);  // idempotent
  EXPECT_FALSE(reg.load(r.id));
  EXPECT_EQ(reg.list().size(), 1u);
}

}  // namespace
}  // namespace berth::network
