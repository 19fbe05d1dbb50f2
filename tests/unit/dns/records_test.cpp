// dns/records: scoping by client network, rotation, PTR, NXDOMAIN vs NODATA vs forward, search
// suffixes, case and trailing dots, a container's own upstream servers, and the file's error
// messages.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "dns/records.hpp"

namespace berth::dns {
namespace {

constexpr const char* kRecords = R"({
  "ttl": 7, "search": ["appdb.internal"],
  "networks": [{"id": "front", "gateway": "10.89.0.1"}, {"id": "back", "gateway": "10.89.1.1"},
               {"id": "solo", "gateway": "10.89.2.1"}],
  "containers": [
    {"id": "w1", "name": "appdb-web-1", "service": "web", "endpoints": [
      {"network": "front", "address": "10.89.0.2", "address6": "fd00::2", "names": ["web", "appdb-web-1", "Alias"]},
      {"network": "back", "address": "10.89.1.2", "names": ["web", "appdb-web-1"]}]},
    {"id": "w2", "name": "appdb-web-2", "service": "web", "endpoints": [
      {"network": "front", "address": "10.89.0.3", "names": ["web", "appdb-web-2"]}]},
    {"id": "d1", "name": "appdb-db-1", "service": "db", "endpoints": [
      {"network": "back", "address": "10.89.1.3", "names": ["db", "appdb-db-1"]}]},
    {"id": "s1", "name": "appdb-solo-1", "service": "solo", "endpoints": [
      {"network": "solo", "address": "10.89.2.2", "names": ["solo"]}]}
  ]})";

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

std::set<std::string> addresses(const Lookup& l) {
  std::set<std::string> out;
  for (const auto& rr : l.records) {
    IpAddress a;
    std::copy(rr.rdata.begin(), rr.rdata.end(), a.bytes.begin());
    a.v6 = rr.rdata.size() == 16;
    out.insert(a.to_string());
  }
  return out;
}

class DnsRecords : public ::testing::Test {
 protected:
  std::shared_ptr<const Records> r = Records::parse(kRecords);
};

TEST_F(DnsRecords, GatewaysAreTheListenAddresses) {
  ASSERT_EQ(r->gateways().size(), 3u);
  EXPECT_EQ(r->gateways()[0].to_string(), "10.89.0.1");
  EXPECT_EQ(r->ttl(), 7u);
}

TEST_F(DnsRecords, ClientSeesOnlyAddressesOnSharedNetworks) {
  // web-2 (front only) sees both web containers' front addresses, not web-1's back address.
  auto l = r->lookup(ip("10.89.0.3"), "web", kTypeA);
  EXPECT_EQ(l.kind, Lookup::Kind::Answer);
  EXPECT_EQ(addresses(l), (std::set<std::string>{"10.89.0.2", "10.89.0.3"}));
  EXPECT_EQ(l.records[0].ttl, 7u);
  // db (back only) sees web-1 at its back address only.
  EXPECT_EQ(addresses(r->lookup(ip("10.89.1.3"), "web", kTypeA)), (std::set<std::string>{"10.89.1.2"}));
  // web-1 is on both networks: from either of its addresses it sees web on both.
  EXPECT_EQ(addresses(r->lookup(ip("10.89.0.2"), "web", kTypeA)),
            (std::set<std::string>{"10.89.0.2", "10.89.0.3", "10.89.1.2"}));
  EXPECT_EQ(addresses(r->lookup(ip("10.89.1.2"), "db", kTypeA)), (std::set<std::string>{"10.89.1.3"}));
  EXPECT_EQ(addresses(r->lookup(ip("10.89.0.2"), "db", kTypeA)), (std::set<std::string>{"10.89.1.3"}));
  // db is not visible from the front network: same as a name nobody defined (forwarded).
  EXPECT_EQ(r->lookup(ip("10.89.0.3"), "db", kTypeA).kind, Lookup::Kind::Forward);
  EXPECT_EQ(r->lookup(ip("10.89.2.2"), "web", kTypeA).kind, Lookup::Kind::Forward);
  // An unknown client (the host) sees nothing.
  EXPECT_EQ(r->lookup(ip("192.0.2.1"), "web", kTypeA).kind, Lookup::Kind::Forward);
}

TEST_F(DnsRecords, ClientsAreEveryAddressOfEveryContainerAndNothingElse) {
  for (const char* a : {"10.89.0.2", "fd00::2", "10.89.1.2", "10.89.0.3", "10.89.1.3", "10.89.2.2"})
    EXPECT_TRUE(r->is_client(ip(a))) << a;
  // Gateways (the host), unknown addresses, and a v4 address's bytes read as v6 are not.
  for (const char* a : {"10.89.0.1", "10.89.1.1", "192.0.2.1", "10.89.0.4", "::a59:2", "127.0.0.1"})
    EXPECT_FALSE(r->is_client(ip(a))) << a;
  EXPECT_FALSE(Records::parse(R"({"networks": [], "containers": []})")->is_client(ip("10.89.0.2")));
}

TEST_F(DnsRecords, NamesAreCaseInsensitiveWithOrWithoutDotAndSearchSuffix) {
  for (const char* name :
       {"WEB", "web.", "Web.AppDB.Internal", "web.appdb.internal.", "alias", "ALIAS.appdb.internal"}) {
    auto l = r->lookup(ip("10.89.0.2"), name, kTypeA);
    EXPECT_EQ(l.kind, Lookup::Kind::Answer) << name;
    ASSERT_FALSE(l.records.empty()) << name;
    std::string expected = name;
    if (expected.back() == '.') expected.pop_back();
    EXPECT_EQ(l.records[0].name, expected) << "the answer carries the name as asked";
  }
}

TEST_F(DnsRecords, NxdomainUnderOurDomainForwardOtherwise) {
  EXPECT_EQ(r->lookup(ip("10.89.0.2"), "nope.appdb.internal", kTypeA).kind, Lookup::Kind::NxDomain);
  EXPECT_EQ(r->lookup(ip("192.0.2.1"), "web.appdb.internal", kTypeA).kind, Lookup::Kind::NxDomain);
  EXPECT_EQ(r->lookup(ip("10.89.0.3"), "db.appdb.internal", kTypeA).kind, Lookup::Kind::NxDomain)
      << "not visible from the front network";
  EXPECT_EQ(r->lookup(ip("10.89.0.2"), "example.com", kTypeA).kind, Lookup::Kind::Forward);
  EXPECT_EQ(r->lookup(ip("10.89.0.2"), "appdb.internal", kTypeA).kind, Lookup::Kind::NoData);
  EXPECT_EQ(r->lookup(ip("10.89.0.2"), "xappdb.internal", kTypeA).kind, Lookup::Kind::Forward);
}

TEST_F(DnsRecords, NodataForOtherTypes) {
  auto aaaa = r->lookup(ip("10.89.0.3"), "appdb-web-2", kTypeAaaa);
  EXPECT_EQ(aaaa.kind, Lookup::Kind::NoData);
  EXPECT_TRUE(aaaa.records.empty());
  EXPECT_EQ(r->lookup(ip("10.89.0.3"), "web", 15 /* MX */).kind, Lookup::Kind::NoData);
  auto v6 = r->lookup(ip("10.89.0.3"), "web", kTypeAaaa);
  EXPECT_EQ(v6.kind, Lookup::Kind::Answer);
  EXPECT_EQ(addresses(v6), (std::set<std::string>{"fd00::2"}));
  EXPECT_EQ(addresses(r->lookup(ip("10.89.0.3"), "appdb-web-1", kTypeAny)),
            (std::set<std::string>{"10.89.0.2", "fd00::2"}));
  // The IPv6 address identifies the same client.
  EXPECT_EQ(r->lookup(ip("fd00::2"), "appdb-web-2", kTypeA).kind, Lookup::Kind::Answer);
}

TEST_F(DnsRecords, SeveralContainersRotatePerQuery) {
  std::set<std::string> firsts;
  for (int i = 0; i < 4; ++i) {
    auto l = r->lookup(ip("10.89.0.3"), "web", kTypeA);
    ASSERT_EQ(l.records.size(), 2u);
    IpAddress a;
    std::copy(l.records[0].rdata.begin(), l.records[0].rdata.end(), a.bytes.begin());
    firsts.insert(a.to_string());
  }
  EXPECT_EQ(firsts, (std::set<std::string>{"10.89.0.2", "10.89.0.3"}));
}

TEST_F(DnsRecords, PtrIsScopedLikeForwardNames) {
  auto l = r->lookup(ip("10.89.0.3"), "2.0.89.10.in-addr.arpa", kTypePtr);
  ASSERT_EQ(l.kind, Lookup::Kind::Answer);
  ASSERT_EQ(l.records.size(), 1u);
  EXPECT_EQ(l.records[0].target, "appdb-web-1.appdb.internal");
  EXPECT_EQ(r->lookup(ip("10.89.0.3"), "3.1.89.10.in-addr.arpa", kTypePtr).kind, Lookup::Kind::Forward)
      << "db's address is on a network web-2 does not share";
  EXPECT_EQ(r->lookup(ip("10.89.0.3"), "2.0.89.10.IN-ADDR.ARPA.", kTypeA).kind, Lookup::Kind::NoData);
  EXPECT_EQ(r->lookup(ip("10.89.0.3"), reverse_name(ip("fd00::2")), kTypePtr).kind, Lookup::Kind::Answer);
  EXPECT_EQ(r->lookup(ip("10.89.0.3"), "9.0.89.10.in-addr.arpa", kTypePtr).kind, Lookup::Kind::Forward);
}

TEST(DnsReverseName, ParsesAndFormats) {
  EXPECT_EQ(reverse_name(ip("10.89.0.2")), "2.0.89.10.in-addr.arpa");
  EXPECT_EQ(parse_reverse_name("2.0.89.10.in-addr.arpa"), ip("10.89.0.2"));
  EXPECT_EQ(parse_reverse_name(reverse_name(ip("fd00::1:2"))), ip("fd00::1:2"));
  EXPECT_FALSE(parse_reverse_name("0.89.10.in-addr.arpa"));
  EXPECT_FALSE(parse_reverse_name("256.0.89.10.in-addr.arpa"));
  EXPECT_FALSE(parse_reverse_name("02.0.89.10.in-addr.arpa"));
  EXPECT_FALSE(parse_reverse_name("x.0.89.10.in-addr.arpa"));
}

TEST(DnsRecordsFile, ErrorsNameTheKey) {
  auto message = [](const char* json) {
    try {
      Records::parse(json);
    } catch (const RecordsError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(message("{"), "not valid JSON");
  EXPECT_EQ(message(R"({"containers": []})"), ": missing `networks`");
  EXPECT_EQ(message(R"({"networks": [{"id": "n", "gateway": "10.0.0.300"}], "containers": []})"),
            "networks[0].gateway: `10.0.0.300` is not an IP address");
  EXPECT_EQ(message(R"({"networks": [], "containers": [{"name": "c", "endpoints": [{"network": "x"}]}]})"),
            "containers[0].endpoints[0].network: unknown network `x`");
  EXPECT_EQ(message(R"({"networks": [{"id": "n"}], "containers": [{"name": "c", "endpoints": [
              {"network": "n", "address": "10.0.0.2", "names": ["a..b"]}]}]})"),
            "containers[0].endpoints[0].names[0]: `a..b` is not a DNS name");
  EXPECT_EQ(message(R"({"networks": [], "containers": [], "ttl": -1})"), ".ttl: wrong type");
  EXPECT_THROW(Records::load("/nonexistent/dns.json"), RecordsError);
}

constexpr const char* kWithUpstreams = R"({
  "networks": [{"id": "front", "gateway": "10.89.0.1"}, {"id": "back", "gateway": "10.89.1.1"}],
  "containers": [
    {"id": "a", "name": "p-a-1", "upstreams": ["192.0.2.53", "[2001:db8::53]:5353", "192.0.2.53:53", "::1"],
     "endpoints": [{"network": "front", "address": "10.89.0.2", "address6": "fd00::2"},
                   {"network": "back", "address": "10.89.1.2"}]},
    {"id": "b", "name": "p-b-1", "upstreams": ["192.0.2.53", "[2001:db8::53]:5353", "::1"],
     "endpoints": [{"network": "front", "address": "10.89.0.3"}]},
    {"id": "c", "name": "p-c-1", "upstreams": ["127.0.0.9:5353"],
     "endpoints": [{"network": "back", "address": "10.89.1.3"}]},
    {"id": "d", "name": "p-d-1", "upstreams": [], "endpoints": [{"network": "front", "address": "10.89.0.4"}]},
    {"id": "e", "name": "p-e-1", "endpoints": [{"network": "front", "address": "10.89.0.5"}]}
  ]})";

TEST(DnsRecordsUpstreams, EveryAddressOfAContainerUsesItsServersNormalisedAndDeduplicated) {
  auto r = Records::parse(kWithUpstreams);
  const Records::UpstreamSet a = {"192.0.2.53:53", "[2001:db8::53]:5353", "[::1]:53"};
  for (const char* addr : {"10.89.0.2", "fd00::2", "10.89.1.2"}) {
    const Records::UpstreamSet* got = r->upstreams_for(ip(addr));
    ASSERT_NE(got, nullptr) << addr;
    EXPECT_EQ(*got, a) << addr;
  }
  // b lists the same servers (one duplicate fewer): one set, shared.
  ASSERT_NE(r->upstreams_for(ip("10.89.0.3")), nullptr);
  EXPECT_EQ(r->upstreams_for(ip("10.89.0.3")), r->upstreams_for(ip("10.89.0.2")));
  EXPECT_EQ(*r->upstreams_for(ip("10.89.1.3")), (Records::UpstreamSet{"127.0.0.9:5353"}));
  // An empty list, no list, and a client that is no container: the default servers.
  EXPECT_EQ(r->upstreams_for(ip("10.89.0.4")), nullptr);
  EXPECT_EQ(r->upstreams_for(ip("10.89.0.5")), nullptr);
  EXPECT_EQ(r->upstreams_for(ip("10.89.0.1")), nullptr);
  EXPECT_EQ(r->upstream_sets(), (std::vector<Records::UpstreamSet>{a, {"127.0.0.9:5353"}}));
}

TEST(DnsRecordsUpstreams, TableNamesStillComeFirst) {
  auto r = Records::parse(kWithUpstreams);
  // `a` has its own servers but its peers' names are still answered from the table.
  EXPECT_EQ(addresses(r->lookup(ip("10.89.0.2"), "p-b-1", kTypeA)), (std::set<std::string>{"10.89.0.3"}));
  EXPECT_EQ(r->lookup(ip("10.89.0.2"), "example.com", kTypeA).kind, Lookup::Kind::Forward);
}

TEST(DnsRecordsUpstreams, BadEntriesAreErrorsThatNameTheEntry) {
  auto message = [](const std::string& upstreams) {
    try {
      Records::parse(R"({"networks": [{"id": "n"}], "containers": [{"name": "c", "upstreams": )" + upstreams +
                     R"(, "endpoints": [{"network": "n", "address": "10.0.0.2"}]}]})");
    } catch (const RecordsError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(message(R"(["192.0.2.1", "dns.example"])"),
            "containers[0].upstreams[1]: `dns.example` is not IP, IPv4:PORT or [IPv6]:PORT");
  EXPECT_EQ(message(R"(["192.0.2.1:0"])"),
            "containers[0].upstreams[0]: `192.0.2.1:0` is not IP, IPv4:PORT or [IPv6]:PORT");
  EXPECT_EQ(message(R"(["[::1]x"])"), "containers[0].upstreams[0]: `[::1]x` is not IP, IPv4:PORT or [IPv6]:PORT");
  EXPECT_EQ(message(R"(["[::1"])"), "containers[0].upstreams[0]: `[::1` is not IP, IPv4:PORT or [IPv6]:PORT");
  EXPECT_EQ(message(R"([""])"), "containers[0].upstreams[0]: `` is not IP, IPv4:PORT or [IPv6]:PORT");
  EXPECT_EQ(message(R"([53])"), "containers[0].upstreams[0]: not a string");
  EXPECT_EQ(message(R"("192.0.2.1")"), "containers[0].upstreams: wrong type");
  EXPECT_EQ(message(R"(["[2001:db8::1]:53", "10.0.0.1:5353"])"), "(no error)");
}

}  // namespace
}  // namespace berth::dns

namespace berth::dns {
namespace {

// web links db as `database` (docker compose's getLinks also gives `db-1` and `appdb-db-1`);
// only web sees the alias, and only on networks it shares with db.
constexpr const char* kWithLinks = R"({
  "search": ["appdb.internal"],
  "networks": [{"id": "back", "gateway": "10.89.1.1"}, {"id": "front", "gateway": "10.89.0.1"}],
  "containers": [
    {"id": "w1", "name": "appdb-web-1", "links": [{"name": "database", "container": "appdb-db-1"},
                                                  {"name": "db", "container": "appdb-db-1"},
                                                  {"name": "cache", "container": "appdb-cache-1"}],
     "endpoints": [{"network": "back", "address": "10.89.1.2", "names": ["web"]}]},
    {"id": "d1", "name": "appdb-db-1", "endpoints": [{"network": "back", "address": "10.89.1.3", "names": ["db"]}]},
    {"id": "d2", "name": "appdb-db-2", "endpoints": [{"network": "back", "address": "10.89.1.5", "names": ["db"]}]},
    {"id": "c1", "name": "appdb-cache-1", "endpoints": [{"network": "front", "address": "10.89.0.4"}]},
    {"id": "o1", "name": "appdb-other-1", "endpoints": [{"network": "back", "address": "10.89.1.4"}]}
  ]})";

TEST(DnsRecordsLinks, AnAliasResolvesOnlyForTheLinkingContainerAndWinsOverServiceNames) {
  auto r = Records::parse(kWithLinks);
  auto l = r->lookup(ip("10.89.1.2"), "database", kTypeA);
  EXPECT_EQ(l.kind, Lookup::Kind::Answer);
  EXPECT_EQ(addresses(l), (std::set<std::string>{"10.89.1.3"}));
  EXPECT_EQ(addresses(r->lookup(ip("10.89.1.2"), "Database.appdb.internal.", kTypeA)),
            (std::set<std::string>{"10.89.1.3"}));
  // The link to db-1 only, not every db container (docker's container-local alias comes first).
  EXPECT_EQ(addresses(r->lookup(ip("10.89.1.2"), "db", kTypeA)), (std::set<std::string>{"10.89.1.3"}));
  EXPECT_EQ(addresses(r->lookup(ip("10.89.1.4"), "db", kTypeA)), (std::set<std::string>{"10.89.1.3", "10.89.1.5"}));
  EXPECT_EQ(r->lookup(ip("10.89.1.4"), "database", kTypeA).kind, Lookup::Kind::Forward);
  EXPECT_EQ(r->lookup(ip("10.89.1.4"), "database.appdb.internal", kTypeA).kind, Lookup::Kind::NxDomain);
  // A linked container on no shared network stays invisible.
  EXPECT_EQ(r->lookup(ip("10.89.1.2"), "cache", kTypeA).kind, Lookup::Kind::Forward);
}

TEST(DnsRecordsLinks, BadEntriesNameTheKey) {
  auto message = [](const std::string& links) {
    try {
      Records::parse(R"({"networks": [{"id": "n"}], "containers": [{"name": "c", "links": )" + links +
                     R"(, "endpoints": [{"network": "n", "address": "10.0.0.2"}]}]})");
    } catch (const RecordsError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(R"([{"name": "a"}])"), "containers[0].links[0]: missing `container`");
  EXPECT_EQ(message(R"([{"name": "a..b", "container": "x"}])"),
            "containers[0].links[0].name: `a..b` is not a DNS name");
  EXPECT_EQ(message(R"(["a"])"), "containers[0].links[0]: not an object");
}

}  // namespace
}  // namespace berth::dns
