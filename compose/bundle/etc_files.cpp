// /etc/hosts, /etc/resolv.conf and /etc/hostname as Docker writes them for a container on a
// user-defined network (libnetwork's etchosts and resolvconf packages):
//  - hosts: the loopback block, extra_hosts, then the container's own address(es) with its
//    hostname and name, so `hostname -i` and the container resolving itself work without DNS;
//  - resolv.conf with an embedded DNS server: only that server, the host's search domains unless
//    dns_search replaces them, the host's options or dns_opt plus `ndots:0` unless an ndots is set
//    (Docker's internal-resolver transform).
//    The service's `dns` servers do not replace it (service names would stop resolving): berth-dns
//    forwards this container's other queries to them (the records file's `upstreams`), as Docker's
//    embedded resolver does with its "ExtServers"; a comment names them, like Docker's file;
//  - without one (network_mode host, or no network): `dns` when given, else the host's file,
//    minus loopback nameservers when the container has its own netns (127.0.0.53 of a host
//    resolver is not reachable from there), with Google's public servers as Docker's fallback
//    when nothing is left.
#include "compose/bundle/etc_files.hpp"

#include <algorithm>
#include <sstream>

namespace berth::bundle {

namespace {

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool is_loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address == "0:0:0:0:0:0:0:1";
}

/// "name=ip" (compose-go's normal form) or Docker's "name:ip" (the IP may be IPv6 with colons,
/// so only the first ':' splits, and only when there is no '=').
bool split_extra_host(const std::string& entry, std::string& name, std::string& ip) {
  auto pos = entry.find('=');
  if (pos == std::string::npos) pos = entry.find(':');
  if (pos == std::string::npos || pos == 0 || pos + 1 == entry.size()) return false;
  name = entry.substr(0, pos);
  ip = entry.substr(pos + 1);
  // Docker accepts "[::1]" for IPv6 in the colon form.
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  return true;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

std::string hosts_file(const HostsInput& in, std::vector<std::string>& warnings) {
  std::string out =
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "ff00::0\tip6-mcastprefix\n"
      "ff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n";
  for (const auto& entry : in.extra_hosts) {
    std::string name, ip;
    if (!split_extra_host(entry, name, ip)) {
      warnings.push_back("extra_hosts \"" + entry + "\": expected name=ip, ignored");
      continue;
    }
    if (ip == "host-gateway") {
      if (in.host_gateway.empty()) {
        warnings.push_back("extra_hosts \"" + entry + "\": no host-gateway address known, ignored");
        continue;
      }
      ip = in.host_gateway;
    }
    out += ip + "\t" + name + "\n";
  }
  for (const auto* entries : {&in.links, &in.own})
    for (const auto& e : *entries) {
      if (e.address.empty() || e.names.empty()) continue;
      out += e.address + "\t" + join(e.names, " ") + "\n";
    }
  return out;
}

ResolvConf parse_resolv_conf(const std::string& text) {
  ResolvConf rc;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto hash = line.find_first_of("#;");
    if (hash != std::string::npos) line.erase(hash);
    auto w = words(line);
    if (w.empty()) continue;
    if (w[0] == "nameserver" && w.size() >= 2) {
      rc.nameservers.push_back(w[1]);
    } else if ((w[0] == "search" || w[0] == "domain") && w.size() >= 2) {
      // The last search/domain line wins, as in the resolver.
      rc.search.assign(w.begin() + 1, w.end());
    } else if (w[0] == "options") {
      rc.options.insert(rc.options.end(), w.begin() + 1, w.end());
    }
  }
  return rc;
}

std::string resolv_conf(const ResolvInput& in) {
  const ResolvConf host = parse_resolv_conf(in.host_resolv_conf);
  const bool embedded = !in.dns_server.empty();
  std::vector<std::string> servers, search, options;
  if (embedded) {
    servers = {in.dns_server};
  } else if (!in.dns.empty()) {
    servers = in.dns;
  } else {
    for (const auto& s : host.nameservers)
      if (in.host_network || !is_loopback(s)) servers.push_back(s);
    if (servers.empty()) servers = {"8.8.8.8", "8.8.4.4"};
  }
  search = in.dns_search.empty() ? host.search : in.dns_search;
  // A lone "." in dns_search means "no search domains" (Docker).
  if (search.size() == 1 && search[0] == ".") search.clear();

  // dns_opt replaces the host's options (Docker's OverrideOptions); within it, an option given
  // again replaces the earlier one with the same name (ndots:N, timeout:N).
  auto name_of = [](const std::string& o) { return o.substr(0, o.find(':')); };
  if (in.dns_opt.empty()) options = host.options;
  for (const auto& o : in.dns_opt) {
    std::erase_if(options, [&](const std::string& x) { return name_of(x) == name_of(o); });
    options.push_back(o);
  }
  if (embedded) {
    // Docker's internal resolver requires ndots:0 unless a valid ndots is already there.
    std::erase_if(options, [&](const std::string& x) {
      return name_of(x) == "ndots" && (x.size() < 7 || x.find_first_not_of("0123456789", 6) != std::string::npos);
    });
    if (std::none_of(options.begin(), options.end(), [&](const std::string& x) { return name_of(x) == "ndots"; }))
      options.push_back("ndots:0");
  }

  std::string out = "# Generated by Berth.\n";
  for (const auto& s : servers) out += "nameserver " + s + "\n";
  if (!search.empty()) out += "search " + join(search, " ") + "\n";
  if (!options.empty()) out += "options " + join(options, " ") + "\n";
  if (embedded && !in.dns.empty()) out += "\n# ExtServers: [" + join(in.dns, " ") + "]\n";
  return out;
}

std::string hostname_file(const std::string& hostname) { return hostname + "\n"; }

}  // namespace berth::bundle
