#pragma once
// The three files every container gets bind-mounted from its bundle dir, as Docker writes them:
// /etc/hosts, /etc/resolv.conf and /etc/hostname. Pure text builders: the caller decides where
// the text goes (prepare_container_files writes it into the bundle dir).
#include <string>
#include <vector>

namespace berth::bundle {

/// One line of /etc/hosts for the container's own addresses: "<address>\t<names...>".
struct HostsEntry {
  std::string address;
  std::vector<std::string> names;  ///< e.g. hostname, container name
};

/// What /etc/hosts is made of.
struct HostsInput {
  std::vector<HostsEntry> own;           ///< the container's addresses (one per network)
  std::vector<std::string> extra_hosts;  ///< compose `extra_hosts`: "name=ip" (or "name:ip")
  std::vector<HostsEntry> links;         ///< legacy links on the default bridge (after extra_hosts)
  std::string host_gateway;              ///< the address `host-gateway` stands for ("" = unknown)
};

/// Docker's /etc/hosts: localhost lines (IPv4, IPv6 and the ip6-* names), then extra_hosts
/// ("<ip>\t<name>"), legacy links, then the container's own addresses. Entries it cannot write (malformed, or
/// host-gateway without a known address) are left out and described in `warnings`.
std::string hosts_file(const HostsInput& in, std::vector<std::string>& warnings);

/// What /etc/resolv.conf is made of.
struct ResolvInput {
  std::string dns_server;               ///< berth-dns address; "" = use the host's resolv.conf
  std::vector<std::string> dns;         ///< compose `dns`: berth-dns's upstreams for this container
                                        ///< with a dns_server, else the nameservers
  std::vector<std::string> dns_search;  ///< compose `dns_search`: replaces `search` when given
  std::vector<std::string> dns_opt;     ///< compose `dns_opt`: replaces the host's `options`
  std::string host_resolv_conf;         ///< text of the host's /etc/resolv.conf
  bool host_network = false;            ///< network_mode: host (loopback nameservers stay usable)
};

/// Docker's resolv.conf. With a dns_server (embedded-DNS style, Docker's user-defined networks):
/// `nameserver <dns_server>` only, whether or not `dns` is given (those servers are berth-dns's
/// upstreams for the container, Docker's "ExtServers", named in a trailing comment), `search`
/// from dns_search or the host's, options from dns_opt or the host's plus `ndots:0` unless a valid
/// ndots is among them. Without one (network_mode host/none, no Berth network, as Docker's
/// default bridge): `dns` given → exactly those nameservers; else the host's nameservers
/// (loopback ones dropped unless host_network; Google's when none is left, as Docker does);
/// search and options as above without the ndots rule.
std::string resolv_conf(const ResolvInput& in);

/// "<hostname>\n".
std::string hostname_file(const std::string& hostname);

/// Parses the host's resolv.conf text into its nameservers, search domains and options.
struct ResolvConf {
  std::vector<std::string> nameservers, search, options;
};
ResolvConf parse_resolv_conf(const std::string& text);

}  // namespace berth::bundle
