#pragma once
// The config hash of a service, as docker compose computes it for the
// com.docker.compose.config-hash label: a sha256 of the service's JSON with the keys that do
// not change what a container is (build, pull_policy, scale, deploy.replicas) neutralised.
// The engine compares it to decide whether a container must be recreated.
#include <string>

#include "compose/model/project.hpp"

namespace berth::model {

/// Hex sha256 of service `name` of `project`; throws std::out_of_range for an unknown service.
std::string service_config_hash(const Project& project, const std::string& name);

/// Hex sha256 of network `key`'s JSON form, as docker compose's NetworkHash (the
/// com.docker.compose.config-hash label of a network): a change recreates the network.
std::string network_config_hash(const Project& project, const std::string& key);

}  // namespace berth::model
