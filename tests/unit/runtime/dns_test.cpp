// compose/runtime/dns: the records file the engine writes for berth-dns, read back by berth-dns's
// own parser (the two sides of the "DNS records file" contract): a container's compose `dns`
// servers become its `upstreams`, IP addresses only.
#include <gtest/gtest.h>

#include "compose/runtime/dns.hpp"
#include "dns/records.hpp"

namespace berth::engine {
namespace {

state::ProjectState two_containers() {
  state::ProjectState s;
  s.name = "p";
  s.networks.push_back({"default", "p_default", "0123456789ab", "10.89.0.1", false});
  state::ContainerRecord a;
  a.id = std::string(64, 'a');
  a.name = "p-a-1";
  a.service = "a";
  a.endpoints.push_back({"default", "0123456789ab", "berthaaaa", "10.89.0.2", {"a", "p-a-1"}});
  a.dns = {"192.0.2.53", "dns.example", "2001:db8::1", "192.0.2.54:5353"};
  state::ContainerRecord b = a;
  b.id = std::string(64, 'b');
  b.name = "p-b-1";
  b.service = "b";
  b.endpoints = {{"default", "0123456789ab", "berthbbbb", "10.89.0.3", {"b", "p-b-1"}}};
  b.dns.clear();
  s.containers = {a, b};
  return s;
}

TEST(DnsEngineRecords, ServiceDnsServersAreTheContainersUpstreams) {
  nlohmann::json j = runtime::dns_records(two_containers());
  ASSERT_EQ(j["containers"].size(), 2u);
  // Only IP addresses: compose `dns` takes nothing else, and one bad entry would make berth-dns
  // refuse the whole file.
  EXPECT_EQ(j["containers"][0]["upstreams"], (nlohmann::json{"192.0.2.53", "2001:db8::1"}));
  EXPECT_FALSE(j["containers"][1].contains("upstreams"));

  auto records = dns::Records::parse(j.dump());
  const auto* a = records->upstreams_for(*dns::IpAddress::parse("10.89.0.2"));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*a, (dns::Records::UpstreamSet{"192.0.2.53:53", "[2001:db8::1]:53"}));
  EXPECT_EQ(records->upstreams_for(*dns::IpAddress::parse("10.89.0.3")), nullptr);
  EXPECT_EQ(records->lookup(*dns::IpAddress::parse("10.89.0.2"), "b", dns::kTypeA).kind, dns::Lookup::Kind::Answer);
}

TEST(DnsEngineRecords, DnsWithoutUsableAddressesMeansTheDefaultServers) {
  state::ProjectState s = two_containers();
  s.containers[0].dns = {"dns.example"};
  nlohmann::json j = runtime::dns_records(s);
  EXPECT_FALSE(j["containers"][0].contains("upstreams"));
  EXPECT_EQ(dns::Records::parse(j.dump())->upstreams_for(*dns::IpAddress::parse("10.89.0.2")), nullptr);
}

TEST(DnsEngineRecords, NamesThatAreNotDnsNamesAreLeftOutAndTheRestResolve) {
  state::ProjectState s = two_containers();
  const std::string long_name = "p-a-run-" + std::string(60, 'x');  // a label of 68 characters
  s.containers[0].endpoints[0].names.push_back(long_name);
  std::vector<std::string> skipped;
  nlohmann::json j = runtime::dns_records(s, &skipped);
  EXPECT_EQ(skipped, std::vector<std::string>{long_name});
  auto records = dns::Records::parse(j.dump());  // berth-dns takes the file
  EXPECT_EQ(records->lookup(*dns::IpAddress::parse("10.89.0.3"), "a", dns::kTypeA).kind, dns::Lookup::Kind::Answer);
}

}  // namespace
}  // namespace berth::engine
