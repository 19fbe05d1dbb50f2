#pragma once
// DNS message codec (RFC 1035 §4, RFC 6891 for OPT). Input is never trusted: every read is
// bounds-checked, compression pointers must point strictly backwards (so they cannot loop) and
// names are limited to 255 octets in wire form with labels of at most 63.
//
// Names are held in presentation form without the trailing dot ("www.example.com", "" = root);
// a `.` or `\` inside a label is escaped with a backslash so that decode → encode is exact.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::dns {

inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypeCname = 5;
inline constexpr uint16_t kTypePtr = 12;
inline constexpr uint16_t kTypeAaaa = 28;
inline constexpr uint16_t kTypeOpt = 41;
inline constexpr uint16_t kTypeAny = 255;
inline constexpr uint16_t kClassIn = 1;
inline constexpr uint16_t kClassAny = 255;

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxNameWire = 255;
inline constexpr size_t kMaxLabel = 63;
/// The UDP payload limit without EDNS (RFC 1035 §4.2.1).
inline constexpr size_t kClassicUdpSize = 512;
/// What we advertise / accept as EDNS payload sizes: 1232 (DNS flag day 2020) .. 4096.
inline constexpr uint16_t kMinEdnsSize = 1232;
inline constexpr uint16_t kMaxEdnsSize = 4096;

/// Response codes; values above 15 need the OPT record's extended rcode bits.
enum class Rcode : uint16_t {
  NoError = 0,
  FormErr = 1,
  ServFail = 2,
  NxDomain = 3,
  NotImp = 4,
  Refused = 5,
  BadVers = 16,
};

/// Header flag bits (the second 16-bit word of the header).
namespace flag {
inline constexpr uint16_t kQr = 0x8000;
inline constexpr uint16_t kAa = 0x0400;
inline constexpr uint16_t kTc = 0x0200;
inline constexpr uint16_t kRd = 0x0100;
inline constexpr uint16_t kRa = 0x0080;
inline constexpr uint16_t kOpcodeMask = 0x7800;
inline constexpr uint16_t kRcodeMask = 0x000f;
}  // namespace flag

/// The fixed header; counts are only meaningful on decode (encode uses the section sizes).
struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t qdcount = 0;
  uint16_t ancount = 0;
  uint16_t nscount = 0;
  uint16_t arcount = 0;

  uint8_t opcode() const { return static_cast<uint8_t>((flags & flag::kOpcodeMask) >> 11); }
  uint8_t rcode() const { return static_cast<uint8_t>(flags & flag::kRcodeMask); }
};

struct Question {
  std::string name;
  uint16_t type = kTypeA;
  uint16_t klass = kClassIn;
  bool operator==(const Question&) const = default;
};

/// A resource record. For CNAME and PTR the rdata is the name in `target` (compressed on encode,
/// decompressed on decode) and `rdata` stays empty; for every other type `rdata` is raw.
struct ResourceRecord {
  std::string name;
  uint16_t type = kTypeA;
  uint16_t klass = kClassIn;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;
  std::string target;
  bool operator==(const ResourceRecord&) const = default;
};

/// EDNS(0) data from an OPT pseudo-record (RFC 6891 §6.1.3).
struct Edns {
  uint16_t udp_size = kClassicUdpSize;
  uint8_t extended_rcode = 0;  ///< upper 8 bits of the 12-bit rcode
  uint8_t version = 0;
  bool dnssec_ok = false;
  bool operator==(const Edns&) const = default;
};

/// A whole message. The OPT record is lifted out of `additional` into `edns`.
struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authority;
  std::vector<ResourceRecord> additional;
  std::optional<Edns> edns;
};

/// Reads the header; nullopt when the buffer is shorter than 12 bytes.
std::optional<Header> decode_header(std::span<const uint8_t> buf);

/// Reads a possibly compressed name at `*pos` and advances `*pos` past it (past the first
/// pointer when there is one). nullopt on any malformation.
std::optional<std::string> decode_name(std::span<const uint8_t> buf, size_t* pos);

/// Parses a whole message: nullopt when any part is malformed, a count promises more than the
/// buffer holds, there are several OPT records or an OPT that is not at the root.
/// Bytes after the last declared record are ignored.
std::optional<Message> decode_message(std::span<const uint8_t> buf);

/// Appends names with compression against everything written before (exact byte match).
class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : m_out(out) {}
  /// Writes `name` in wire form; false when it is not a valid name (label > 63, total > 255,
  /// empty label). The output is unchanged on failure.
  bool name(std::string_view name, bool compress = true);
  void u8(uint8_t v) { m_out.push_back(v); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void bytes(std::span<const uint8_t> b) { m_out.insert(m_out.end(), b.begin(), b.end()); }
  size_t size() const { return m_out.size(); }

 private:
  std::vector<uint8_t>& m_out;
  /// Uncompressed wire form of every name suffix written so far and its offset (< 0x4000).
  std::vector<std::pair<std::string, uint16_t>> m_suffixes;
};

/// Encodes the message (counts from the vectors, OPT appended from `edns`). nullopt when a name
/// or an rdata is invalid (e.g. rdata over 65535 bytes, a bad CNAME/PTR target).
std::optional<std::vector<uint8_t>> encode_message(const Message& msg);

/// Splits a presentation-form name into raw labels (unescaping `\.` and `\\`); nullopt when a
/// label is empty or longer than 63 or the wire form would exceed 255.
std::optional<std::vector<std::string>> split_name(std::string_view name);

/// Lowercases ASCII letters (DNS names compare case-insensitively, RFC 4343).
std::string lowercase(std::string_view s);

/// A/AAAA rdata helpers.
ResourceRecord make_a(std::string name, uint32_t ttl, std::array<uint8_t, 4> addr);
ResourceRecord make_aaaa(std::string name, uint32_t ttl, const std::array<uint8_t, 16>& addr);
ResourceRecord make_ptr(std::string name, uint32_t ttl, std::string target);

}  // namespace berth::dns
