// Query → decision → encoded response (see answer.hpp for the rules).
#include "dns/answer.hpp"

#include <algorithm>

namespace berth::dns {
namespace {

constexpr size_t kTcpLimit = 0xffff;

Edns response_edns(const Edns& client) {
  Edns e;
  e.udp_size = std::clamp(client.udp_size, kMinEdnsSize, kMaxEdnsSize);
  e.dnssec_ok = client.dnssec_ok;
  return e;
}

uint16_t response_flags(uint16_t query_flags, Rcode rcode, bool authoritative) {
  uint16_t f = flag::kQr | flag::kRa | (query_flags & (flag::kOpcodeMask | flag::kRd));
  if (authoritative) f |= flag::kAa;
  return static_cast<uint16_t>(f | (static_cast<uint16_t>(rcode) & flag::kRcodeMask));
}

/// Header-only reply for packets we could not (fully) decode.
std::vector<uint8_t> bare_reply(const Header& h, Rcode rcode) {
  Message m;
  m.header.id = h.id;
  m.header.flags = response_flags(h.flags, rcode, false);
  return encode_message(m).value_or(std::vector<uint8_t>{});
}

Decision reply(std::vector<uint8_t> bytes) {
  Decision d;
  d.kind = Decision::Kind::Reply;
  d.reply = std::move(bytes);
  return d;
}

/// Encodes a response to a decoded query; truncates to `limit` with TC.
std::vector<uint8_t> respond(const Message& query, Rcode rcode, std::vector<ResourceRecord> answers, bool authoritative,
                             size_t limit) {
  Message m;
  m.header.id = query.header.id;
  m.header.flags = response_flags(query.header.flags, rcode, authoritative);
  m.questions = query.questions;
  m.answers = std::move(answers);
  if (query.edns) {
    m.edns = response_edns(*query.edns);
    m.edns->extended_rcode = static_cast<uint8_t>(static_cast<uint16_t>(rcode) >> 4);
  }
  auto out = encode_message(m);
  if (out && out->size() <= limit) return std::move(*out);
  m.answers.clear();
  m.header.flags |= flag::kTc;
  out = encode_message(m);
  if (out) return std::move(*out);
  // The question itself cannot be re-encoded (cannot happen for a decoded name): header only.
  return bare_reply(query.header, Rcode::ServFail);
}

}  // namespace

size_t response_limit(const std::optional<Edns>& edns, Transport transport) {
  if (transport == Transport::Tcp) return kTcpLimit;
  if (!edns) return kClassicUdpSize;
  return std::clamp<size_t>(edns->udp_size, kClassicUdpSize, kMaxEdnsSize);
}

Decision answer_query(const Records& records, const IpAddress& client, std::span<const uint8_t> packet,
                      Transport transport) {
  auto header = decode_header(packet);
  if (!header || (header->flags & flag::kQr)) return {};
  if (header->opcode() != 0) return reply(bare_reply(*header, Rcode::NotImp));
  auto query = decode_message(packet);
  if (!query || query->questions.size() != 1) return reply(bare_reply(*header, Rcode::FormErr));
  size_t limit = response_limit(query->edns, transport);
  if (query->edns && query->edns->version > 0) {
    Message m = *query;
    m.questions.clear();  // RFC 6891 §6.1.3: BADVERS before looking at the question
    return reply(respond(m, Rcode::BadVers, {}, false, limit));
  }
  const Question& q = query->questions.front();
  if (q.klass != kClassIn && q.klass != kClassAny) return reply(respond(*query, Rcode::Refused, {}, false, limit));

  Lookup found = records.lookup(client, q.name, q.type);
  switch (found.kind) {
    case Lookup::Kind::Answer:
      return reply(respond(*query, Rcode::NoError, std::move(found.records), true, limit));
    case Lookup::Kind::NoData:
      return reply(respond(*query, Rcode::NoError, {}, true, limit));
    case Lookup::Kind::NxDomain:
      return reply(respond(*query, Rcode::NxDomain, {}, true, limit));
    case Lookup::Kind::Forward:
      break;
  }
  Decision d;
  d.kind = Decision::Kind::Forward;
  d.id = header->id;
  d.max_size = limit;
  d.question = q;
  d.client_edns = query->edns;
  return d;
}

Decision refuse_query(std::span<const uint8_t> packet) {
  auto header = decode_header(packet);
  if (!header || (header->flags & flag::kQr)) return {};
  if (header->opcode() != 0) return reply(bare_reply(*header, Rcode::NotImp));
  auto query = decode_message(packet);
  if (!query || query->questions.size() != 1) return reply(bare_reply(*header, Rcode::FormErr));
  // The classic 512-byte limit: a REFUSED with one question always fits it.
  return reply(respond(*query, Rcode::Refused, {}, false, kClassicUdpSize));
}

std::vector<uint8_t> servfail(const Decision& forward) {
  Message m;
  m.header.id = forward.id;
  m.header.flags = response_flags(flag::kRd, Rcode::ServFail, false);
  m.questions.push_back(forward.question);
  if (forward.client_edns) m.edns = response_edns(*forward.client_edns);
  return encode_message(m).value_or(std::vector<uint8_t>{});
}

std::vector<uint8_t> finish_forwarded(const Decision& forward, std::span<const uint8_t> upstream) {
  auto header = decode_header(upstream);
  if (!header || !(header->flags & flag::kQr)) return servfail(forward);
  std::vector<uint8_t> out;
  Writer w(out);
  w.u16(forward.id);
  if (upstream.size() <= forward.max_size) {
    out.insert(out.end(), upstream.begin() + 2, upstream.end());
    return out;
  }
  // Too big for the client's UDP limit: keep the upstream's flags and rcode and the question,
  // drop all records, set TC. The client asks again over TCP and then gets everything.
  size_t pos = kHeaderSize;
  for (unsigned i = 0; i < header->qdcount; ++i) {
    if (!decode_name(upstream, &pos) || upstream.size() - pos < 4) return servfail(forward);
    pos += 4;
  }
  w.u16(header->flags | flag::kTc);
  w.u16(header->qdcount);
  w.u16(0);
  w.u16(0);
  w.u16(forward.client_edns ? 1 : 0);
  out.insert(out.end(), upstream.begin() + kHeaderSize, upstream.begin() + static_cast<std::ptrdiff_t>(pos));
  if (forward.client_edns) {
    Edns e = response_edns(*forward.client_edns);
    w.u8(0);
    w.u16(kTypeOpt);
    w.u16(e.udp_size);
    w.u32(e.dnssec_ok ? 0x8000u : 0u);
    w.u16(0);
  }
  // Many or long questions in the upstream's answer can still exceed a 512-byte limit.
  if (out.size() > forward.max_size) return servfail(forward);
  return out;
}

}  // namespace berth::dns
