// NetworkManager::attach/detach: one container's veth on one network (container MAC 02:42:<ipv4>,
// as Docker). Order of an attach:
// lease (recorded first, so a crash still knows the address), veth pair created with the peer
// directly inside the container's netns, host end enslaved to the bridge and up, the peer
// renamed eth<N>, address, up, lo up, default route, then the firewall's DNAT rules. Any failure
// removes the veth (LinkGuard: deleting one end deletes the pair) and a lease made by this call.
#include <fmt/format.h>

#include <stdexcept>

#include "common/scope_exit.hpp"
#include "compose/network/manager.hpp"
#include "compose/network/netlink.hpp"
#include "compose/network/netns.hpp"
#include "compose/network/network_lock.hpp"

namespace berth::network {

namespace {

// The endpoint is already complete (a re-attach of a running container): host end in the
// bridge and up, container end with its address and up.
bool endpoint_intact(NlSocket& host, NlSocket& ns, const std::string& host_veth, int bridge_index,
                     const std::string& ifname, std::uint32_t address) {
  auto h = find_link(host, host_veth);
  if (!h || h->master != bridge_index || !h->up) return false;
  auto c = find_link(ns, ifname);
  return c && c->up && has_ipv4_address(ns, c->index, address);
}

// Docker's scheme: 02:42 + the IPv4 address. A container that comes back with the same address
// also has the same MAC, so its peers' ARP entries stay valid across restarts.
std::array<unsigned char, 6> mac_for(std::uint32_t addr) {
  return {0x02,
          0x42,
          static_cast<unsigned char>(addr >> 24),
          static_cast<unsigned char>(addr >> 16),
          static_cast<unsigned char>(addr >> 8),
          static_cast<unsigned char>(addr)};
}

// A compose `mac_address`: six hex pairs separated by ':' or '-' (Go's net.ParseMAC for
// EUI-48); a multicast address cannot be an interface's own (the kernel refuses it).
std::array<unsigned char, 6> parse_endpoint_mac(const std::string& text) {
  std::array<unsigned char, 6> mac{};
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  bool ok = text.size() == 17;
  for (std::size_t i = 0; ok && i < 6; ++i) {
    int hi = hex(text[3 * i]), lo = hex(text[3 * i + 1]);
    ok = hi >= 0 && lo >= 0 && (i == 5 || text[3 * i + 2] == ':' || text[3 * i + 2] == '-');
    mac[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  if (!ok) throw std::invalid_argument(fmt::format("invalid MAC address: {}", text));
  if (mac[0] & 1) throw std::invalid_argument(fmt::format("invalid MAC address: {} is a multicast address", text));
  return mac;
}

}  // namespace

Endpoint NetworkManager::attach(const AttachRequest& req) {
  NetworkLock lock;
  return attach_locked(req);
}

Endpoint NetworkManager::attach_shared(const NetworkConfig& config, AttachRequest req) {
  NetworkLock lock;
  req.network_id = ensure_network_locked(config).id;
  return attach_locked(req);
}

Endpoint NetworkManager::attach_locked(const AttachRequest& req) {
  if (req.container_id.empty()) throw std::invalid_argument("attach: empty container id");
  if (!netns_exists(req.netns_path))
    throw std::runtime_error(fmt::format("attach container {} to network {}: `{}` is not a network namespace",
                                         req.container_id, req.network_id, req.netns_path));
  std::optional<NetworkRecord> loaded = m_registry.load(req.network_id);
  if (!loaded) throw std::runtime_error(fmt::format("attach: network {} does not exist", req.network_id));
  NetworkRecord rec = std::move(*loaded);
  const Addressing a = addressing_of(rec);

  const bool had_lease = rec.leases.contains(req.container_id);
  const std::string previous = had_lease ? rec.leases.at(req.container_id) : std::string{};
  const std::string address = lease_address(rec, req.container_id, req.ipv4_address);
  if (!had_lease || previous != address) m_registry.save(rec);
  ScopeExit undo_lease([&] {
    try {
      if (!had_lease) {
        release_address(rec, req.container_id);
        m_registry.save(rec);
      }
    } catch (...) {
      // Best effort: the original failure is what the caller needs to see.
    }
  });
  const std::uint32_t addr = *parse_ipv4(address);

  NlSocket host = NlSocket::open();
  auto bridge = find_link(host, rec.bridge);
  if (!bridge)
    throw std::runtime_error(fmt::format("attach: bridge `{}` of network {} is missing", rec.bridge, rec.name));
  NlSocket ns = NlSocket::open_in(req.netns_path);
  const std::string host_veth = host_veth_name(req.container_id, rec.id);
  const std::string peer = peer_veth_name(req.container_id, rec.id);
  const std::string ifname =
      req.interface_name.empty() ? fmt::format("eth{}", req.interface_index) : req.interface_name;
  const std::array<unsigned char, 6> mac =
      req.mac_address.empty() ? mac_for(addr) : parse_endpoint_mac(req.mac_address);
  const bool route = req.default_route && !rec.internal;

  std::optional<LinkGuard> guard;
  if (!endpoint_intact(host, ns, host_veth, bridge->index, ifname, addr)) {
    // Half-made or stale (after a crash or a bridge recreation): start over. Deleting the host
    // end also removes its peer in the namespace.
    delete_link(host, host_veth);
    if (find_link(ns, ifname))
      throw std::runtime_error(fmt::format("attach container {}: interface `{}` already exists in `{}`",
                                           req.container_id, ifname, req.netns_path));
    delete_link(ns, peer);  // a peer whose host end is gone cannot exist, but be exact
    UniqueFd nsfd = open_netns(req.netns_path);
    create_veth(host, host_veth, peer, static_cast<unsigned>(rec.mtu), nsfd.get(), bridge->index, mac);
    guard.emplace(host, host_veth);
    set_link(host, host_veth, true);
    set_link(ns, peer, false, 0, ifname);
    auto inside = find_link(ns, ifname);
    if (!inside) throw std::runtime_error(fmt::format("attach: `{}` vanished in `{}`", ifname, req.netns_path));
    add_ipv4_address(ns, inside->index, addr, a.subnet.prefix, ifname);
    set_link(ns, ifname, true);
  }
  set_link(ns, "lo", true);
  auto inside = find_link(ns, ifname);
  if (!inside) throw std::runtime_error(fmt::format("attach: `{}` vanished in `{}`", ifname, req.netns_path));
  if (route) set_default_route(ns, inside->index, a.gateway, ifname);

  m_firewall.add_endpoint(FirewallEndpoint{req.container_id, rec.id, rec.bridge, address, req.ports});
  if (guard) guard->dismiss();
  undo_lease.dismiss();
  return Endpoint{req.container_id, rec.id, ifname, host_veth, address, a.subnet.prefix, rec.gateway, inside->mac};
}

void NetworkManager::detach(const std::string& container_id, const std::string& network_id, bool release_lease) {
  NetworkLock lock;
  detach_locked(container_id, network_id, release_lease);
}

bool NetworkManager::detach_shared(const std::string& container_id, const std::string& network_id) {
  NetworkLock lock;
  detach_locked(container_id, network_id, true);
  auto rec = m_registry.load(network_id);
  if (!rec || !rec->leases.empty()) return false;
  remove_network_locked(network_id);
  return true;
}

void NetworkManager::detach_locked(const std::string& container_id, const std::string& network_id, bool release_lease) {
  m_firewall.remove_endpoint(container_id, network_id);
  NlSocket host = NlSocket::open();
  delete_link(host, host_veth_name(container_id, network_id));
  if (!release_lease) return;
  if (auto rec = m_registry.load(network_id); rec && release_address(*rec, container_id)) m_registry.save(*rec);
}

}  // namespace berth::network
