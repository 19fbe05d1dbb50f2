#pragma once
// The DNS records file and the immutable lookup table built from it.
//
// The engine writes `<run>/projects/<project>/dns.json` (atomically: temp + rename) and then sends
// SIGHUP to the pid in `dns.pid`; berth-dns re-reads it, builds a new table and swaps it in.
//
//   {
//     "ttl": 5,                                   // optional, default 5 (seconds)
//     "search": ["appdb.internal"],               // optional: domains we own
//     "networks": [ {"id": "0123456789ab", "gateway": "10.89.0.1"} ],
//     "containers": [
//       {"id": "<64 hex>", "name": "appdb-web-1", "service": "web",
//        "upstreams": ["192.0.2.53", "[2001:db8::53]:5353"],   // optional: the service's `dns`
//        "links": [ {"name": "database", "container": "appdb-db-1"} ],   // optional: `links` aliases
//        "endpoints": [ {"network": "0123456789ab", "address": "10.89.0.2",
//                        "address6": "fd00::2",     // optional
//                        "names": ["web", "appdb-web-1", "<hostname>", "<alias>", "<short id>"]} ]}
//     ]
//   }
//
// Rules (see docs/CONTRACTS.md, "DNS records file"):
// - berth-dns listens on port 53 of every `gateway` and of no other address.
// - A client is identified by its source address; it belongs to the containers whose endpoints
//   have that address and sees only names of endpoints on networks it shares with them. An
//   unknown client (e.g. the host) shares no network and so sees no names.
// - Names compare case-insensitively, with or without a trailing dot, with or without one of the
//   `search` suffixes. Answers are the target's addresses on the shared networks; several
//   containers with one name give all their addresses, rotated on every query.
// - A visible name without records of the asked type → NODATA (NOERROR, no answer). A name that
//   is not visible and lies under a `search` domain → NXDOMAIN. Any other name is forwarded to
//   the upstream servers, exactly as if it did not exist here (so a client on another network
//   gets the same answer for `web` as for a name nobody defined).
// - PTR (in-addr.arpa / ip6.arpa) for the address of a visible endpoint answers the container's
//   `name` (plus the first search domain when there is one).
// - Forwarded queries of a client whose container has `upstreams` go to those servers (in that
//   order), not to berth-dns's default (the host's) ones, like the "ExtServers" of Docker's
//   embedded resolver; every other client keeps the default. Entries are "IP", "IPv4:PORT",
//   "[IPv6]" or "[IPv6]:PORT" (dns/upstream.hpp); anything else makes the file invalid. An empty
//   or absent list means the default servers. Names in the table are answered first either way.
// - `links` are aliases only the container that has them sees (Docker's container-local link
//   aliases on user-defined networks): `name` from that container's addresses stands for the
//   container named `container`, on the networks they share; it wins over a same-named endpoint.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dns/wire.hpp"

namespace berth::dns {

/// An IPv4 or IPv6 address as raw bytes (IPv4 in the first 4 bytes, the rest zero).
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v6 = false;

  /// Parses dotted-quad or RFC 4291 text; nullopt when neither.
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4_from(const std::array<uint8_t, 4>& b);
  static IpAddress v6_from(const std::array<uint8_t, 16>& b);
  std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

struct IpAddressHash {
  size_t operator()(const IpAddress& a) const noexcept;
};

/// The records file is not valid JSON or breaks a rule above; what() names the key.
class RecordsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Outcome of a lookup, for the caller to turn into a response.
struct Lookup {
  enum class Kind { Answer, NoData, NxDomain, Forward };
  Kind kind = Kind::Forward;
  std::vector<ResourceRecord> records;  ///< for Answer; named as asked (qname unchanged)
};

class Records {
 public:
  /// Builds the table from the file's JSON text; throws RecordsError.
  static std::shared_ptr<const Records> parse(std::string_view json_text);
  /// Reads and parses `path`; throws RecordsError (which names the path).
  static std::shared_ptr<const Records> load(const std::string& path);

  /// Answers `qname`/`qtype` for the client at `client`. Thread-safe; only the rotation counter
  /// changes.
  Lookup lookup(const IpAddress& client, std::string_view qname, uint16_t qtype) const;

  /// A container's own upstream servers, normalised ("IP:PORT" / "[IPv6]:PORT"), in file order
  /// without duplicates.
  using UpstreamSet = std::vector<std::string>;
  /// The upstream servers for forwarded queries of `client`; nullptr = the default servers.
  const UpstreamSet* upstreams_for(const IpAddress& client) const;
  /// Every distinct upstream set some container has, in file order (the forwarder channels the
  /// server needs).
  const std::vector<UpstreamSet>& upstream_sets() const { return m_upstream_sets; }

  /// True when `client` is an address of a container in the table; the server refuses every
  /// other address (the host, other projects' containers: see server.hpp).
  bool is_client(const IpAddress& client) const { return m_client_networks.count(client) != 0; }

  /// The distinct gateway addresses, in file order (what berth-dns listens on).
  const std::vector<IpAddress>& gateways() const { return m_gateways; }
  uint32_t ttl() const { return m_ttl; }
  const std::vector<std::string>& search() const { return m_search; }

  Records() = default;
  Records(const Records&) = delete;
  Records& operator=(const Records&) = delete;

 private:
  struct Endpoint {
    uint32_t network = 0;    ///< index into m_network_ids
    uint32_t container = 0;  ///< index into m_container_names
    std::optional<IpAddress> v4;
    std::optional<IpAddress> v6;
  };
  /// Sorted network indexes of `client`, or nullptr when it is not a container.
  const std::vector<uint32_t>* networks_of(const IpAddress& client) const;
  /// Endpoints named `name` (lowercase, no trailing dot) on networks in `nets`.
  std::vector<const Endpoint*> visible(std::string_view name, const std::vector<uint32_t>& nets) const;
  /// `client`'s link alias `name` resolved (see `links`), else visible(name).
  std::vector<const Endpoint*> resolve(const IpAddress& client, std::string_view name,
                                       const std::vector<uint32_t>& nets) const;
  Lookup lookup_reverse(const std::vector<uint32_t>* nets, const IpAddress& target, const std::string& qname,
                        uint16_t qtype) const;
  bool under_search(std::string_view name) const;
  void rotate(std::vector<ResourceRecord>& records) const;

  uint32_t m_ttl = 5;
  std::vector<std::string> m_search;  // lowercase
  std::vector<IpAddress> m_gateways;
  std::vector<std::string> m_network_ids;
  std::vector<std::string> m_container_names;
  std::vector<Endpoint> m_endpoints;
  std::unordered_map<IpAddress, std::vector<uint32_t>, IpAddressHash> m_client_networks;
  std::unordered_map<std::string, std::vector<uint32_t>> m_names;  // name → endpoint indexes
  std::unordered_map<IpAddress, std::vector<uint32_t>, IpAddressHash> m_by_address;
  std::vector<UpstreamSet> m_upstream_sets;
  std::unordered_map<IpAddress, uint32_t, IpAddressHash> m_client_upstreams;      // → m_upstream_sets index
  using LinkAliases = std::unordered_map<std::string, std::vector<std::string>>;  // alias → container names
  std::unordered_map<IpAddress, LinkAliases, IpAddressHash> m_client_links;
  mutable std::atomic<uint32_t> m_rotation{0};
};

/// The address a reverse name stands for ("4.3.2.1.in-addr.arpa" → 1.2.3.4; nibble form under
/// ip6.arpa); nullopt when `name` (lowercase, no trailing dot) is not a complete reverse name.
std::optional<IpAddress> parse_reverse_name(std::string_view name);
/// The reverse name of an address, without the trailing dot.
std::string reverse_name(const IpAddress& addr);

}  // namespace berth::dns
