#pragma once
// The pure query → response step between the socket code and the records table: decode the
// client's packet, decide (answer from the table, forward upstream, or drop) and encode the
// response with the EDNS and truncation rules. No I/O, so unit tests and the fuzzer drive exactly
// what the server runs.
//
// Rules:
// - Shorter than a header, or a response (QR set): dropped silently (never answer answers:
//   that is how reflection loops start).
// - Opcode other than QUERY: NOTIMP. Undecodable packet, question count other than 1, bad OPT:
//   FORMERR. EDNS version above 0: BADVERS (RFC 6891 §6.1.3). Class other than IN/ANY: REFUSED.
// - Responses carry an OPT record when the query did, advertising the client's payload size
//   clamped to 1232..4096. A UDP response larger than the client's limit (512 without EDNS, else
//   its payload size up to 4096) is cut to header + question (+ OPT) with TC set, so the client
//   retries over TCP.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dns/records.hpp"
#include "dns/wire.hpp"

namespace berth::dns {

enum class Transport { Udp, Tcp };

struct Decision {
  enum class Kind { Reply, Forward, Drop };
  Kind kind = Kind::Drop;
  std::vector<uint8_t> reply;  ///< Kind::Reply: the response to send
  // Kind::Forward: what finishing the upstream answer needs.
  uint16_t id = 0;
  size_t max_size = kClassicUdpSize;
  Question question;
  std::optional<Edns> client_edns;
};

/// Decides what to do with `packet` from `client`.
Decision answer_query(const Records& records, const IpAddress& client, std::span<const uint8_t> packet,
                      Transport transport);

/// The answer to `packet` from an address that is not a client of this server: REFUSED with the
/// question (FORMERR/NOTIMP as answer_query gives them), and Drop for what answer_query drops.
/// Nothing is looked up or forwarded, so the server is no open resolver for other projects.
Decision refuse_query(std::span<const uint8_t> packet);

/// Turns the upstream's raw response into the client's: the client's id, and for UDP cut to the
/// client's size with TC set. An unusable upstream response becomes SERVFAIL.
std::vector<uint8_t> finish_forwarded(const Decision& forward, std::span<const uint8_t> upstream);

/// SERVFAIL for a forwarded query whose upstream failed (timeout, no servers, overload).
std::vector<uint8_t> servfail(const Decision& forward);

/// The payload limit for a response to a client that sent `edns` (or none) over `transport`.
size_t response_limit(const std::optional<Edns>& edns, Transport transport);

}  // namespace berth::dns
