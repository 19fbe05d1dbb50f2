// Links, addresses and routes over rtnetlink with libnl-route-3 (no `ip` commands). libnl
// reports errors as negative NLE_* codes; nl_geterror() gives their text, which goes into the
// message together with the operation and the link name. Sockets are bound to the namespace
// they were opened in, which is how the manager configures the inside of a container's netns.
#include "compose/network/netlink.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/network/netns.hpp"

namespace berth::network {

namespace {

template <class T, void (*Free)(T*)>
struct NlFree {
  void operator()(T* p) const {
    if (p) Free(p);
  }
};
using LinkPtr = std::unique_ptr<rtnl_link, NlFree<rtnl_link, rtnl_link_put>>;
using AddrPtr = std::unique_ptr<rtnl_addr, NlFree<rtnl_addr, rtnl_addr_put>>;
using RoutePtr = std::unique_ptr<rtnl_route, NlFree<rtnl_route, rtnl_route_put>>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlFree<nl_addr, nl_addr_put>>;
using CachePtr = std::unique_ptr<nl_cache, NlFree<nl_cache, nl_cache_free>>;

[[noreturn]] void fail(const std::string& what, int err) {
  throw std::runtime_error(fmt::format("{}: {}", what, nl_geterror(err)));
}

LinkPtr get_link(NlSocket& sk, const std::string& name) {
  rtnl_link* link = nullptr;
  int err = rtnl_link_get_kernel(sk.get(), 0, name.c_str(), &link);
  if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return nullptr;
  if (err < 0) fail(fmt::format("get link `{}`", name), err);
  return LinkPtr(link);
}

NlAddrPtr ipv4(std::uint32_t host_order, std::uint8_t prefix) {
  std::uint32_t be = htonl(host_order);
  NlAddrPtr a(nl_addr_build(AF_INET, &be, sizeof be));
  if (!a) throw std::bad_alloc();
  nl_addr_set_prefixlen(a.get(), prefix);
  return a;
}

}  // namespace

void NlSocket::Deleter::operator()(nl_sock* s) const { nl_socket_free(s); }

NlSocket NlSocket::open() {
  NlSocket out;
  out.m_sock.reset(nl_socket_alloc());
  if (!out.m_sock) throw std::bad_alloc();
  if (int err = nl_connect(out.get(), NETLINK_ROUTE); err < 0) fail("connect rtnetlink socket", err);
  return out;
}

NlSocket NlSocket::open_in(const std::string& netns_path) {
  NlSocket out;
  run_in_netns(netns_path, [&] { out = open(); });
  return out;
}

std::optional<LinkInfo> find_link(NlSocket& sk, const std::string& name) {
  LinkPtr link = get_link(sk, name);
  if (!link) return std::nullopt;
  LinkInfo info;
  info.index = rtnl_link_get_ifindex(link.get());
  info.master = rtnl_link_get_master(link.get());
  info.mtu = rtnl_link_get_mtu(link.get());
  info.up = (rtnl_link_get_flags(link.get()) & IFF_UP) != 0;
  if (nl_addr* mac = rtnl_link_get_addr(link.get())) {
    char buf[64];
    info.mac = nl_addr2str(mac, buf, sizeof buf);
  }
  return info;
}

bool create_bridge(NlSocket& sk, const std::string& name, unsigned mtu, const std::array<unsigned char, 6>& mac) {
  LinkPtr link(rtnl_link_alloc());
  if (!link) throw std::bad_alloc();
  rtnl_link_set_name(link.get(), name.c_str());
  // A bridge without an assigned MAC takes the lowest MAC of its ports, so the gateway's MAC
  // would change whenever a container joins and the others' ARP entries would go stale.
  NlAddrPtr lladdr(nl_addr_build(AF_LLC, mac.data(), mac.size()));
  if (!lladdr) throw std::bad_alloc();
  rtnl_link_set_addr(link.get(), lladdr.get());
  if (int err = rtnl_link_set_type(link.get(), "bridge"); err < 0) fail("bridge link type", err);
  if (mtu) rtnl_link_set_mtu(link.get(), mtu);
  int err = rtnl_link_add(sk.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err == -NLE_EXIST) return false;
  if (err < 0) fail(fmt::format("create bridge `{}`", name), err);
  return true;
}

void create_veth(NlSocket& sk, const std::string& host, const std::string& peer, unsigned mtu, int netns_fd, int master,
                 const std::array<unsigned char, 6>& peer_mac) {
  LinkPtr link(rtnl_link_veth_alloc());
  if (!link) throw std::bad_alloc();
  LinkPtr peer_link(rtnl_link_veth_get_peer(link.get()));
  rtnl_link_set_name(link.get(), host.c_str());
  rtnl_link_set_name(peer_link.get(), peer.c_str());
  if (mtu) {
    rtnl_link_set_mtu(link.get(), mtu);
    rtnl_link_set_mtu(peer_link.get(), mtu);
  }
  if (master) rtnl_link_set_master(link.get(), master);
  NlAddrPtr lladdr(nl_addr_build(AF_LLC, peer_mac.data(), peer_mac.size()));
  if (!lladdr) throw std::bad_alloc();
  rtnl_link_set_addr(peer_link.get(), lladdr.get());
  // IFLA_NET_NS_FD on the peer: the kernel creates it directly inside the container's netns,
  // so the temporary name never has to be unique on the host.
  rtnl_link_set_ns_fd(peer_link.get(), netns_fd);
  if (int err = rtnl_link_add(sk.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0)
    fail(fmt::format("create veth `{}` (peer `{}`)", host, peer), err);
}

void set_link(NlSocket& sk, const std::string& name, bool up, unsigned mtu, const std::string& new_name) {
  LinkPtr orig = get_link(sk, name);
  if (!orig) throw std::runtime_error(fmt::format("set link `{}`: no such link", name));
  // Renaming needs the link down, so it is a step of its own before MTU and flags.
  if (!new_name.empty() && new_name != name) {
    LinkPtr change(rtnl_link_alloc());
    rtnl_link_set_name(change.get(), new_name.c_str());
    if (int err = rtnl_link_change(sk.get(), orig.get(), change.get(), 0); err < 0)
      fail(fmt::format("rename link `{}` to `{}`", name, new_name), err);
  }
  if (!mtu && !up) return;
  LinkPtr change(rtnl_link_alloc());
  if (mtu) rtnl_link_set_mtu(change.get(), mtu);
  if (up) rtnl_link_set_flags(change.get(), IFF_UP);
  if (int err = rtnl_link_change(sk.get(), orig.get(), change.get(), 0); err < 0)
    fail(fmt::format("set link `{}`{}{}", new_name.empty() ? name : new_name, up ? " up" : "",
                     mtu ? fmt::format(" mtu {}", mtu) : ""),
         err);
}

bool delete_link(NlSocket& sk, const std::string& name) {
  LinkPtr link(rtnl_link_alloc());
  rtnl_link_set_name(link.get(), name.c_str());
  int err = rtnl_link_delete(sk.get(), link.get());
  if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return false;
  if (err < 0) fail(fmt::format("delete link `{}`", name), err);
  return true;
}

void add_ipv4_address(NlSocket& sk, int ifindex, std::uint32_t addr, std::uint8_t prefix,
                      const std::string& link_name) {
  AddrPtr a(rtnl_addr_alloc());
  rtnl_addr_set_ifindex(a.get(), ifindex);
  rtnl_addr_set_family(a.get(), AF_INET);
  if (int err = rtnl_addr_set_local(a.get(), ipv4(addr, prefix).get()); err < 0) fail("address", err);
  Ipv4Net net{addr, prefix};
  if (prefix < 31) rtnl_addr_set_broadcast(a.get(), ipv4(net.broadcast(), 32).get());
  int err = rtnl_addr_add(sk.get(), a.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err == -NLE_EXIST) return;
  if (err < 0) fail(fmt::format("add address {}/{} to `{}`", format_ipv4(addr), prefix, link_name), err);
}

bool has_ipv4_address(NlSocket& sk, int ifindex, std::uint32_t addr) {
  nl_cache* raw = nullptr;
  if (int err = rtnl_addr_alloc_cache(sk.get(), &raw); err < 0) fail("list addresses", err);
  CachePtr cache(raw);
  bool found = false;
  const std::uint32_t be = htonl(addr);
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    nl_addr* local = rtnl_addr_get_local(a);
    if (rtnl_addr_get_ifindex(a) == ifindex && rtnl_addr_get_family(a) == AF_INET && local &&
        nl_addr_get_len(local) == 4 && std::memcmp(nl_addr_get_binary_addr(local), &be, 4) == 0)
      found = true;
  }
  return found;
}

void set_default_route(NlSocket& sk, int ifindex, std::uint32_t gateway, const std::string& link_name) {
  RoutePtr r(rtnl_route_alloc());
  rtnl_route_set_family(r.get(), AF_INET);
  rtnl_route_set_table(r.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(r.get(), RTPROT_BOOT);
  rtnl_route_set_scope(r.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(r.get(), RTN_UNICAST);
  rtnl_route_set_dst(r.get(), ipv4(0, 0).get());
  rtnl_nexthop* nh = rtnl_route_nh_alloc();  // owned by the route once added to it
  rtnl_route_nh_set_ifindex(nh, ifindex);
  rtnl_route_nh_set_gateway(nh, ipv4(gateway, 32).get());
  rtnl_route_add_nexthop(r.get(), nh);
  if (int err = rtnl_route_add(sk.get(), r.get(), NLM_F_CREATE | NLM_F_REPLACE); err < 0)
    fail(fmt::format("add default route via {} on `{}`", format_ipv4(gateway), link_name), err);
}

namespace {

std::vector<std::pair<Ipv4Net, bool>> main_routes(NlSocket& sk) {
  nl_cache* raw = nullptr;
  if (int err = rtnl_route_alloc_cache(sk.get(), AF_INET, 0, &raw); err < 0) fail("list routes", err);
  CachePtr cache(raw);
  std::vector<std::pair<Ipv4Net, bool>> out;
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    if (rtnl_route_get_table(r) != RT_TABLE_MAIN) continue;
    nl_addr* dst = rtnl_route_get_dst(r);
    if (!dst) continue;
    std::uint32_t be = 0;
    if (nl_addr_get_len(dst) == 4) std::memcpy(&be, nl_addr_get_binary_addr(dst), 4);
    const auto prefix = static_cast<std::uint8_t>(nl_addr_get_prefixlen(dst));
    out.push_back({Ipv4Net{ntohl(be), prefix}, prefix == 0});
  }
  return out;
}

}  // namespace

bool has_default_route(NlSocket& sk) {
  for (const auto& [net, is_default] : main_routes(sk))
    if (is_default) return true;
  return false;
}

std::vector<Ipv4Net> ipv4_routes(NlSocket& sk) {
  std::vector<Ipv4Net> out;
  // The default route covers everything; it says nothing about which ranges are in use.
  for (const auto& [net, is_default] : main_routes(sk))
    if (!is_default) out.push_back(net);
  return out;
}

LinkGuard::~LinkGuard() {
  if (!m_sk) return;
  try {
    delete_link(*m_sk, m_name);
  } catch (...) {
    // Rollback is best effort: the original error is the one the caller needs to see.
  }
}

void write_sysctl(const std::string& key, const std::string& value) {
  std::string path = "/proc/sys/" + key;
  for (auto i = std::string("/proc/sys/").size(); i < path.size(); ++i)
    if (path[i] == '.') path[i] = '/';
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw_errno(fmt::format("open `{}`", path));
  if (::write(fd.get(), value.data(), value.size()) < 0) throw_errno(fmt::format("write `{}`", path));
}

}  // namespace berth::network
