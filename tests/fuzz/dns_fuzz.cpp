// libFuzzer target for berth-dns: the bytes are a DNS message from the network.
// - decode_message never crashes; whatever it accepts re-encodes and decodes to the same message.
// - answer_query (the server's whole query → response path, records from a fixed table, for a
//   client on the web network, one on another network and an unknown one, over UDP and TCP)
//   returns a decodable response within the transport's size limit, or drops / forwards;
//   refuse_query (what a non-client gets) never forwards and fits the classic UDP limit.
// - finish_forwarded treats the bytes as an upstream response: the result fits the client's
//   limit. Build and run: see CMakeLists.txt in this folder (target dns_fuzz).
#include <cstdint>
#include <cstdlib>
#include <span>

#include "dns/answer.hpp"
#include "dns/records.hpp"
#include "dns/wire.hpp"

namespace {

using namespace berth::dns;

const Records& records() {
  static const auto r = Records::parse(R"({
    "ttl": 5, "search": ["appdb.internal"],
    "networks": [{"id": "n1", "gateway": "10.89.0.1"}, {"id": "n2", "gateway": "10.89.1.1"},
                 {"id": "n3", "gateway": "fd00::1"}],
    "containers": [
      {"id": "a", "name": "appdb-web-1", "endpoints": [
        {"network": "n1", "address": "10.89.0.2", "names": ["web", "appdb-web-1", "www"]},
        {"network": "n3", "address": "fd00::2", "names": ["web"]}]},
      {"id": "b", "name": "appdb-web-2", "endpoints": [
        {"network": "n1", "address": "10.89.0.3", "address6": "fd00::3", "names": ["web", "appdb-web-2"]}]},
      {"id": "c", "name": "appdb-db-1", "endpoints": [
        {"network": "n2", "address": "10.89.1.2", "names": ["db", "appdb-db-1"]}]}]})");
  return *r;
}

void check(bool ok) {
  if (!ok) std::abort();
}

void round_trip(std::span<const uint8_t> data) {
  auto msg = decode_message(data);
  if (!msg) return;
  auto bytes = encode_message(*msg);
  check(bytes.has_value());
  auto again = decode_message(*bytes);
  check(again.has_value());
  check(again->header.id == msg->header.id && again->header.flags == msg->header.flags);
  check(again->questions == msg->questions && again->answers == msg->answers);
  check(again->authority == msg->authority && again->additional == msg->additional);
  check(again->edns == msg->edns);
}

void answer_path(std::span<const uint8_t> data) {
  static const IpAddress clients[] = {*IpAddress::parse("10.89.0.2"), *IpAddress::parse("10.89.1.2"),
                                      *IpAddress::parse("192.0.2.7"), *IpAddress::parse("fd00::2")};
  for (const IpAddress& client : clients) {
    for (Transport t : {Transport::Udp, Transport::Tcp}) {
      Decision d = answer_query(records(), client, data, t);
      if (d.kind == Decision::Kind::Reply) {
        check(decode_message(d.reply).has_value());
        check(d.reply.size() <= (t == Transport::Udp ? size_t{kMaxEdnsSize} : size_t{0xffff}));
      } else if (d.kind == Decision::Kind::Forward) {
        check(!servfail(d).empty());
        // The same bytes as what the upstream answered.
        std::vector<uint8_t> out = finish_forwarded(d, data);
        check(out.size() <= d.max_size && out.size() >= kHeaderSize);
      }
    }
  }
  // What a non-client gets: a decodable reply within the classic UDP limit, or nothing.
  Decision refused = refuse_query(data);
  if (refused.kind == Decision::Kind::Reply) {
    check(decode_message(refused.reply).has_value());
    check(refused.reply.size() <= kClassicUdpSize);
  }
  check(refused.kind != Decision::Kind::Forward);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  round_trip(bytes);
  answer_path(bytes);
  return 0;
}
