// The records table: built once from the file, then only read (by any number of queries at
// once). Reload builds a new table; nothing here is ever modified after parse() returns except
// the rotation counter.
#include "dns/records.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dns/upstream.hpp"

namespace berth::dns {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s(text);
  IpAddress a;
  if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  a.v6 = true;
  if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
  return std::nullopt;
}

IpAddress IpAddress::v4_from(const std::array<uint8_t, 4>& b) {
  IpAddress a;
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}

IpAddress IpAddress::v6_from(const std::array<uint8_t, 16>& b) {
  IpAddress a;
  a.bytes = b;
  a.v6 = true;
  return a;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

size_t IpAddressHash::operator()(const IpAddress& a) const noexcept {
  size_t h = a.v6 ? 0x9e3779b97f4a7c15ull : 0;
  for (uint8_t b : a.bytes) h = (h ^ b) * 0x100000001b3ull;
  return h;
}

namespace {

using nlohmann::json;

std::string normalize(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return lowercase(name);
}

const json& require(const json& obj, const char* key, json::value_t type, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) throw RecordsError(where + ": missing `" + key + "`");
  bool ok = it->type() == type || (type == json::value_t::number_unsigned && it->is_number_integer() && *it >= 0);
  if (!ok) throw RecordsError(where + "." + key + ": wrong type");
  return *it;
}

std::string checked_name(const json& v, const std::string& where) {
  if (!v.is_string()) throw RecordsError(where + ": not a string");
  std::string name = normalize(v.get<std::string>());
  if (name.empty() || !split_name(name))
    throw RecordsError(where + ": `" + v.get<std::string>() + "` is not a DNS name");
  return name;
}

IpAddress checked_address(const json& v, const std::string& where) {
  if (!v.is_string()) throw RecordsError(where + ": not a string");
  auto a = IpAddress::parse(v.get<std::string>());
  if (!a) throw RecordsError(where + ": `" + v.get<std::string>() + "` is not an IP address");
  return *a;
}

/// The container's `upstreams`, normalised and without duplicates (order kept: c-ares tries
/// servers in order).
Records::UpstreamSet checked_upstreams(const json& list, const std::string& where) {
  if (!list.is_array()) throw RecordsError(where + ": wrong type");
  Records::UpstreamSet out;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string at = where + "[" + std::to_string(i) + "]";
    if (!list[i].is_string()) throw RecordsError(at + ": not a string");
    std::string entry = upstream_csv_entry(list[i].get<std::string>());
    if (entry.empty())
      throw RecordsError(at + ": `" + list[i].get<std::string>() + "` is not IP, IPv4:PORT or [IPv6]:PORT");
    if (std::find(out.begin(), out.end(), entry) == out.end()) out.push_back(std::move(entry));
  }
  return out;
}

bool ends_with_domain(std::string_view name, std::string_view domain) {
  return name.size() > domain.size() + 1 && name.ends_with(domain) && name[name.size() - domain.size() - 1] == '.';
}

}  // namespace

std::shared_ptr<const Records> Records::parse(std::string_view json_text) {
  json doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) throw RecordsError("not valid JSON");
  if (!doc.is_object()) throw RecordsError("top level is not an object");
  auto r = std::make_shared<Records>();
  if (doc.contains("ttl")) {
    const json& ttl = require(doc, "ttl", json::value_t::number_unsigned, "");
    r->m_ttl = static_cast<uint32_t>(std::min<uint64_t>(ttl.get<uint64_t>(), 0x7fffffff));
  }
  if (doc.contains("search")) {
    const json& search = require(doc, "search", json::value_t::array, "");
    for (size_t i = 0; i < search.size(); ++i)
      r->m_search.push_back(checked_name(search[i], "search[" + std::to_string(i) + "]"));
  }
  std::unordered_map<std::string, uint32_t> network_index;
  const json& networks = require(doc, "networks", json::value_t::array, "");
  for (size_t i = 0; i < networks.size(); ++i) {
    std::string where = "networks[" + std::to_string(i) + "]";
    if (!networks[i].is_object()) throw RecordsError(where + ": not an object");
    std::string id = require(networks[i], "id", json::value_t::string, where).get<std::string>();
    if (!network_index.emplace(id, static_cast<uint32_t>(r->m_network_ids.size())).second)
      throw RecordsError(where + ": duplicate network id `" + id + "`");
    r->m_network_ids.push_back(id);
    if (networks[i].contains("gateway")) {
      IpAddress gw = checked_address(networks[i]["gateway"], where + ".gateway");
      if (std::find(r->m_gateways.begin(), r->m_gateways.end(), gw) == r->m_gateways.end()) r->m_gateways.push_back(gw);
    }
  }
  const json& containers = require(doc, "containers", json::value_t::array, "");
  for (size_t c = 0; c < containers.size(); ++c) {
    std::string where = "containers[" + std::to_string(c) + "]";
    if (!containers[c].is_object()) throw RecordsError(where + ": not an object");
    std::string cname = checked_name(require(containers[c], "name", json::value_t::string, where), where + ".name");
    auto container = static_cast<uint32_t>(r->m_container_names.size());
    r->m_container_names.push_back(cname);
    std::optional<uint32_t> upstreams;
    if (containers[c].contains("upstreams")) {
      Records::UpstreamSet set = checked_upstreams(containers[c]["upstreams"], where + ".upstreams");
      if (!set.empty()) {
        auto it = std::find(r->m_upstream_sets.begin(), r->m_upstream_sets.end(), set);
        upstreams = static_cast<uint32_t>(it - r->m_upstream_sets.begin());
        if (it == r->m_upstream_sets.end()) r->m_upstream_sets.push_back(std::move(set));
      }
    }
    LinkAliases links;
    if (containers[c].contains("links")) {
      const json& list = require(containers[c], "links", json::value_t::array, where);
      for (size_t k = 0; k < list.size(); ++k) {
        std::string lwhere = where + ".links[" + std::to_string(k) + "]";
        if (!list[k].is_object()) throw RecordsError(lwhere + ": not an object");
        std::string alias = checked_name(require(list[k], "name", json::value_t::string, lwhere), lwhere + ".name");
        std::string target =
            checked_name(require(list[k], "container", json::value_t::string, lwhere), lwhere + ".container");
        auto& targets = links[alias];
        if (std::find(targets.begin(), targets.end(), target) == targets.end()) targets.push_back(target);
      }
    }
    const json& endpoints = require(containers[c], "endpoints", json::value_t::array, where);
    // A client is its container: any of its addresses sees every network the container is on.
    std::vector<IpAddress> container_addresses;
    std::vector<uint32_t> container_networks;
    for (size_t e = 0; e < endpoints.size(); ++e) {
      std::string ewhere = where + ".endpoints[" + std::to_string(e) + "]";
      const json& ep = endpoints[e];
      if (!ep.is_object()) throw RecordsError(ewhere + ": not an object");
      std::string net = require(ep, "network", json::value_t::string, ewhere).get<std::string>();
      auto n = network_index.find(net);
      if (n == network_index.end()) throw RecordsError(ewhere + ".network: unknown network `" + net + "`");
      Endpoint endpoint{n->second, container, std::nullopt, std::nullopt};
      for (const char* key : {"address", "address6"}) {
        if (!ep.contains(key)) continue;
        IpAddress a = checked_address(ep[key], ewhere + "." + key);
        (a.v6 ? endpoint.v6 : endpoint.v4) = a;
      }
      auto index = static_cast<uint32_t>(r->m_endpoints.size());
      r->m_endpoints.push_back(endpoint);
      for (const auto& a : {endpoint.v4, endpoint.v6}) {
        if (!a) continue;
        container_addresses.push_back(*a);
        r->m_by_address[*a].push_back(index);
      }
      container_networks.push_back(endpoint.network);
      std::vector<std::string> names{cname};
      if (ep.contains("names")) {
        const json& list = require(ep, "names", json::value_t::array, ewhere);
        for (size_t k = 0; k < list.size(); ++k)
          names.push_back(checked_name(list[k], ewhere + ".names[" + std::to_string(k) + "]"));
      }
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      for (const std::string& name : names) r->m_names[name].push_back(index);
    }
    for (const IpAddress& a : container_addresses) {
      auto& nets = r->m_client_networks[a];
      nets.insert(nets.end(), container_networks.begin(), container_networks.end());
      if (upstreams) r->m_client_upstreams[a] = *upstreams;
      if (!links.empty()) r->m_client_links[a] = links;
    }
  }
  for (auto& [addr, nets] : r->m_client_networks) {
    std::sort(nets.begin(), nets.end());
    nets.erase(std::unique(nets.begin(), nets.end()), nets.end());
  }
  return r;
}

std::shared_ptr<const Records> Records::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw RecordsError("read records `" + path + "`: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return parse(ss.str());
  } catch (const RecordsError& e) {
    throw RecordsError("records `" + path + "`: " + e.what());
  }
}

const std::vector<uint32_t>* Records::networks_of(const IpAddress& client) const {
  auto it = m_client_networks.find(client);
  return it == m_client_networks.end() ? nullptr : &it->second;
}

std::vector<const Records::Endpoint*> Records::visible(std::string_view name, const std::vector<uint32_t>& nets) const {
  std::vector<const Endpoint*> out;
  auto it = m_names.find(std::string(name));
  if (it == m_names.end()) return out;
  for (uint32_t index : it->second) {
    const Endpoint& ep = m_endpoints[index];
    if (std::binary_search(nets.begin(), nets.end(), ep.network)) out.push_back(&ep);
  }
  return out;
}

std::vector<const Records::Endpoint*> Records::resolve(const IpAddress& client, std::string_view name,
                                                       const std::vector<uint32_t>& nets) const {
  if (auto l = m_client_links.find(client); l != m_client_links.end())
    if (auto alias = l->second.find(std::string(name)); alias != l->second.end()) {
      std::vector<const Endpoint*> out;
      for (const std::string& target : alias->second) {
        auto eps = visible(target, nets);
        for (const Endpoint* ep : eps)
          if (m_container_names[ep->container] == target) out.push_back(ep);
      }
      if (!out.empty()) return out;
    }
  return visible(name, nets);
}

const Records::UpstreamSet* Records::upstreams_for(const IpAddress& client) const {
  auto it = m_client_upstreams.find(client);
  return it == m_client_upstreams.end() ? nullptr : &m_upstream_sets[it->second];
}

bool Records::under_search(std::string_view name) const {
  return std::any_of(m_search.begin(), m_search.end(), [&](const std::string& s) { return ends_with_domain(name, s); });
}

void Records::rotate(std::vector<ResourceRecord>& records) const {
  if (records.size() < 2) return;
  uint32_t k = m_rotation.fetch_add(1, std::memory_order_relaxed) % static_cast<uint32_t>(records.size());
  std::rotate(records.begin(), records.begin() + k, records.end());
}

Lookup Records::lookup(const IpAddress& client, std::string_view qname, uint16_t qtype) const {
  if (!qname.empty() && qname.back() == '.') qname.remove_suffix(1);
  std::string name = lowercase(qname);
  const std::vector<uint32_t>* nets = networks_of(client);
  if (auto target = parse_reverse_name(name)) return lookup_reverse(nets, *target, std::string(qname), qtype);

  std::vector<const Endpoint*> eps;
  if (nets) {
    eps = resolve(client, name, *nets);
    for (size_t i = 0; eps.empty() && i < m_search.size(); ++i)
      if (ends_with_domain(name, m_search[i]))
        eps = resolve(client, std::string_view(name).substr(0, name.size() - m_search[i].size() - 1), *nets);
  }
  Lookup out;
  if (eps.empty()) {
    bool apex = std::find(m_search.begin(), m_search.end(), name) != m_search.end();
    out.kind = apex ? Lookup::Kind::NoData : under_search(name) ? Lookup::Kind::NxDomain : Lookup::Kind::Forward;
    return out;
  }
  std::vector<IpAddress> seen;
  auto add = [&](const std::optional<IpAddress>& a) {
    if (!a || std::find(seen.begin(), seen.end(), *a) != seen.end()) return;
    seen.push_back(*a);
    if (a->v6)
      out.records.push_back(make_aaaa(std::string(qname), m_ttl, a->bytes));
    else
      out.records.push_back(make_a(std::string(qname), m_ttl, {a->bytes[0], a->bytes[1], a->bytes[2], a->bytes[3]}));
  };
  for (const Endpoint* ep : eps) {
    if (qtype == kTypeA || qtype == kTypeAny) add(ep->v4);
    if (qtype == kTypeAaaa || qtype == kTypeAny) add(ep->v6);
  }
  out.kind = out.records.empty() ? Lookup::Kind::NoData : Lookup::Kind::Answer;
  rotate(out.records);
  return out;
}

Lookup Records::lookup_reverse(const std::vector<uint32_t>* nets, const IpAddress& target, const std::string& qname,
                               uint16_t qtype) const {
  Lookup out;
  auto it = m_by_address.find(target);
  std::vector<uint32_t> containers;
  if (nets && it != m_by_address.end())
    for (uint32_t index : it->second) {
      const Endpoint& ep = m_endpoints[index];
      if (std::binary_search(nets->begin(), nets->end(), ep.network) &&
          std::find(containers.begin(), containers.end(), ep.container) == containers.end())
        containers.push_back(ep.container);
    }
  if (containers.empty()) return out;  // Forward: not ours to answer
  if (qtype != kTypePtr && qtype != kTypeAny) {
    out.kind = Lookup::Kind::NoData;
    return out;
  }
  for (uint32_t c : containers) {
    std::string host = m_container_names[c];
    if (!m_search.empty()) host += "." + m_search.front();
    out.records.push_back(make_ptr(qname, m_ttl, std::move(host)));
  }
  out.kind = Lookup::Kind::Answer;
  return out;
}

std::optional<IpAddress> parse_reverse_name(std::string_view name) {
  auto labels = split_name(name);
  if (!labels) return std::nullopt;
  const auto& l = *labels;
  auto digit_value = [](const std::string& s, unsigned base) -> std::optional<unsigned> {
    if (s.empty() || s.size() > (base == 10 ? 3u : 1u)) return std::nullopt;
    unsigned v = 0;
    for (char c : s) {
      unsigned d = c >= '0' && c <= '9'                 ? unsigned(c - '0')
                   : c >= 'a' && c <= 'f' && base == 16 ? unsigned(c - 'a' + 10)
                                                        : 99;
      if (d >= base) return std::nullopt;
      v = v * base + d;
    }
    if (base == 10 && (v > 255 || (s.size() > 1 && s[0] == '0'))) return std::nullopt;
    return v;
  };
  if (l.size() == 6 && l[4] == "in-addr" && l[5] == "arpa") {
    std::array<uint8_t, 4> b{};
    for (size_t i = 0; i < 4; ++i) {
      auto v = digit_value(l[3 - i], 10);
      if (!v) return std::nullopt;
      b[i] = static_cast<uint8_t>(*v);
    }
    return IpAddress::v4_from(b);
  }
  if (l.size() == 34 && l[32] == "ip6" && l[33] == "arpa") {
    std::array<uint8_t, 16> b{};
    for (size_t i = 0; i < 32; ++i) {
      auto v = digit_value(l[31 - i], 16);
      if (!v) return std::nullopt;
      b[i / 2] = static_cast<uint8_t>(b[i / 2] | (i % 2 == 0 ? *v << 4 : *v));
    }
    return IpAddress::v6_from(b);
  }
  return std::nullopt;
}

std::string reverse_name(const IpAddress& addr) {
  std::string out;
  if (!addr.v6) {
    for (int i = 3; i >= 0; --i) out += std::to_string(addr.bytes[static_cast<size_t>(i)]) + ".";
    return out + "in-addr.arpa";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    uint8_t b = addr.bytes[static_cast<size_t>(i)];
    out += kHex[b & 0xf];
    out += '.';
    out += kHex[b >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

}  // namespace berth::dns
