// IPv4 arithmetic, subnet choice and address leases. Pure: the kernel's routes and the other
// networks' subnets come in as plain values, so all of this is unit-tested without root.
#include "compose/network/ipam.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace berth::network {

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t out = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    // Leading zeros are refused: inet_aton would read them as octal, Docker refuses them too.
    if (p == end || *p < '0' || *p > '9' || (*p == '0' && p + 1 != end && p[1] >= '0' && p[1] <= '9'))
      return std::nullopt;
    unsigned octet = 0;
    auto [next, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc{} || octet > 255) return std::nullopt;
    out = out << 8 | octet;
    p = next;
  }
  if (p != end) return std::nullopt;
  return out;
}

std::string format_ipv4(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

std::optional<Ipv4Net> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  auto addr = parse_ipv4(text.substr(0, slash));
  if (!addr) return std::nullopt;
  unsigned prefix = 32;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 2) return std::nullopt;
    auto [next, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc{} || next != digits.data() + digits.size() || prefix > 32) return std::nullopt;
  }
  return Ipv4Net{*addr, static_cast<std::uint8_t>(prefix)};
}

std::string format_cidr(const Ipv4Net& net) { return fmt::format("{}/{}", format_ipv4(net.network()), net.prefix); }

bool overlaps(const Ipv4Net& a, const Ipv4Net& b) {
  // Two prefixes overlap exactly when the shorter one contains the other's base.
  const Ipv4Net& wide = a.prefix <= b.prefix ? a : b;
  const Ipv4Net& narrow = a.prefix <= b.prefix ? b : a;
  return wide.contains(narrow.network());
}

std::optional<Ipv4Net> choose_subnet(const SubnetPool& pool, const std::vector<Ipv4Net>& taken) {
  if (pool.step < pool.base.prefix || pool.step > 30) return std::nullopt;
  const std::uint64_t count = std::uint64_t{1} << (pool.step - pool.base.prefix);
  const std::uint64_t size = std::uint64_t{1} << (32 - pool.step);
  for (std::uint64_t i = 0; i < count; ++i) {
    Ipv4Net candidate{static_cast<std::uint32_t>(pool.base.network() + i * size), pool.step};
    bool free = true;
    for (const auto& t : taken) {
      if (overlaps(candidate, t)) {
        free = false;
        break;
      }
    }
    if (free) return candidate;
  }
  return std::nullopt;
}

namespace {

Ipv4Net require_cidr(const std::string& text, const char* what) {
  auto net = parse_cidr(text);
  if (!net || text.find('/') == std::string::npos)
    throw std::invalid_argument(fmt::format("invalid {} \"{}\": expected an IPv4 CIDR like 10.1.0.0/24", what, text));
  return *net;
}

}  // namespace

Addressing resolve_addressing(const SubnetRequest& req, const std::optional<Ipv4Net>& chosen) {
  Addressing out;
  if (!req.subnet.empty()) {
    out.subnet = require_cidr(req.subnet, "subnet");
    if (out.subnet.prefix > 30)
      throw std::invalid_argument(fmt::format("subnet {} is too small: at most /30", req.subnet));
  } else if (chosen) {
    out.subnet = *chosen;
  } else {
    throw std::runtime_error("no free subnet left in the address pool");
  }
  out.subnet.addr = out.subnet.network();
  if (!req.gateway.empty()) {
    auto gw = parse_ipv4(req.gateway);
    if (!gw) throw std::invalid_argument(fmt::format("invalid gateway \"{}\"", req.gateway));
    if (!out.subnet.contains(*gw))
      throw std::invalid_argument(fmt::format("gateway {} is not in subnet {}", req.gateway, format_cidr(out.subnet)));
    if (*gw == out.subnet.network() || *gw == out.subnet.broadcast())
      throw std::invalid_argument(
          fmt::format("gateway {} is the network or broadcast address of {}", req.gateway, format_cidr(out.subnet)));
    out.gateway = *gw;
  } else {
    out.gateway = out.subnet.network() + 1;
  }
  out.range = out.subnet;
  if (!req.ip_range.empty()) {
    auto range = require_cidr(req.ip_range, "ip_range");
    range.addr = range.network();
    if (range.prefix < out.subnet.prefix || !out.subnet.contains(range.network()))
      throw std::invalid_argument(
          fmt::format("ip_range {} is not inside subnet {}", req.ip_range, format_cidr(out.subnet)));
    out.range = range;
  }
  return out;
}

Addressing addressing_of(const NetworkRecord& r) {
  try {
    return resolve_addressing({r.subnet, r.gateway, r.ip_range}, std::nullopt);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("network {} registry: {}", r.id, e.what()));
  }
}

std::string lease_address(NetworkRecord& r, const std::string& container_id, const std::string& requested) {
  const Addressing a = addressing_of(r);
  auto taken_by_other = [&](std::uint32_t addr) {
    const std::string text = format_ipv4(addr);
    for (const auto& [id, ip] : r.leases)
      if (ip == text && id != container_id) return true;
    return false;
  };
  auto unusable = [&](std::uint32_t addr) {
    return addr == a.subnet.network() || addr == a.subnet.broadcast() || addr == a.gateway;
  };
  if (!requested.empty()) {
    auto want = parse_ipv4(requested);
    if (!want) throw std::invalid_argument(fmt::format("invalid ipv4_address \"{}\"", requested));
    if (!a.subnet.contains(*want))
      throw std::invalid_argument(
          fmt::format("ipv4_address {} is not in subnet {} of network {}", requested, format_cidr(a.subnet), r.name));
    if (unusable(*want))
      throw std::invalid_argument(
          fmt::format("ipv4_address {} is the network, broadcast or gateway address of network {}", requested, r.name));
    if (taken_by_other(*want))
      throw std::invalid_argument(fmt::format("ipv4_address {} is already in use on network {}", requested, r.name));
    r.leases[container_id] = format_ipv4(*want);
    return r.leases[container_id];
  }
  if (auto it = r.leases.find(container_id); it != r.leases.end()) return it->second;
  for (std::uint64_t addr = a.range.network(); addr <= a.range.broadcast(); ++addr) {
    const auto candidate = static_cast<std::uint32_t>(addr);
    if (unusable(candidate) || !a.subnet.contains(candidate) || taken_by_other(candidate)) continue;
    r.leases[container_id] = format_ipv4(candidate);
    return r.leases[container_id];
  }
  throw std::runtime_error(fmt::format("network {}: no free address left in {}", r.name, format_cidr(a.range)));
}

bool release_address(NetworkRecord& r, const std::string& container_id) { return r.leases.erase(container_id) > 0; }

}  // namespace berth::network
