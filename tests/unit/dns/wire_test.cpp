// dns/wire: codec round trips, compression pointers (read and write), limits, malformed input.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dns/wire.hpp"

namespace berth::dns {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an = 0, uint16_t ns = 0, uint16_t ar = 0) {
  return {uint8_t(id >> 8), uint8_t(id), uint8_t(flags >> 8), uint8_t(flags), 0, uint8_t(qd), 0, uint8_t(an), 0,
          uint8_t(ns),      0,           uint8_t(ar)};
}

void append(Bytes& b, std::initializer_list<uint8_t> more) { b.insert(b.end(), more); }

TEST(DnsWire, RoundTripsAQueryWithEdns) {
  Message m;
  m.header.id = 0xbeef;
  m.header.flags = flag::kRd;
  m.questions.push_back({"Web.AppDB.internal", kTypeAaaa, kClassIn});
  m.edns = Edns{1232, 0, 0, true};
  auto bytes = encode_message(m);
  ASSERT_TRUE(bytes);
  auto back = decode_message(*bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->header.id, 0xbeef);
  EXPECT_EQ(back->header.flags, flag::kRd);
  EXPECT_EQ(back->header.arcount, 1);
  EXPECT_EQ(back->questions, m.questions);
  ASSERT_TRUE(back->edns);
  EXPECT_EQ(back->edns->udp_size, 1232);
  EXPECT_TRUE(back->edns->dnssec_ok);
  EXPECT_TRUE(back->additional.empty());
}

TEST(DnsWire, RoundTripsAnswersOfEveryTypeWeWrite) {
  Message m;
  m.header.flags = flag::kQr | flag::kAa;
  m.questions.push_back({"www.example.com", kTypeA, kClassIn});
  m.answers.push_back({"www.example.com", kTypeCname, kClassIn, 60, {}, "web.example.com"});
  m.answers.push_back(make_a("web.example.com", 5, {10, 89, 0, 2}));
  m.answers.push_back(make_aaaa("web.example.com", 5, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}));
  m.answers.push_back(make_ptr("2.0.89.10.in-addr.arpa", 5, "web.example.com"));
  m.additional.push_back({"x.example.com", 16, kClassIn, 1, {3, 'a', 'b', 'c'}, {}});
  auto bytes = encode_message(m);
  ASSERT_TRUE(bytes);
  auto back = decode_message(*bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->answers, m.answers);
  EXPECT_EQ(back->additional, m.additional);
}

TEST(DnsWire, WriterCompressesRepeatedSuffixes) {
  Message m;
  m.questions.push_back({"web.appdb.internal", kTypeA, kClassIn});
  m.answers.push_back(make_a("web.appdb.internal", 5, {1, 2, 3, 4}));
  m.answers.push_back(make_ptr("db.appdb.internal", 5, "web.appdb.internal"));
  auto bytes = encode_message(m);
  ASSERT_TRUE(bytes);
  // Question name: 20 bytes at offset 12. The answer's name is a pointer to it: 0xc00c.
  size_t first_answer = 12 + 20 + 4;
  EXPECT_EQ((*bytes)[first_answer], 0xc0);
  EXPECT_EQ((*bytes)[first_answer + 1], 0x0c);
  // "db" + pointer to "appdb.internal" (offset 16); the PTR target is a bare pointer to offset 12.
  size_t second = first_answer + 2 + 10 + 4;
  EXPECT_EQ((*bytes)[second], 2);
  EXPECT_EQ((*bytes)[second + 3], 0xc0);
  EXPECT_EQ((*bytes)[second + 4], 16);
  size_t rdata = second + 5 + 10;
  EXPECT_EQ((*bytes)[rdata], 0xc0);
  EXPECT_EQ((*bytes)[rdata + 1], 0x0c);
  EXPECT_EQ(bytes->size(), rdata + 2);
  EXPECT_EQ(decode_message(*bytes)->answers, m.answers);
}

TEST(DnsWire, ReadsCompressionPointersAndStopsLoops) {
  Bytes b = header(1, 0, 2);
  append(b, {3, 'w', 'e', 'b', 0, 0, 1, 0, 1});    // web.  at 12
  append(b, {2, 'x', 'y', 0xc0, 12, 0, 1, 0, 1});  // xy.web via pointer
  auto m = decode_message(b);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->questions[1].name, "xy.web");

  Bytes self = header(1, 0, 1);
  append(self, {0xc0, 12, 0, 1, 0, 1});  // points at itself
  EXPECT_FALSE(decode_message(self));

  Bytes forward = header(1, 0, 1);
  append(forward, {0xc0, 14, 0, 1, 0, 1, 1, 'a', 0});  // points forward
  EXPECT_FALSE(decode_message(forward));

  // A name that jumps back into itself: label at 12, then pointer to 12 from 14.
  Bytes loop = header(1, 0, 1);
  append(loop, {1, 'a', 0xc0, 12, 0, 1, 0, 1});
  EXPECT_FALSE(decode_message(loop));
}

TEST(DnsWire, RejectsOverlongNamesAndLabels) {
  Bytes b = header(1, 0, 1);
  for (int i = 0; i < 5; ++i) {  // 5 × 64 wire bytes > 255
    b.push_back(63);
    b.insert(b.end(), 63, 'a');
  }
  append(b, {0, 0, 1, 0, 1});
  EXPECT_FALSE(decode_message(b));

  EXPECT_FALSE(split_name(std::string(64, 'a')));
  EXPECT_TRUE(split_name(std::string(63, 'a')));
  EXPECT_FALSE(split_name("a..b"));
  EXPECT_FALSE(split_name("a."));
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += std::string(62, 'b') + ".";
  long_name += "cc";  // 4×63 + 3 + 1 = 256 wire bytes
  EXPECT_FALSE(split_name(long_name));
}

TEST(DnsWire, EscapesDotsInsideLabels) {
  Bytes b = header(1, 0, 1);
  append(b, {3, 'a', '.', 'b', 1, '\\', 0, 0, 1, 0, 1});
  auto m = decode_message(b);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->questions[0].name, "a\\.b.\\\\");
  auto again = encode_message(*m);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, b);
}

TEST(DnsWire, MalformedPacketsAreRejectedNotCrashed) {
  EXPECT_FALSE(decode_message(Bytes{}));
  EXPECT_FALSE(decode_message(Bytes(11, 0)));
  Bytes promise = header(1, 0, 1, 1);  // counts promise more than there is
  append(promise, {0, 0, 1, 0, 1});
  EXPECT_FALSE(decode_message(promise));
  Bytes reserved = header(1, 0, 1);  // 0x40 label type
  append(reserved, {0x41, 'a', 0, 0, 1, 0, 1});
  EXPECT_FALSE(decode_message(reserved));
  Bytes bad_a = header(1, 0, 0, 1);  // A record with 3-byte rdata
  append(bad_a, {0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 1, 2, 3});
  EXPECT_FALSE(decode_message(bad_a));
  Bytes rdlen = header(1, 0, 0, 1);  // rdlength beyond the end
  append(rdlen, {0, 0, 16, 0, 1, 0, 0, 0, 5, 0, 9, 1});
  EXPECT_FALSE(decode_message(rdlen));
  Bytes two_opt = header(1, 0, 0, 0, 0, 2);
  for (int i = 0; i < 2; ++i) append(two_opt, {0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0});
  EXPECT_FALSE(decode_message(two_opt));
  Bytes named_opt = header(1, 0, 0, 0, 0, 1);
  append(named_opt, {1, 'a', 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0});
  EXPECT_FALSE(decode_message(named_opt));
  Bytes ptr_tail = header(1, 0, 0, 1);  // PTR whose name runs past its rdlength
  append(ptr_tail, {0, 0, 12, 0, 1, 0, 0, 0, 5, 0, 2, 1, 'a', 0});
  EXPECT_FALSE(decode_message(ptr_tail));
}

TEST(DnsWire, EdnsFieldsDecode) {
  Bytes b = header(9, 0, 0, 0, 0, 1);
  append(b, {0, 0, 41, 0x10, 0x00, 0x01, 0x02, 0x80, 0x00, 0, 4, 0, 10, 0, 0});  // one empty option
  auto m = decode_message(b);
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->edns);
  EXPECT_EQ(m->edns->udp_size, 4096);
  EXPECT_EQ(m->edns->extended_rcode, 1);
  EXPECT_EQ(m->edns->version, 2);
  EXPECT_TRUE(m->edns->dnssec_ok);
}

TEST(DnsWire, EncodeRefusesInvalidNames) {
  Message m;
  m.questions.push_back({std::string(70, 'x'), kTypeA, kClassIn});
  EXPECT_FALSE(encode_message(m));
  Message ptr;
  ptr.answers.push_back(make_ptr("a", 1, "bad..name"));
  EXPECT_FALSE(encode_message(ptr));
}

}  // namespace
}  // namespace berth::dns
