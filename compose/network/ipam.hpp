#pragma once
// IP address management, pure: IPv4 CIDR arithmetic, the subnet pool, address leases and the
// network registry record (`<root>/networks/<id>.json`). Nothing here touches the kernel; the
// manager feeds in the host routes and the other networks' subnets it observed.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::network {

/// An IPv4 prefix. `addr` is in host byte order; parse_cidr keeps the host bits as written
/// (a gateway-style "10.0.0.1/24"); network() gives the masked base.
struct Ipv4Net {
  std::uint32_t addr = 0;   ///< address, host byte order
  std::uint8_t prefix = 0;  ///< prefix length 0..32

  std::uint32_t mask() const { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }
  std::uint32_t network() const { return addr & mask(); }
  std::uint32_t broadcast() const { return network() | ~mask(); }
  bool contains(std::uint32_t a) const { return (a & mask()) == network(); }
  bool operator==(const Ipv4Net&) const = default;
};

/// "10.89.0.5" → host-order address; nullopt when not a dotted quad.
std::optional<std::uint32_t> parse_ipv4(std::string_view text);
/// Host-order address → "10.89.0.5".
std::string format_ipv4(std::uint32_t addr);
/// "10.89.0.0/24" → prefix; nullopt when malformed (a bare address is a /32).
std::optional<Ipv4Net> parse_cidr(std::string_view text);
/// "10.89.0.0/24" (network address, masked).
std::string format_cidr(const Ipv4Net& net);
/// True when the two prefixes share at least one address.
bool overlaps(const Ipv4Net& a, const Ipv4Net& b);

/// Where automatic subnets come from: `base` cut into /`step` pieces, first free one wins.
struct SubnetPool {
  Ipv4Net base{0x0A590000u, 16};  ///< 10.89.0.0/16
  std::uint8_t step = 24;         ///< size of each network's subnet
};

/// The first /step subnet of the pool overlapping none of `taken` (host routes, other berth
/// networks); nullopt when the pool is exhausted.
std::optional<Ipv4Net> choose_subnet(const SubnetPool& pool, const std::vector<Ipv4Net>& taken);

/// A compose network's requested addressing (first `ipam.config` entry); empty = automatic.
struct SubnetRequest {
  std::string subnet;    ///< CIDR, e.g. "172.28.0.0/16"; empty = from the pool
  std::string gateway;   ///< must lie in the subnet; empty = first host address
  std::string ip_range;  ///< CIDR inside the subnet that container addresses come from
};

/// Resolved addressing of one network.
struct Addressing {
  Ipv4Net subnet;             ///< masked network
  std::uint32_t gateway = 0;  ///< host order, inside subnet
  Ipv4Net range;              ///< container addresses are allocated from here (= subnet if unset)
};

/// Checks and resolves `req`. With an empty subnet, `chosen` (from choose_subnet) is used.
/// Throws std::invalid_argument with a user-facing message ("gateway 10.1.0.1 is not in
/// subnet 10.2.0.0/24", "invalid subnet ...").
Addressing resolve_addressing(const SubnetRequest& req, const std::optional<Ipv4Net>& chosen);

/// One network's registry file: `<root>/networks/<id>.json`, also its lease table.
struct NetworkRecord {
  std::string id;                             ///< 12 hex, see network_id()
  std::string name;                           ///< real name (e.g. "appdb_default")
  std::string project;                        ///< compose project that created it ("" for standalone)
  std::string bridge;                         ///< "berth-" + 9 hex
  std::string subnet;                         ///< CIDR, masked
  std::string gateway;                        ///< dotted quad, the bridge's address
  std::string ip_range;                       ///< CIDR allocation range ("" = whole subnet)
  int mtu = 1500;                             ///< bridge and veth MTU
  bool internal = false;                      ///< no default route, no masquerade
  std::map<std::string, std::string> labels;  ///< compose labels, informational
  std::map<std::string, std::string> leases;  ///< container id → dotted-quad address
};

void to_json(nlohmann::json& j, const NetworkRecord& r);
void from_json(const nlohmann::json& j, NetworkRecord& r);

/// Addressing of an existing record (its stored subnet/gateway/range). Throws on a corrupt file.
Addressing addressing_of(const NetworkRecord& r);

/// Returns the lease of `container_id`, creating it when missing: the requested address
/// (checked: in the subnet, not network/broadcast/gateway, not leased to another container),
/// else the lowest free address of the range. A changed request replaces the old lease.
/// Throws std::invalid_argument (bad or taken request) or std::runtime_error (range full).
std::string lease_address(NetworkRecord& r, const std::string& container_id, const std::string& requested = {});

/// Drops the lease of `container_id`; returns whether there was one.
bool release_address(NetworkRecord& r, const std::string& container_id);

/// Network id: first 12 hex of sha256(root + "\0" + name).
std::string network_id(const std::string& root, const std::string& name);
/// Bridge name: "berth-" + first 9 hex of the network id.
std::string bridge_name(const std::string& network_id);
/// Host veth end: "berth" + 10 hex of sha256(container id + network id).
std::string host_veth_name(const std::string& container_id, const std::string& network_id);
/// Temporary container veth end (renamed in the netns): "bt" + the same 10 hex.
std::string peer_veth_name(const std::string& container_id, const std::string& network_id);

/// The registry directory `<root>/networks`: one JSON file per network, written atomically.
class Registry {
 public:
  explicit Registry(std::string root);
  /// `<root>/networks/<id>.json`.
  std::string path(const std::string& id) const;
  /// The record, or nullopt when there is no file. Throws on unreadable/corrupt files.
  std::optional<NetworkRecord> load(const std::string& id) const;
  /// Writes the record atomically (creates the directory).
  void save(const NetworkRecord& r) const;
  /// Deletes the file; no error when absent.
  void remove(const std::string& id) const;
  /// Every record (unreadable files are skipped), ordered by id.
  std::vector<NetworkRecord> list() const;

 private:
  std::string m_dir;
};

}  // namespace berth::network
