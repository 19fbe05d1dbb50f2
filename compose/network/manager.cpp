// NetworkManager: registry file first (intent), then kernel objects, then firewall rules; each
// step idempotent so a re-run after a crash converges. Host-wide steps run under
// /run/berth-network.lock (NetworkLock); the Firewall is built with HostLock::held_by_caller and
// only ever called while this class holds that lock.
#include "compose/network/manager.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "common/scope_exit.hpp"
#include "compose/network/netlink.hpp"
#include "compose/network/netns.hpp"
#include "compose/network/network_lock.hpp"

namespace berth::network {

namespace {

constexpr const char* kMtuOption = "com.docker.network.driver.mtu";

int resolve_mtu(const NetworkConfig& c) {
  int mtu = c.mtu;
  if (mtu == 0) {
    auto it = c.driver_opts.find(kMtuOption);
    if (it == c.driver_opts.end()) return 1500;
    const std::string& text = it->second;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), mtu);
    if (ec != std::errc{} || p != text.data() + text.size())
      throw std::invalid_argument(
          fmt::format("network {}: driver_opts {}: \"{}\" is not a number", c.name, kMtuOption, text));
  }
  if (mtu < 68 || mtu > 65535)
    throw std::invalid_argument(fmt::format("network {}: MTU {} is out of range 68..65535", c.name, mtu));
  return mtu;
}

NetworkState state_of(const NetworkRecord& r) {
  return NetworkState{r.id, r.name, r.project, r.bridge, r.subnet, r.gateway, r.mtu, r.internal, r.leases};
}

// Locally administered, derived from the network id so a recreated bridge keeps its MAC.
std::array<unsigned char, 6> bridge_mac(const std::string& id) {
  std::array<unsigned char, 6> mac{0x02, 0, 0, 0, 0, 0};
  for (std::size_t i = 1; i < 6; ++i)
    mac[i] = static_cast<unsigned char>(std::stoul(id.substr(2 * (i - 1), 2), nullptr, 16));
  return mac;
}

// Routes that say nothing about other users of an address range: the bridge's own subnet
// route (when it survived a registry loss) is excluded by the caller deleting stale bridges.
std::vector<Ipv4Net> taken_ranges(NlSocket& sk, const Registry& registry, const std::string& except_id) {
  std::vector<Ipv4Net> taken = ipv4_routes(sk);
  for (const auto& r : registry.list()) {
    if (r.id == except_id) continue;
    if (auto net = parse_cidr(r.subnet)) taken.push_back(*net);
  }
  return taken;
}

}  // namespace

NetworkManager::NetworkManager(std::string root, std::string run, SubnetPool pool)
    : m_root(std::move(root)),
      m_run(std::move(run)),
      m_pool(pool),
      m_registry(m_root),
      m_firewall(HostLock::held_by_caller) {}

std::string NetworkManager::id_for(const std::string& name) const { return network_id(m_root, name); }

NetworkState NetworkManager::ensure_network(const NetworkConfig& config) {
  NetworkLock lock;
  return ensure_network_locked(config);
}

NetworkState NetworkManager::ensure_network_locked(const NetworkConfig& config) {
  if (config.name.empty()) throw std::invalid_argument("network without a name");
  const int mtu = resolve_mtu(config);
  const std::string id = id_for(config.name);
  NlSocket sk = NlSocket::open();

  std::optional<NetworkRecord> existing = m_registry.load(id);
  const bool fresh = !existing;
  NetworkRecord rec;
  if (existing) {
    rec = std::move(*existing);
  } else {
    rec.id = id;
    rec.name = config.name;
    rec.project = config.project;
    rec.bridge = bridge_name(id);
    rec.mtu = mtu;
    rec.internal = config.internal;
    rec.labels = config.labels;
    // No record but a bridge of that name: left by a crash after the registry file went away;
    // its address and routes would mislead the subnet choice.
    delete_link(sk, rec.bridge);
    std::vector<Ipv4Net> taken = taken_ranges(sk, m_registry, id);
    std::optional<Ipv4Net> chosen;
    if (config.ipam.subnet.empty()) {
      chosen = choose_subnet(m_pool, taken);
      if (!chosen)
        throw std::runtime_error(fmt::format("network {}: no free subnet left in pool {} (/{} steps)", config.name,
                                             format_cidr(m_pool.base), m_pool.step));
    }
    const Addressing a = resolve_addressing(config.ipam, chosen);
    if (!config.ipam.subnet.empty()) {
      for (const auto& t : taken)
        if (overlaps(a.subnet, t))
          throw std::invalid_argument(fmt::format("network {}: subnet {} overlaps {} already in use on this host",
                                                  config.name, format_cidr(a.subnet), format_cidr(t)));
    }
    rec.subnet = format_cidr(a.subnet);
    rec.gateway = format_ipv4(a.gateway);
    rec.ip_range = config.ipam.ip_range.empty() ? "" : format_cidr(a.range);
    m_registry.save(rec);  // intent before the bridge exists: `down` after kill -9 finds it
  }
  ScopeExit forget([&] {
    try {
      if (fresh) m_registry.remove(id);
    } catch (...) {
      // Rollback is best effort; the error that got us here is the one to report.
    }
  });

  const Addressing a = addressing_of(rec);
  const bool created = create_bridge(sk, rec.bridge, static_cast<unsigned>(rec.mtu), bridge_mac(id));
  LinkGuard bridge_guard(sk, rec.bridge);
  if (!created) bridge_guard.dismiss();  // an existing bridge is never rolled back
  auto info = find_link(sk, rec.bridge);
  if (!info) throw std::runtime_error(fmt::format("bridge `{}` vanished while being configured", rec.bridge));
  add_ipv4_address(sk, info->index, a.gateway, a.subnet.prefix, rec.bridge);
  set_link(sk, rec.bridge, true);
  if (!rec.internal) write_sysctl("net.ipv4.ip_forward", "1");
  m_firewall.add_network(FirewallNetwork{rec.id, rec.bridge, rec.subnet, rec.gateway, rec.internal});
  bridge_guard.dismiss();
  forget.dismiss();
  return state_of(rec);
}

void NetworkManager::remove_network(const std::string& network_id) {
  NetworkLock lock;
  remove_network_locked(network_id);
}

void NetworkManager::remove_network_locked(const std::string& network_id) {
  std::optional<NetworkRecord> rec = m_registry.load(network_id);
  const std::string bridge = rec ? rec->bridge : bridge_name(network_id);
  m_firewall.remove_network(network_id);
  NlSocket sk = NlSocket::open();
  // Host veth ends of containers still leased here would otherwise outlive their bridge.
  if (rec)
    for (const auto& [container_id, address] : rec->leases) delete_link(sk, host_veth_name(container_id, network_id));
  delete_link(sk, bridge);
  m_registry.remove(network_id);
}

std::optional<NetworkState> NetworkManager::get(const std::string& network_id) const {
  if (auto rec = m_registry.load(network_id)) return state_of(*rec);
  return std::nullopt;
}

std::optional<NetworkState> NetworkManager::find_by_name(const std::string& name) const {
  auto state = get(id_for(name));
  if (state && state->name != name) return std::nullopt;
  return state;
}

std::vector<NetworkState> NetworkManager::list() const {
  std::vector<NetworkState> out;
  for (const auto& r : m_registry.list()) out.push_back(state_of(r));
  return out;
}

}  // namespace berth::network
