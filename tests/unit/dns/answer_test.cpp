// dns/answer: the server's query → response step — rcodes, EDNS rules, truncation, forwarding,
// malformed packets (FORMERR or drop, never a crash) — plus upstream list parsing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/answer.hpp"
#include "dns/forwarder.hpp"

namespace berth::dns {
namespace {

using Bytes = std::vector<uint8_t>;

std::shared_ptr<const Records> table() {
  std::string json = R"({"search": ["p.internal"], "networks": [{"id": "n", "gateway": "10.0.0.1"}], "containers": [
    {"name": "p-web-1", "endpoints": [{"network": "n", "address": "10.0.0.2", "names": ["web"]}]},
    {"name": "p-client-1", "endpoints": [{"network": "n", "address": "10.0.0.9", "names": ["client"]}]})";
  // 100 containers named "many": an answer of 100 A records (> 1232 bytes).
  for (int i = 0; i < 100; ++i)
    json += R"(,{"name": "p-many-)" + std::to_string(i) + R"(", "endpoints": [{"network": "n", "address": "10.0.1.)" +
            std::to_string(i + 1) + R"(", "names": ["many"]}]})";
  return Records::parse(json + "]}");
}

const IpAddress kClient = *IpAddress::parse("10.0.0.9");

Bytes query(const std::string& name, uint16_t type, std::optional<Edns> edns = std::nullopt, uint16_t id = 42) {
  Message m;
  m.header.id = id;
  m.header.flags = flag::kRd;
  m.questions.push_back({name, type, kClassIn});
  m.edns = edns;
  return *encode_message(m);
}

Message reply_of(const Decision& d) {
  EXPECT_EQ(d.kind, Decision::Kind::Reply);
  auto m = decode_message(d.reply);
  EXPECT_TRUE(m);
  return m.value_or(Message{});
}

class DnsAnswer : public ::testing::Test {
 protected:
  std::shared_ptr<const Records> r = table();
};

TEST_F(DnsAnswer, AnswersFromTheTable) {
  Message m = reply_of(answer_query(*r, kClient, query("web", kTypeA), Transport::Udp));
  EXPECT_EQ(m.header.id, 42);
  EXPECT_TRUE(m.header.flags & flag::kQr);
  EXPECT_TRUE(m.header.flags & flag::kAa);
  EXPECT_TRUE(m.header.flags & flag::kRd);
  EXPECT_EQ(m.header.rcode(), 0);
  ASSERT_EQ(m.answers.size(), 1u);
  EXPECT_EQ(m.answers[0].rdata, (Bytes{10, 0, 0, 2}));
  EXPECT_FALSE(m.edns) << "no OPT in the answer to a query without one";
}

TEST_F(DnsAnswer, NxdomainAndNodata) {
  Message nx = reply_of(answer_query(*r, kClient, query("nope.p.internal", kTypeA), Transport::Udp));
  EXPECT_EQ(nx.header.rcode(), 3);
  Message nodata = reply_of(answer_query(*r, kClient, query("web", kTypeAaaa), Transport::Udp));
  EXPECT_EQ(nodata.header.rcode(), 0);
  EXPECT_TRUE(nodata.answers.empty());
  ASSERT_EQ(nodata.questions.size(), 1u);
  EXPECT_EQ(nodata.questions[0].name, "web");
}

TEST_F(DnsAnswer, UnknownNamesAreForwarded) {
  Decision d = answer_query(*r, kClient, query("example.com", kTypeA, Edns{1232}), Transport::Udp);
  ASSERT_EQ(d.kind, Decision::Kind::Forward);
  EXPECT_EQ(d.id, 42);
  EXPECT_EQ(d.max_size, 1232u);
  Message fail = *decode_message(servfail(d));
  EXPECT_EQ(fail.header.rcode(), 2);
  EXPECT_EQ(fail.header.id, 42);
  EXPECT_TRUE(fail.edns);
}

TEST_F(DnsAnswer, EdnsPayloadIsEchoedClampedAndBadversRefused) {
  Message small = reply_of(answer_query(*r, kClient, query("web", kTypeA, Edns{512}), Transport::Udp));
  ASSERT_TRUE(small.edns);
  EXPECT_EQ(small.edns->udp_size, kMinEdnsSize);
  Message big = reply_of(answer_query(*r, kClient, query("web", kTypeA, Edns{65000}), Transport::Udp));
  EXPECT_EQ(big.edns->udp_size, kMaxEdnsSize);
  Message mid = reply_of(answer_query(*r, kClient, query("web", kTypeA, Edns{1400, 0, 0, true}), Transport::Udp));
  EXPECT_EQ(mid.edns->udp_size, 1400);
  EXPECT_TRUE(mid.edns->dnssec_ok);

  Message badvers = reply_of(answer_query(*r, kClient, query("web", kTypeA, Edns{1232, 0, 1}), Transport::Udp));
  ASSERT_TRUE(badvers.edns);
  EXPECT_EQ((badvers.edns->extended_rcode << 4) | badvers.header.rcode(), 16);
  EXPECT_EQ(badvers.edns->version, 0);
  EXPECT_TRUE(badvers.answers.empty());
}

TEST_F(DnsAnswer, TruncatesToTheClientsUdpLimit) {
  Message plain = reply_of(answer_query(*r, kClient, query("many", kTypeA), Transport::Udp));
  EXPECT_TRUE(plain.header.flags & flag::kTc) << "100 A records do not fit 512 bytes";
  EXPECT_TRUE(plain.answers.empty());
  EXPECT_EQ(plain.questions.size(), 1u);

  Decision edns = answer_query(*r, kClient, query("many", kTypeA, Edns{1232}), Transport::Udp);
  EXPECT_LE(edns.reply.size(), 1232u);
  EXPECT_TRUE(reply_of(edns).header.flags & flag::kTc);

  Decision big = answer_query(*r, kClient, query("many", kTypeA, Edns{4096}), Transport::Udp);
  Message all = reply_of(big);
  EXPECT_FALSE(all.header.flags & flag::kTc);
  EXPECT_EQ(all.answers.size(), 100u);
  EXPECT_LE(big.reply.size(), 4096u);

  Message tcp = reply_of(answer_query(*r, kClient, query("many", kTypeA), Transport::Tcp));
  EXPECT_FALSE(tcp.header.flags & flag::kTc);
  EXPECT_EQ(tcp.answers.size(), 100u);
}

TEST_F(DnsAnswer, MalformedQueriesGetFormerrOrAreDropped) {
  EXPECT_EQ(answer_query(*r, kClient, Bytes{1, 2, 3}, Transport::Udp).kind, Decision::Kind::Drop);
  Bytes response = query("web", kTypeA);
  response[2] |= 0x80;  // QR: never answer an answer
  EXPECT_EQ(answer_query(*r, kClient, response, Transport::Udp).kind, Decision::Kind::Drop);

  Bytes truncated = query("web", kTypeA);
  truncated.resize(truncated.size() - 3);
  Message formerr = reply_of(answer_query(*r, kClient, truncated, Transport::Udp));
  EXPECT_EQ(formerr.header.rcode(), 1);
  EXPECT_EQ(formerr.header.id, 42);

  Message none;
  none.header.id = 7;
  Message zero = reply_of(answer_query(*r, kClient, *encode_message(none), Transport::Udp));
  EXPECT_EQ(zero.header.rcode(), 1) << "no question";

  Bytes notify = query("web", kTypeA);
  notify[2] |= 4 << 3;  // opcode 4 (NOTIFY)
  Message notimp = reply_of(answer_query(*r, kClient, notify, Transport::Udp));
  EXPECT_EQ(notimp.header.rcode(), 4);

  Bytes chaos = query("version.bind", 16);
  chaos[chaos.size() - 1] = 3;  // class CH
  EXPECT_EQ(reply_of(answer_query(*r, kClient, chaos, Transport::Udp)).header.rcode(), 5);
}

TEST_F(DnsAnswer, NonClientsAreRefusedWithTheQuestionAndNothingLookedUp) {
  // What the server sends an address that is not a client: REFUSED, even for a name in the table
  // or one it would forward, with the client's id, RD and OPT echoed.
  for (const char* name : {"web", "example.com", "nope.p.internal"}) {
    Message m = reply_of(refuse_query(query(name, kTypeA, Edns{1232}, 77)));
    EXPECT_EQ(m.header.rcode(), 5) << name;
    EXPECT_EQ(m.header.id, 77);
    EXPECT_TRUE(m.header.flags & flag::kQr);
    EXPECT_TRUE(m.header.flags & flag::kRd);
    EXPECT_FALSE(m.header.flags & flag::kAa);
    EXPECT_TRUE(m.answers.empty());
    ASSERT_EQ(m.questions.size(), 1u);
    EXPECT_EQ(m.questions[0].name, name);
    EXPECT_TRUE(m.edns);
  }
  // A name of the maximum length still fits the classic UDP limit.
  std::string longest;
  for (int i = 0; i < 4; ++i) longest += std::string(i < 3 ? 63 : 61, 'a') + (i < 3 ? "." : "");
  Decision big = refuse_query(query(longest, kTypeA, Edns{4096}));
  EXPECT_LE(big.reply.size(), kClassicUdpSize);
  EXPECT_EQ(reply_of(big).header.rcode(), 5);
  // Responses and runts are dropped, malformed queries get FORMERR, other opcodes NOTIMP.
  EXPECT_EQ(refuse_query(Bytes{1, 2, 3}).kind, Decision::Kind::Drop);
  Bytes response = query("web", kTypeA);
  response[2] |= 0x80;
  EXPECT_EQ(refuse_query(response).kind, Decision::Kind::Drop);
  Bytes truncated = query("web", kTypeA);
  truncated.resize(truncated.size() - 3);
  EXPECT_EQ(reply_of(refuse_query(truncated)).header.rcode(), 1);
  Bytes notify = query("web", kTypeA);
  notify[2] |= 4 << 3;
  EXPECT_EQ(reply_of(refuse_query(notify)).header.rcode(), 4);
}

TEST_F(DnsAnswer, FinishForwardedRewritesIdAndTruncates) {
  Decision d = answer_query(*r, kClient, query("example.com", kTypeA, std::nullopt, 1000), Transport::Udp);
  ASSERT_EQ(d.kind, Decision::Kind::Forward);
  Message up;
  up.header.id = 5555;  // c-ares' own id
  up.header.flags = flag::kQr | flag::kRd | flag::kRa | 3;
  up.questions.push_back({"example.com", kTypeA, kClassIn});
  Message nx = *decode_message(finish_forwarded(d, *encode_message(up)));
  EXPECT_EQ(nx.header.id, 1000);
  EXPECT_EQ(nx.header.rcode(), 3) << "the upstream's NXDOMAIN passes through";

  up.header.flags = flag::kQr | flag::kRd | flag::kRa;
  for (int i = 0; i < 60; ++i) up.answers.push_back(make_a("example.com", 60, {192, 0, 2, uint8_t(i)}));
  Bytes cut = finish_forwarded(d, *encode_message(up));
  EXPECT_LE(cut.size(), 512u);
  Message tc = *decode_message(cut);
  EXPECT_TRUE(tc.header.flags & flag::kTc);
  EXPECT_TRUE(tc.answers.empty());
  EXPECT_EQ(tc.header.id, 1000);

  Decision over_tcp = answer_query(*r, kClient, query("example.com", kTypeA), Transport::Tcp);
  EXPECT_EQ(decode_message(finish_forwarded(over_tcp, *encode_message(up)))->answers.size(), 60u);
  EXPECT_EQ(decode_message(finish_forwarded(d, Bytes{1, 2}))->header.rcode(), 2) << "garbage → SERVFAIL";
}

TEST(DnsUpstream, CsvEntriesAndResolvConf) {
  EXPECT_EQ(upstream_csv_entry("10.0.0.1"), "10.0.0.1:53");
  EXPECT_EQ(upstream_csv_entry("127.0.0.1:5353"), "127.0.0.1:5353");
  EXPECT_EQ(upstream_csv_entry("::1"), "[::1]:53");
  EXPECT_EQ(upstream_csv_entry("[fd00::1]:54"), "[fd00::1]:54");
  EXPECT_EQ(upstream_csv_entry("10.0.0.1:0"), "");
  EXPECT_EQ(upstream_csv_entry("10.0.0.1:99999"), "");
  EXPECT_EQ(upstream_csv_entry("example.com"), "");
  EXPECT_EQ(parse_resolv_conf("# c\nsearch x\nnameserver 10.0.0.1\n  nameserver   ::1 \noptions ndots:2\n"),
            (std::vector<std::string>{"10.0.0.1", "::1"}));
}

}  // namespace
}  // namespace berth::dns
