#pragma once
// Thin RAII layer over libnl-route-3 for what networks need: links (bridge, veth), IPv4
// addresses, routes, and reading the main routing table. Internal to compose/network.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compose/network/ipam.hpp"

struct nl_sock;

namespace berth::network {

/// A connected NETLINK_ROUTE socket, bound to the network namespace it was opened in.
class NlSocket {
 public:
  /// Socket in the calling thread's namespace.
  static NlSocket open();
  /// Socket inside the namespace at `netns_path` (opened by a thread that setns()es there).
  static NlSocket open_in(const std::string& netns_path);

  nl_sock* get() const { return m_sock.get(); }

 private:
  struct Deleter {
    void operator()(nl_sock* s) const;
  };
  std::unique_ptr<nl_sock, Deleter> m_sock;
};

/// Facts about one link.
struct LinkInfo {
  int index = 0;
  int master = 0;  ///< ifindex of the bridge it is a port of, 0 = none
  unsigned mtu = 0;
  bool up = false;
  std::string mac;  ///< "aa:bb:..."
};

/// The link named `name`, or nullopt.
std::optional<LinkInfo> find_link(NlSocket& sk, const std::string& name);

/// Creates a bridge (down) with `mtu` and the fixed MAC `mac` (6 bytes); returns false when a
/// link of that name already exists.
bool create_bridge(NlSocket& sk, const std::string& name, unsigned mtu, const std::array<unsigned char, 6>& mac);

/// Creates a veth pair: `host` here as a port of bridge `master`, `peer` created directly in
/// the namespace `netns_fd` with MAC `peer_mac`; both with `mtu`, both down. Throws when `host`
/// exists.
void create_veth(NlSocket& sk, const std::string& host, const std::string& peer, unsigned mtu, int netns_fd, int master,
                 const std::array<unsigned char, 6>& peer_mac);

/// Brings the link up (and, if `mtu` != 0, sets the MTU; if `new_name` is set, renames it first).
void set_link(NlSocket& sk, const std::string& name, bool up, unsigned mtu = 0, const std::string& new_name = {});

/// Deletes the link; returns false when it did not exist.
bool delete_link(NlSocket& sk, const std::string& name);

/// Adds `addr`/`prefix` (with broadcast) to link `ifindex`; an existing address is kept.
void add_ipv4_address(NlSocket& sk, int ifindex, std::uint32_t addr, std::uint8_t prefix, const std::string& link_name);

/// True when link `ifindex` carries `addr`.
bool has_ipv4_address(NlSocket& sk, int ifindex, std::uint32_t addr);

/// Adds or replaces the IPv4 default route via `gateway` on `ifindex` (main table).
void set_default_route(NlSocket& sk, int ifindex, std::uint32_t gateway, const std::string& link_name);

/// True when the main table has an IPv4 default route.
bool has_default_route(NlSocket& sk);

/// Every IPv4 destination prefix of the main routing table except default routes.
std::vector<Ipv4Net> ipv4_routes(NlSocket& sk);

/// Deletes a link when it goes out of scope unless dismissed: rollback of a half-done attach.
class LinkGuard {
 public:
  LinkGuard(NlSocket& sk, std::string name) : m_sk(&sk), m_name(std::move(name)) {}
  LinkGuard(const LinkGuard&) = delete;
  LinkGuard& operator=(const LinkGuard&) = delete;
  ~LinkGuard();
  void dismiss() { m_sk = nullptr; }

 private:
  NlSocket* m_sk;
  std::string m_name;
};

/// Writes `value` to /proc/sys/<key with dots as slashes>; throws SysError.
void write_sysctl(const std::string& key, const std::string& value);

}  // namespace berth::network
