#pragma once
// The parts of a service's pod (internal to compose/bridge): its volumes and mounts
// (volumes.cpp), its main container and the pod-level settings (container.cpp).
#include "compose/bridge/resources.hpp"

namespace berth::bridge {

struct PodVolumes {
  Json volumes = Json::array();  ///< pod spec `volumes`
  Json mounts = Json::array();   ///< the container's `volumeMounts`
};

/// configs and secrets (subPath, read-only), named volumes (their claims), tmpfs and `tmpfs:`
/// (emptyDir in memory), shm_size, anonymous volumes (emptyDir), bind mounts (hostPath with
/// Options::host_path, else a warning).
PodVolumes pod_volumes(const Context& ctx, const model::Service& svc);

/// The service's container: image, pull policy, command/args, env, workingDir, ports, probes,
/// resources, securityContext, tty/stdin, lifecycle hooks. `kind` is the workload's kind.
Json main_container(const Context& ctx, const model::Service& svc, const std::string& kind);

/// restartPolicy, terminationGracePeriodSeconds, hostname, hostAliases, dnsConfig, the pod's
/// securityContext (supplementalGroups, sysctls), nodeSelector from `platform`; and the
/// warnings for every key Kubernetes has no place for.
void add_pod_settings(const Context& ctx, const model::Service& svc, const std::string& kind, Json& pod);

/// Whole seconds of a duration, rounded up.
std::int64_t ceil_seconds(const model::Duration& d);

/// A byte count as a Kubernetes quantity ("512Mi", "1Gi", or the plain number).
std::string byte_quantity(std::int64_t bytes);

}  // namespace berth::bridge
