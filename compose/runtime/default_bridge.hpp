#pragma once
// The default bridge: where `network_mode: bridge` puts a container, as Docker's docker0. No
// project owns it; one per root, made by the first container that joins and removed with the
// last one's lease (NetworkManager::attach_shared / detach_shared). Like Docker's default
// bridge it has no embedded DNS (containers get the host's resolv.conf): names come only from
// legacy `links`, written into /etc/hosts with Docker's `<ALIAS>_PORT...` variables.
#include <string>
#include <vector>

#include "compose/bundle/etc_files.hpp"
#include "compose/network/manager.hpp"
#include "compose/state/paths.hpp"
#include "compose/state/state_store.hpp"

namespace berth::runtime {

/// The endpoint key (`ps`'s Networks column) of a container on the default bridge.
inline constexpr const char* kDefaultBridgeKey = "bridge";

/// The default bridge as a network: real name "berth-default", no project.
network::NetworkConfig default_bridge_config();

/// What legacy links give a container: /etc/hosts lines and environment variables.
struct LegacyLinks {
  std::vector<bundle::HostsEntry> hosts;
  std::vector<std::string> env;
};

/// docker compose's getLinks for container `rec` (its `links`, number and name), turned into what Docker's daemon makes
/// of legacy links: for each container of a linked service and each of its link names (the alias, `<svc>-<N>`,
/// `<project>-<svc>-<N>`), the hosts line "<ip> <name> <hostname> [<container name>]" and the
/// variables of moby's links.EnvVars. A linked container that is not on the default bridge is
/// Docker's error. Reads the linked containers' bundles for their hostname and environment.
LegacyLinks legacy_links(const state::Paths& paths, const state::ProjectState& state,
                         const state::ContainerRecord& rec);

}  // namespace berth::runtime
