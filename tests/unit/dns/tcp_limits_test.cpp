// dns/tcp_limits: which TCP connections berth-dns keeps — non-clients never, a client up to its
// cap (making room from its own idle connections), everyone up to the total (making room from the
// biggest holder's idle connections); a newcomer is refused only when nothing idle can give way.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/tcp_limits.hpp"

namespace berth::dns {
namespace {

using Clock = std::chrono::steady_clock;
using Kind = TcpAdmission::Kind;

IpAddress ip(const std::string& s) { return *IpAddress::parse(s); }

/// `n` connections of `client`, active at t0+start, t0+start+1s, ...
void add(std::vector<TcpPeer>& live, const std::string& client, size_t n, bool idle, int start = 0) {
  static const Clock::time_point t0 = Clock::now();
  for (size_t i = 0; i < n; ++i)
    live.push_back({ip(client), idle, t0 + std::chrono::seconds(start + static_cast<int>(i))});
}

TEST(DnsTcpLimits, TheDefaultsAreTheDocumentedOnes) {
  TcpCaps caps;
  EXPECT_EQ(caps.per_client, 16u);
  EXPECT_EQ(caps.total, 256u);
  EXPECT_EQ(kTcpIdleTimeout, std::chrono::seconds(3));
  EXPECT_EQ(caps.total % caps.per_client, 0u) << "the total is a whole number of clients at their cap";
}

TEST(DnsTcpLimits, NonClientsAreClosedWhateverIsOpen) {
  std::vector<TcpPeer> live;
  EXPECT_EQ(admit_tcp(ip("10.89.0.9"), false, live).kind, Kind::NotClient);
  add(live, "10.89.0.2", 3, true);
  TcpAdmission a = admit_tcp(ip("10.89.0.9"), false, live);
  EXPECT_EQ(a.kind, Kind::NotClient);
  EXPECT_FALSE(a.evict) << "a refused stranger never costs a client its connection";
}

TEST(DnsTcpLimits, ClientsBelowTheirCapAreAccepted) {
  std::vector<TcpPeer> live;
  add(live, "10.89.0.2", kTcpPerClient - 1, false);
  add(live, "10.89.0.3", kTcpPerClient, true);
  TcpAdmission a = admit_tcp(ip("10.89.0.2"), true, live);
  EXPECT_EQ(a.kind, Kind::Accept);
  EXPECT_FALSE(a.evict);
}

TEST(DnsTcpLimits, AtItsCapAClientGivesUpItsOwnLeastRecentlyActiveIdleConnection) {
  std::vector<TcpPeer> live;
  add(live, "10.89.0.3", 4, true, -100);  // another client's, older still: never touched
  add(live, "10.89.0.2", 5, false, 0);    // busy
  add(live, "10.89.0.2", 11, true, 10);   // idle, the first (index 9) the least recently active
  ASSERT_EQ(live.size(), 4 + kTcpPerClient);
  TcpAdmission a = admit_tcp(ip("10.89.0.2"), true, live);
  EXPECT_EQ(a.kind, Kind::Accept);
  ASSERT_TRUE(a.evict);
  EXPECT_EQ(*a.evict, 9u);
  // Its connections all busy: the new one is refused, nobody else's is closed.
  for (auto& p : live)
    if (p.client == ip("10.89.0.2")) p.idle = false;
  a = admit_tcp(ip("10.89.0.2"), true, live);
  EXPECT_EQ(a.kind, Kind::Busy);
  EXPECT_FALSE(a.evict);
}

TEST(DnsTcpLimits, OneHogNeverBlocksAnotherClient) {
  // The hog at its cap, all busy (it keeps queries in flight): another client still gets in.
  std::vector<TcpPeer> live;
  add(live, "10.89.0.66", kTcpPerClient, false);
  TcpAdmission a = admit_tcp(ip("10.89.0.2"), true, live);
  EXPECT_EQ(a.kind, Kind::Accept);
  EXPECT_FALSE(a.evict);
  EXPECT_EQ(admit_tcp(ip("10.89.0.66"), true, live).kind, Kind::Busy);
}

TEST(DnsTcpLimits, WhenFullTheBiggestHolderGivesWay) {
  TcpCaps caps{4, 10};
  std::vector<TcpPeer> live;
  add(live, "10.89.0.2", 2, true, 0);   // the least recently active of all, but holds only 2
  add(live, "10.89.0.3", 4, true, 10);  // holds the most: its index 2 goes
  add(live, "10.89.0.4", 4, false, 5);  // holds as many, all busy
  ASSERT_EQ(live.size(), caps.total);
  TcpAdmission a = admit_tcp(ip("10.89.0.5"), true, live, caps);
  EXPECT_EQ(a.kind, Kind::Accept);
  ASSERT_TRUE(a.evict);
  EXPECT_EQ(*a.evict, 2u);
  // A client below its cap may also push out someone else's idle connection when full.
  a = admit_tcp(ip("10.89.0.2"), true, live, caps);
  ASSERT_TRUE(a.evict);
  EXPECT_EQ(live[*a.evict].client, ip("10.89.0.3"));
  // Only busy connections left: refused.
  for (auto& p : live) p.idle = false;
  a = admit_tcp(ip("10.89.0.5"), true, live, caps);
  EXPECT_EQ(a.kind, Kind::Busy);
  EXPECT_FALSE(a.evict);
}

TEST(DnsTcpLimits, FullOfIdleConnectionsANewcomerAlwaysGetsIn) {
  // 16 clients at their cap, all idle: the 17th client (and each of the 16) is accepted.
  std::vector<TcpPeer> live;
  for (int c = 0; c < 16; ++c) add(live, "10.89.0." + std::to_string(10 + c), kTcpPerClient, true, c * 20);
  ASSERT_EQ(live.size(), kTcpTotal);
  TcpAdmission a = admit_tcp(ip("10.89.0.2"), true, live);
  EXPECT_EQ(a.kind, Kind::Accept);
  ASSERT_TRUE(a.evict);
  EXPECT_EQ(*a.evict, 0u) << "all hold as many: the least recently active goes";
  a = admit_tcp(ip("10.89.0.25"), true, live);
  EXPECT_EQ(a.kind, Kind::Accept);
  ASSERT_TRUE(a.evict);
  EXPECT_EQ(live[*a.evict].client, ip("10.89.0.25")) << "at its own cap: its own connection";
}

TEST(DnsTcpLimits, AddressFamiliesAreDistinctClients) {
  std::vector<TcpPeer> live;
  add(live, "fd00::2", kTcpPerClient, false);
  EXPECT_EQ(admit_tcp(ip("fd00::2"), true, live).kind, Kind::Busy);
  EXPECT_EQ(admit_tcp(ip("10.89.0.2"), true, live).kind, Kind::Accept);
}

}  // namespace
}  // namespace berth::dns
