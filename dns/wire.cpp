// DNS wire format: decode and encode of headers, names (with compression), questions, records and
// the OPT pseudo-record. Packets come from anyone who can reach a gateway address, so decoding
// checks every length against the buffer and the pointer rule below guarantees termination.
#include "dns/wire.hpp"

#include <algorithm>

namespace berth::dns {
namespace {

uint16_t get16(std::span<const uint8_t> b, size_t p) { return static_cast<uint16_t>(b[p] << 8 | b[p + 1]); }
uint32_t get32(std::span<const uint8_t> b, size_t p) {
  return static_cast<uint32_t>(b[p]) << 24 | static_cast<uint32_t>(b[p + 1]) << 16 |
         static_cast<uint32_t>(b[p + 2]) << 8 | b[p + 3];
}

void append_label(std::string& out, const uint8_t* data, size_t len) {
  if (!out.empty()) out += '.';
  for (size_t i = 0; i < len; ++i) {
    char c = static_cast<char>(data[i]);
    if (c == '.' || c == '\\') out += '\\';
    out += c;
  }
}

/// Reads one record at *pos; OPT records are returned like any other (the caller lifts them).
bool decode_record(std::span<const uint8_t> buf, size_t* pos, ResourceRecord& rr) {
  auto name = decode_name(buf, pos);
  if (!name || buf.size() - *pos < 10) return false;
  size_t p = *pos;
  rr.name = std::move(*name);
  rr.type = get16(buf, p);
  rr.klass = get16(buf, p + 2);
  rr.ttl = get32(buf, p + 4);
  size_t rdlen = get16(buf, p + 8);
  p += 10;
  if (buf.size() - p < rdlen) return false;
  size_t end = p + rdlen;
  if (rr.type == kTypeCname || rr.type == kTypePtr) {
    size_t q = p;
    auto target = decode_name(buf.first(end), &q);
    if (!target || q != end) return false;
    rr.target = std::move(*target);
  } else {
    if ((rr.type == kTypeA && rdlen != 4) || (rr.type == kTypeAaaa && rdlen != 16)) return false;
    rr.rdata.assign(buf.begin() + static_cast<std::ptrdiff_t>(p), buf.begin() + static_cast<std::ptrdiff_t>(end));
  }
  *pos = end;
  return true;
}

bool encode_record(Writer& w, std::vector<uint8_t>& out, const ResourceRecord& rr) {
  if (!w.name(rr.name)) return false;
  w.u16(rr.type);
  w.u16(rr.klass);
  w.u32(rr.ttl);
  if (rr.type == kTypeCname || rr.type == kTypePtr) {
    size_t len_at = out.size();
    w.u16(0);
    if (!w.name(rr.target)) return false;
    size_t len = out.size() - len_at - 2;
    out[len_at] = static_cast<uint8_t>(len >> 8);
    out[len_at + 1] = static_cast<uint8_t>(len);
    return true;
  }
  if (rr.rdata.size() > 0xffff) return false;
  w.u16(static_cast<uint16_t>(rr.rdata.size()));
  w.bytes(rr.rdata);
  return true;
}

}  // namespace

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<Header> decode_header(std::span<const uint8_t> buf) {
  if (buf.size() < kHeaderSize) return std::nullopt;
  return Header{get16(buf, 0), get16(buf, 2), get16(buf, 4), get16(buf, 6), get16(buf, 8), get16(buf, 10)};
}

std::optional<std::string> decode_name(std::span<const uint8_t> buf, size_t* pos) {
  std::string out;
  size_t p = *pos;
  // A pointer must point before the start of the stretch we are reading (the original position or
  // the last pointer's target), so every jump moves strictly backwards and reading terminates.
  size_t floor = p;
  std::optional<size_t> after_first_pointer;
  size_t wire_len = 1;  // the terminating root label
  for (;;) {
    if (p >= buf.size()) return std::nullopt;
    uint8_t len = buf[p];
    if ((len & 0xc0) == 0xc0) {
      if (p + 1 >= buf.size()) return std::nullopt;
      size_t target = static_cast<size_t>(len & 0x3f) << 8 | buf[p + 1];
      if (target >= floor) return std::nullopt;
      if (!after_first_pointer) after_first_pointer = p + 2;
      p = floor = target;
      continue;
    }
    if ((len & 0xc0) != 0) return std::nullopt;  // 01/10: obsolete extended label types
    if (len == 0) {
      *pos = after_first_pointer ? *after_first_pointer : p + 1;
      return out;
    }
    wire_len += 1 + len;
    if (wire_len > kMaxNameWire || buf.size() - p - 1 < len) return std::nullopt;
    append_label(out, buf.data() + p + 1, len);
    p += 1 + len;
  }
}

std::optional<Message> decode_message(std::span<const uint8_t> buf) {
  auto header = decode_header(buf);
  if (!header) return std::nullopt;
  Message msg;
  msg.header = *header;
  size_t pos = kHeaderSize;
  for (unsigned i = 0; i < header->qdcount; ++i) {
    auto name = decode_name(buf, &pos);
    if (!name || buf.size() - pos < 4) return std::nullopt;
    msg.questions.push_back({std::move(*name), get16(buf, pos), get16(buf, pos + 2)});
    pos += 4;
  }
  auto section = [&](unsigned count, std::vector<ResourceRecord>& into, bool additional) {
    for (unsigned i = 0; i < count; ++i) {
      ResourceRecord rr;
      if (!decode_record(buf, &pos, rr)) return false;
      if (rr.type != kTypeOpt) {
        into.push_back(std::move(rr));
        continue;
      }
      if (!additional || msg.edns || !rr.name.empty()) return false;
      msg.edns = Edns{rr.klass, static_cast<uint8_t>(rr.ttl >> 24), static_cast<uint8_t>(rr.ttl >> 16),
                      (rr.ttl & 0x8000) != 0};
    }
    return true;
  };
  if (!section(header->ancount, msg.answers, false) || !section(header->nscount, msg.authority, false) ||
      !section(header->arcount, msg.additional, true))
    return std::nullopt;
  return msg;
}

std::optional<std::vector<std::string>> split_name(std::string_view name) {
  std::vector<std::string> labels;
  if (name.empty()) return labels;
  std::string label;
  size_t wire_len = 1;
  auto finish = [&] {
    if (label.empty() || label.size() > kMaxLabel) return false;
    wire_len += 1 + label.size();
    labels.push_back(std::move(label));
    label.clear();
    return wire_len <= kMaxNameWire;
  };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '\\' && i + 1 < name.size()) {
      label += name[++i];
    } else if (c == '.') {
      if (!finish()) return std::nullopt;
    } else {
      label += c;
    }
  }
  if (!finish()) return std::nullopt;
  return labels;
}

void Writer::u16(uint16_t v) {
  m_out.push_back(static_cast<uint8_t>(v >> 8));
  m_out.push_back(static_cast<uint8_t>(v));
}

void Writer::u32(uint32_t v) {
  u16(static_cast<uint16_t>(v >> 16));
  u16(static_cast<uint16_t>(v));
}

bool Writer::name(std::string_view name, bool compress) {
  auto labels = split_name(name);
  if (!labels) return false;
  // Wire form of each suffix labels[i..]: suffix_wire[i].
  std::vector<std::string> suffix_wire(labels->size() + 1);
  for (size_t i = labels->size(); i-- > 0;) {
    const std::string& l = (*labels)[i];
    suffix_wire[i] = static_cast<char>(l.size()) + l + suffix_wire[i + 1];
  }
  size_t i = 0;
  std::optional<uint16_t> pointer;
  for (; i < labels->size(); ++i) {
    if (!compress) break;
    auto it =
        std::find_if(m_suffixes.begin(), m_suffixes.end(), [&](const auto& s) { return s.first == suffix_wire[i]; });
    if (it != m_suffixes.end()) {
      pointer = it->second;
      break;
    }
  }
  for (size_t j = 0; j < i; ++j) {
    if (m_out.size() < 0x4000) m_suffixes.emplace_back(suffix_wire[j], static_cast<uint16_t>(m_out.size()));
    const std::string& l = (*labels)[j];
    m_out.push_back(static_cast<uint8_t>(l.size()));
    m_out.insert(m_out.end(), l.begin(), l.end());
  }
  if (pointer)
    u16(static_cast<uint16_t>(0xc000 | *pointer));
  else
    m_out.push_back(0);
  return true;
}

std::optional<std::vector<uint8_t>> encode_message(const Message& msg) {
  size_t additional = msg.additional.size() + (msg.edns ? 1 : 0);
  if (msg.questions.size() > 0xffff || msg.answers.size() > 0xffff || msg.authority.size() > 0xffff ||
      additional > 0xffff)
    return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(512);
  Writer w(out);
  w.u16(msg.header.id);
  w.u16(msg.header.flags);
  w.u16(static_cast<uint16_t>(msg.questions.size()));
  w.u16(static_cast<uint16_t>(msg.answers.size()));
  w.u16(static_cast<uint16_t>(msg.authority.size()));
  w.u16(static_cast<uint16_t>(additional));
  for (const Question& q : msg.questions) {
    if (!w.name(q.name)) return std::nullopt;
    w.u16(q.type);
    w.u16(q.klass);
  }
  for (const auto* section : {&msg.answers, &msg.authority, &msg.additional})
    for (const ResourceRecord& rr : *section)
      if (rr.type == kTypeOpt || !encode_record(w, out, rr)) return std::nullopt;
  if (msg.edns) {
    const Edns& e = *msg.edns;
    w.u8(0);
    w.u16(kTypeOpt);
    w.u16(e.udp_size);
    w.u32(static_cast<uint32_t>(e.extended_rcode) << 24 | static_cast<uint32_t>(e.version) << 16 |
          (e.dnssec_ok ? 0x8000u : 0u));
    w.u16(0);
  }
  return out;
}

ResourceRecord make_a(std::string name, uint32_t ttl, std::array<uint8_t, 4> addr) {
  return {std::move(name), kTypeA, kClassIn, ttl, {addr.begin(), addr.end()}, {}};
}

ResourceRecord make_aaaa(std::string name, uint32_t ttl, const std::array<uint8_t, 16>& addr) {
  return {std::move(name), kTypeAaaa, kClassIn, ttl, {addr.begin(), addr.end()}, {}};
}

ResourceRecord make_ptr(std::string name, uint32_t ttl, std::string target) {
  return {std::move(name), kTypePtr, kClassIn, ttl, {}, std::move(target)};
}

}  // namespace berth::dns
