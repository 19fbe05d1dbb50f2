#pragma once
// NetworkManager: the façade the engine uses for compose networks. It owns the registry files
// (`<root>/networks/<id>.json`: addressing + leases), the kernel objects (bridge, veth pairs,
// addresses, routes — via netlink) and calls the Firewall for nftables rules. Every method is
// idempotent so the engine can re-run it after a crash; host-wide steps (subnet choice, bridge
// creation, registry writes, firewall changes) run under the flock `/run/berth-network.lock`.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compose/network/firewall.hpp"
#include "compose/network/ipam.hpp"

namespace berth::network {

/// What the engine wants for one compose network (from model::Network).
struct NetworkConfig {
  std::string name;       ///< real name, e.g. "appdb_default" (the id derives from root + name)
  std::string project;    ///< owning compose project, recorded for `down`/orphans
  bool internal = false;  ///< no default route in containers, no masquerade, no forwarding out
  SubnetRequest ipam;     ///< first `ipam.config` entry; all empty = subnet from the pool
  int mtu = 0;            ///< 0 = driver_opts `com.docker.network.driver.mtu`, else 1500
  std::map<std::string, std::string> driver_opts;  ///< `driver_opts` (only the MTU key is used)
  std::map<std::string, std::string> labels;       ///< recorded in the registry file
};

/// A network as recorded (and, after ensure_network, as it exists in the kernel).
struct NetworkState {
  std::string id;                             ///< 12 hex
  std::string name;                           ///< real name
  std::string project;                        ///< owning project ("" if none)
  std::string bridge;                         ///< bridge link name "berth-<9 hex>"
  std::string subnet;                         ///< CIDR, e.g. "10.89.0.0/24"
  std::string gateway;                        ///< bridge address, e.g. "10.89.0.1" (also where berth-dns listens)
  int mtu = 1500;                             ///< bridge/veth MTU
  bool internal = false;                      ///< see NetworkConfig::internal
  std::map<std::string, std::string> leases;  ///< container id → address
};

/// One container joining one network.
struct AttachRequest {
  std::string container_id;        ///< 64 hex
  std::string network_id;          ///< NetworkState::id (the network must have been ensured)
  std::string netns_path;          ///< `<run>/netns/<container id>` (made with create_netns)
  unsigned interface_index = 0;    ///< the container end becomes `eth<interface_index>`
  std::string interface_name;      ///< compose `interface_name`: the container end's name instead
  std::string mac_address;         ///< compose `mac_address` ("aa:bb:cc:dd:ee:ff"), "" = 02:42 + IPv4
  std::string ipv4_address;        ///< requested address (`ipv4_address`), "" = from the lease table
  bool default_route = true;       ///< route via this gateway; ignored (never set) on internal networks
  std::vector<PortMapping> ports;  ///< published ports, ranges already expanded (firewall DNAT)
};

/// The result of attach: what the engine records in its state and the DNS records file.
struct Endpoint {
  std::string container_id;  ///< as requested
  std::string network_id;    ///< as requested
  std::string interface;     ///< name inside the netns, "eth0"
  std::string host_veth;     ///< host end, "berth<10 hex>" (a bridge port)
  std::string address;       ///< dotted quad
  int prefix = 24;           ///< subnet prefix length
  std::string gateway;       ///< the network's gateway
  std::string mac;           ///< container interface MAC, "aa:bb:cc:dd:ee:ff"
};

class NetworkManager {
 public:
  /// `root` holds the registry (`<root>/networks`), `run` the runtime state. `pool` is where
  /// automatic subnets come from (default 10.89.0.0/16 in /24 steps).
  NetworkManager(std::string root, std::string run, SubnetPool pool = {});

  /// Registry file (written before any kernel object), subnet (requested or first free in the
  /// pool, never overlapping host routes or other berth networks; kept once chosen), bridge with
  /// the gateway address, MTU, up; ip_forward on; firewall network rules. Idempotent: recreates
  /// a bridge that vanished. Throws on conflicts (std::invalid_argument for bad requests).
  NetworkState ensure_network(const NetworkConfig& config);

  /// Firewall rules of the network, its bridge, its registry file. Idempotent (absent = done).
  void remove_network(const std::string& network_id);

  /// Lease (kept per container id), veth pair (host end in the bridge), container end moved to
  /// the netns as eth<N> with MTU, address, up; lo up; default route if asked and not internal;
  /// firewall endpoint with the published ports. Idempotent: re-attaching after a restart keeps
  /// the address. A failure halfway removes what this call created.
  Endpoint attach(const AttachRequest& request);

  /// Firewall endpoint rules and the veth pair; the lease too when `release_lease`.
  /// Idempotent: missing links/rules/networks are not errors.
  void detach(const std::string& container_id, const std::string& network_id, bool release_lease);

  /// A network no project owns (the default bridge of `network_mode: bridge`): ensure_network
  /// and attach under one hold of the host lock, so a detach_shared of its last user cannot
  /// remove the network in between. `req.network_id` is set from `config`.
  Endpoint attach_shared(const NetworkConfig& config, AttachRequest req);

  /// detach (lease released) and, when no lease is left, remove_network, under one hold of the
  /// lock. True when the network went.
  bool detach_shared(const std::string& container_id, const std::string& network_id);

  /// The berth network of this real name in this root (for `external: true`), if recorded.
  std::optional<NetworkState> find_by_name(const std::string& name) const;

  /// The recorded network with this id, if any.
  std::optional<NetworkState> get(const std::string& network_id) const;

  /// Every recorded network of this root (reconcile, orphans, `down` after kill -9).
  std::vector<NetworkState> list() const;

  /// The id `name` has (or would have) in this root.
  std::string id_for(const std::string& name) const;

 private:
  // The public methods take NetworkLock (not reentrant) and call these.
  NetworkState ensure_network_locked(const NetworkConfig& config);
  void remove_network_locked(const std::string& network_id);
  Endpoint attach_locked(const AttachRequest& req);
  void detach_locked(const std::string& container_id, const std::string& network_id, bool release_lease);

  std::string m_root;
  std::string m_run;
  SubnetPool m_pool;
  Registry m_registry;
  Firewall m_firewall;
};

}  // namespace berth::network
