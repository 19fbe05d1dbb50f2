#pragma once
// Networks: a service's attachment (`services.<name>.networks.<net>`) and the top-level
// `networks` with their IPAM settings. Field order is compose-go's (ServiceNetworkConfig,
// NetworkConfig, IPAMConfig, IPAMPool).
#include <optional>
#include <string>
#include <vector>

#include "compose/model/values.hpp"

namespace berth::model {

/// How a service joins one network. A service's map holds nullopt for `networks: [a, b]` entries.
struct ServiceNetwork {
  std::vector<std::string> aliases;
  Mapping driver_opts;
  std::int64_t gw_priority = 0;
  std::string interface_name;
  std::string ipv4_address;
  std::string ipv6_address;
  std::vector<std::string> link_local_ips;
  std::string mac_address;
  std::int64_t priority = 0;
  Extensions extensions;
};

/// One `ipam.config` entry.
struct IpamPool {
  std::string subnet;
  std::string gateway;
  std::string ip_range;
  Mapping aux_addresses;
  Extensions extensions;
};

/// A network's `ipam` block.
struct Ipam {
  std::string driver;
  std::vector<IpamPool> config;
  Mapping options;
  Extensions extensions;
};

/// One entry of the top-level `networks`.
struct Network {
  std::string name;  ///< the real name; the loader fills it in (`<project>_<key>` by default)
  std::string driver;
  Mapping driver_opts;
  Ipam ipam;  ///< a value, not optional: compose-go prints `"ipam": {}` in JSON for every network
  bool external = false;
  bool internal = false;
  bool attachable = false;
  Mapping labels;
  std::optional<bool> enable_ipv4;
  std::optional<bool> enable_ipv6;
  Extensions extensions;
};

template <Is<ServiceNetwork> S, class V>
void fields(S& s, V&& v) {
  v("aliases", s.aliases);
  v("driver_opts", s.driver_opts);
  v("gw_priority", s.gw_priority);
  v("interface_name", s.interface_name);
  v("ipv4_address", s.ipv4_address);
  v("ipv6_address", s.ipv6_address);
  v("link_local_ips", s.link_local_ips);
  v("mac_address", s.mac_address);
  v("priority", s.priority);
}

template <Is<IpamPool> S, class V>
void fields(S& s, V&& v) {
  v("subnet", s.subnet);
  v("gateway", s.gateway);
  v("ip_range", s.ip_range);
  v("aux_addresses", s.aux_addresses);
}

template <Is<Ipam> S, class V>
void fields(S& s, V&& v) {
  v("driver", s.driver);
  v("config", s.config);
  v("options", s.options);
}

template <Is<Network> S, class V>
void fields(S& s, V&& v) {
  v("name", s.name);
  v("driver", s.driver);
  v("driver_opts", s.driver_opts);
  v("ipam", s.ipam);
  v("external", s.external);
  v("internal", s.internal);
  v("attachable", s.attachable);
  v("labels", s.labels);
  v("enable_ipv4", s.enable_ipv4);
  v("enable_ipv6", s.enable_ipv6);
}

}  // namespace berth::model
