#pragma once
// Firewall: the nftables rules of Berth networks and published ports, through libnftables JSON.
//
// Everything lives in one table `inet berth` (IPv4 rules; the inet family has the nat hooks on
// kernels >= 5.2). Base chains are created on demand, a chain is deleted when its last berth rule
// goes and the table when no berth rule is left. Every rule carries a comment naming its owner:
//   "berth net=<network id>"                      network rules (masquerade, hairpin, isolation)
//   "berth ctr=<container id> net=<network id>"   endpoint rules (DNAT of published ports)
//   "berth host"                                  the one rule every network needs (drop packets to
//                                                 127.0.0.0/8 not from lo): added with the first
//                                                 network, deleted with the last one
// so removal deletes exactly the owner's rules, by handle, found with a `list` command.
// When table `ip filter` has a chain `FORWARD` (Docker sets its policy to DROP), accept rules for
// the network's bridge are added there with the same comment and removed the same way.
//
// Locking rule: a Firewall method lists the ruleset and then commits one transaction; another
// process must not change berth rules in between. The caller holds the host-wide flock
// `/run/berth-network.lock` (NetworkManager does) — that is the default, HostLock::held_by_caller.
// A standalone user (a tool, a test) constructs Firewall(HostLock::take) and every method takes
// the flock itself. Inside one process a mutex serialises all Firewall calls (libnftables
// contexts are not thread-safe and list+commit must not interleave).
//
// Published ports: one PortMapping per port; the caller expands ranges ("8000-8002:80-82" is three
// mappings). IPv4 only: an IPv6 host_ip or address is refused with std::invalid_argument.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::network {

/// One published port: host_ip:host_port -> container address:container_port.
struct PortMapping {
  std::string host_ip;           ///< "" or "0.0.0.0" = every local address (incl. 127.0.0.1)
  uint16_t host_port = 0;        ///< published port
  uint16_t container_port = 0;   ///< target port inside the container
  std::string protocol = "tcp";  ///< "tcp" | "udp"
};

/// A Berth network as the firewall needs it.
struct FirewallNetwork {
  std::string id;         ///< network id (12 hex), used in comments
  std::string bridge;     ///< bridge link name "berth-<9 hex>"; must exist (route_localnet is set on it)
  std::string subnet;     ///< IPv4 CIDR, e.g. "10.89.0.0/24"
  std::string gateway;    ///< bridge address, e.g. "10.89.0.1"
  bool internal = false;  ///< no masquerade, no forwarding to or from other interfaces
};

/// One container on one network with its published ports.
struct FirewallEndpoint {
  std::string container_id;        ///< 64 hex, used in comments
  std::string network_id;          ///< FirewallNetwork::id
  std::string bridge;              ///< the network's bridge
  std::string address;             ///< container IPv4 address on that network
  std::vector<PortMapping> ports;  ///< may be empty (then the endpoint owns no rules)
};

/// Who takes the host-wide flock /run/berth-network.lock around each call.
enum class HostLock {
  held_by_caller,  ///< the caller (NetworkManager) already holds it
  take,            ///< each Firewall call takes it itself (standalone use)
};

/// Owner ids found in berth rule comments (for reconcile after kill -9).
struct FirewallTags {
  std::vector<std::string> networks;    ///< ids of "berth net=<id>" rules, sorted, unique
  std::vector<std::string> containers;  ///< ids of "berth ctr=<id> ..." rules, sorted, unique
};

class Firewall {
 public:
  /// `lock`: see the locking rule at the top of this header. `lock_path` is for tests only.
  explicit Firewall(HostLock lock = HostLock::held_by_caller, std::string lock_path = "/run/berth-network.lock");

  /// Masquerade (non-internal), hairpin, 127.0.0.0/8 masquerade, isolation from other berth
  /// bridges, no new connections into the bridge but published ports (internal: none at all),
  /// no 127.0.0.0/8 source from the bridge, no 127.0.0.0/8 destination from any interface but
  /// lo, `ip filter FORWARD` accepts; sets route_localnet=1 on the bridge. Replaces the
  /// network's previous rules atomically (idempotent).
  void add_network(const FirewallNetwork& network);

  /// Deletes every rule of the network: "berth net=<id>" and the endpoints' "... net=<id>".
  /// No error when there are none.
  void remove_network(const std::string& network_id);

  /// DNAT of the published ports for traffic from outside (prerouting) and from the host itself
  /// (output), to any local address or host_ip. Replaces the endpoint's previous rules on that
  /// network atomically (idempotent); an empty port list just removes them.
  void add_endpoint(const FirewallEndpoint& endpoint);

  /// Deletes the container's rules on `network_id`, or on every network when it is "".
  /// No error when there are none.
  void remove_endpoint(const std::string& container_id, const std::string& network_id = "");

  /// Network and container ids that own berth rules right now.
  FirewallTags tags() const;

  /// tags().networks and tags().containers in one list (sorted, unique).
  std::vector<std::string> tagged_ids() const;

 private:
  HostLock m_lock;
  std::string m_lock_path;
};

/// Pure part: the JSON commands, built from a view of the current ruleset (unit-tested).
namespace nft {

/// A berth-relevant rule that exists now.
struct RuleRef {
  std::string family;  ///< "inet" | "ip"
  std::string table;   ///< "berth" | "filter"
  std::string chain;
  uint64_t handle = 0;
  std::string comment;
};

/// What the builders need to know about the kernel's ruleset.
struct RulesetView {
  bool berth_table = false;               ///< table inet berth exists
  std::vector<std::string> berth_chains;  ///< its chains
  std::vector<RuleRef> berth_rules;       ///< every rule in it (comment may be "")
  bool filter_forward = false;            ///< table ip filter with chain FORWARD exists
  std::vector<RuleRef> filter_rules;      ///< FORWARD rules whose comment starts with "berth "
};

/// "berth net=<id>"
std::string network_comment(const std::string& network_id);
/// "berth host": the comment of the rule shared by all networks.
std::string host_comment();
/// "berth ctr=<container id> net=<network id>"
std::string endpoint_comment(const std::string& container_id, const std::string& network_id);

/// Builds the view from the output of list_commands() (a JSON array of `nft -j list` outputs).
RulesetView parse_view(const std::vector<nlohmann::json>& list_outputs);

/// {"nftables":[...]} transactions. Each deletes the owner's existing rules first (idempotence),
/// then adds; removals delete the shared rule when no network is left, emptied chains and,
/// when nothing berth is left, the table.
nlohmann::json add_network_commands(const FirewallNetwork& network, const RulesetView& view);
nlohmann::json add_endpoint_commands(const FirewallEndpoint& endpoint, const RulesetView& view);
/// Deletes rules whose comment is the network's, or an endpoint's on that network.
nlohmann::json remove_network_commands(const std::string& network_id, const RulesetView& view);
/// Deletes the container's rules (on `network_id`, or all when "").
nlohmann::json remove_endpoint_commands(const std::string& container_id, const std::string& network_id,
                                        const RulesetView& view);

/// Owners named by comments in the view.
FirewallTags tags_of(const RulesetView& view);

}  // namespace nft

}  // namespace berth::network
