// dns/forwarder_pool: one c-ares channel per distinct upstream set of the records, the default
// channel for everyone else, channels made and dropped as reloads change the sets. Making a
// channel sends nothing, so this needs no network; forwarding itself is tested against stub
// servers in tests/integration/dns_test.cpp.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "dns/forwarder_pool.hpp"

namespace berth::dns {
namespace {

using Set = Records::UpstreamSet;

std::shared_ptr<const Records> records(const std::string& a_upstreams, const std::string& b_upstreams) {
  return Records::parse(R"({"networks": [{"id": "n", "gateway": "10.89.0.1"}], "containers": [
    {"name": "a", "upstreams": )" +
                        a_upstreams + R"(, "endpoints": [{"network": "n", "address": "10.89.0.2"}]},
    {"name": "b", "upstreams": )" +
                        b_upstreams + R"(, "endpoints": [{"network": "n", "address": "10.89.0.3"}]},
    {"name": "c", "endpoints": [{"network": "n", "address": "10.89.0.4"}]}]})");
}

IpAddress pool_ip(const char* s) { return *IpAddress::parse(s); }

class DnsForwarderPool : public ::testing::Test {
 protected:
  boost::asio::io_context io;
  ForwarderPool pool{io, ForwarderOptions{{"192.0.2.1"}, 500, 1, 16}};
};

TEST_F(DnsForwarderPool, OneChannelPerDistinctSetDefaultForTheRest) {
  auto r = records(R"(["127.0.0.7"])", R"(["127.0.0.7:53"])");
  EXPECT_TRUE(pool.sync(*r));
  EXPECT_EQ(pool.channels(), (std::vector<Set>{{"127.0.0.7:53"}}));
  Forwarder* a = pool.for_client(*r, pool_ip("10.89.0.2"));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, pool.for_client(*r, pool_ip("10.89.0.3"))) << "same servers, same channel";
  EXPECT_EQ(a->servers(), (std::vector<std::string>{"127.0.0.7:53"}));
  EXPECT_EQ(pool.for_client(*r, pool_ip("10.89.0.4")), &pool.default_forwarder());
  EXPECT_EQ(pool.for_client(*r, pool_ip("192.0.2.99")), &pool.default_forwarder()) << "not a container";
  EXPECT_EQ(pool.default_forwarder().servers(), (std::vector<std::string>{"192.0.2.1:53"}));
}

TEST_F(DnsForwarderPool, ReloadKeepsUnchangedChannelsAndDropsUnusedOnes) {
  auto first = records(R"(["127.0.0.7"])", R"(["[::1]:5353", "127.0.0.8"])");
  ASSERT_TRUE(pool.sync(*first));
  EXPECT_EQ(pool.channels().size(), 2u);
  Forwarder* kept = pool.for_client(*first, pool_ip("10.89.0.2"));

  // b now uses the default servers; a keeps its set (and its channel, not a new one).
  auto second = records(R"(["127.0.0.7"])", "[]");
  ASSERT_TRUE(pool.sync(*second));
  EXPECT_EQ(pool.channels(), (std::vector<Set>{{"127.0.0.7:53"}}));
  EXPECT_EQ(pool.for_client(*second, pool_ip("10.89.0.2")), kept);
  EXPECT_EQ(pool.for_client(*second, pool_ip("10.89.0.3")), &pool.default_forwarder());
  // Under the old table, b's set has no channel any more: no fallback to the default servers.
  EXPECT_EQ(pool.for_client(*first, pool_ip("10.89.0.3")), nullptr);

  auto none = records("[]", "[]");
  ASSERT_TRUE(pool.sync(*none));
  EXPECT_TRUE(pool.channels().empty());
}

TEST_F(DnsForwarderPool, QueriesOnADroppedChannelFailOnce) {
  auto r = records(R"(["127.0.0.1:9"])", "[]");
  ASSERT_TRUE(pool.sync(*r));
  Forwarder* f = pool.for_client(*r, pool_ip("10.89.0.2"));
  ASSERT_NE(f, nullptr);
  // c-ares sends at once (to loopback's discard port); the io loop never runs, so no answer
  // or error is processed before the channel is dropped.
  const std::vector<uint8_t> query = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'x', 0, 0, 1, 0, 1};
  int calls = 0;
  size_t size = 99;
  f->forward(query, [&](std::span<const uint8_t> response) {
    ++calls;
    size = response.size();
  });
  EXPECT_EQ(f->in_flight(), 1u);
  ASSERT_TRUE(pool.sync(*records("[]", "[]")));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(size, 0u) << "failed: the server turns it into SERVFAIL";
}

}  // namespace
}  // namespace berth::dns
