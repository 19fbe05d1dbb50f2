// ContainerRuntime::reconnect: a recorded container's netns and endpoints, made again after a
// reboot emptied /run and the kernel's links and nftables (see container_runtime.hpp).
#include "compose/network/netns.hpp"
#include "compose/runtime/container_runtime.hpp"
#include "compose/runtime/default_bridge.hpp"
#include "compose/runtime/ports.hpp"

namespace berth::runtime {

void ContainerRuntime::reconnect(const std::string& id) {
  const state::ContainerRecord rec = record(id);
  if (rec.owns_netns && !rec.netns.empty() && !network::netns_exists(rec.netns)) network::create_netns(rec.netns);
  for (size_t i = 0; i < rec.endpoints.size(); ++i) {
    const state::EndpointRecord& ep = rec.endpoints[i];
    if (ep.network_id.empty() || ep.address.empty()) continue;  // never attached
    network::AttachRequest req;
    req.container_id = rec.id;
    req.network_id = ep.network_id;
    req.netns_path = rec.netns;
    req.interface_index = static_cast<unsigned>(i);
    req.interface_name = ep.interface;
    req.mac_address = ep.mac;
    req.ipv4_address = ep.address;
    req.default_route = ep.default_route;
    if (i == 0)
      for (const auto& text : rec.ports) req.ports.push_back(parse_port_text(text));
    if (ep.network == kDefaultBridgeKey && ep.network_id == networks().id_for(default_bridge_config().name)) {
      networks().attach_shared(default_bridge_config(), req);
      continue;
    }
    const auto net = networks().get(ep.network_id);
    if (!net)
      throw std::runtime_error("container " + rec.name + ": network " + ep.network + " (" + ep.network_id +
                               ") is not recorded any more");
    network::NetworkConfig config;  // the recorded network keeps its subnet, MTU and flags
    config.name = net->name;
    config.project = net->project;
    networks().ensure_network(config);
    networks().attach(req);
  }
}

}  // namespace berth::runtime
