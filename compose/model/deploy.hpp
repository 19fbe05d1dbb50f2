#pragma once
// `services.<name>.deploy` (see shared/compose-spec/deploy.md) and the device requests it shares
// with `gpus`. Field order is compose-go's DeployConfig and friends.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compose/model/values.hpp"

namespace berth::model {

/// `count` of a device request; -1 is `all`.
struct DeviceCount {
  std::int64_t value = 0;
  friend auto operator<=>(const DeviceCount&, const DeviceCount&) = default;
};

/// One `deploy.resources.reservations.devices` or `gpus` entry.
struct DeviceRequest {
  std::vector<std::string> capabilities;
  std::string driver;
  DeviceCount count;
  std::vector<std::string> device_ids;
  Mapping options;
  Extensions extensions;
};

/// `discrete_resource_spec` of a generic resource.
struct DiscreteGenericResource {
  std::string kind;
  std::int64_t value = 0;
  Extensions extensions;
};

/// One `generic_resources` entry.
struct GenericResource {
  std::optional<DiscreteGenericResource> discrete_resource_spec;
  Extensions extensions;
};

/// `limits` or `reservations`.
struct Resource {
  float cpus = 0;  ///< compose-go's NanoCPUs is a float32; printed with float32 precision
  Bytes memory;
  std::int64_t pids = 0;
  std::vector<DeviceRequest> devices;
  std::vector<GenericResource> generic_resources;
  Extensions extensions;
};

/// `resources`.
struct Resources {
  std::optional<Resource> limits;
  std::optional<Resource> reservations;
  Extensions extensions;
};

/// `update_config` or `rollback_config`.
struct UpdateConfig {
  std::optional<std::uint64_t> parallelism;
  Duration delay;
  std::string failure_action;
  Duration monitor;
  float max_failure_ratio = 0;
  std::string order;  ///< start-first, stop-first
  Extensions extensions;
};

/// `restart_policy`.
struct RestartPolicy {
  std::string condition;  ///< none, on-failure, any
  std::optional<Duration> delay;
  std::optional<std::uint64_t> max_attempts;
  std::optional<Duration> window;
  Extensions extensions;
};

/// One `placement.preferences` entry.
struct PlacementPreference {
  std::string spread;
  Extensions extensions;
};

/// `placement`.
struct Placement {
  std::vector<std::string> constraints;
  std::vector<PlacementPreference> preferences;
  std::uint64_t max_replicas_per_node = 0;
  Extensions extensions;
};

/// `deploy`.
struct Deploy {
  std::string mode;  ///< replicated, global, replicated-job, global-job
  std::optional<std::int64_t> replicas;
  Mapping labels;
  std::optional<UpdateConfig> update_config;
  std::optional<UpdateConfig> rollback_config;
  Resources resources;  ///< values, not optional: compose-go prints `{}` for them in JSON
  std::optional<RestartPolicy> restart_policy;
  Placement placement;
  std::string endpoint_mode;  ///< vip, dnsrr
  Extensions extensions;
};

template <Is<DeviceRequest> S, class V>
void fields(S& s, V&& v) {
  v("capabilities", s.capabilities);
  v("driver", s.driver);
  v("count", s.count);
  v("device_ids", s.device_ids);
  v("options", s.options);
}

// compose-go tags these `json:"kind"` / `json:"value"` only: printed even when zero.
template <Is<DiscreteGenericResource> S, class V>
void fields(S& s, V&& v) {
  v("kind", s.kind, Field{.omit = Omit::Never});
  v("value", s.value, Field{.omit = Omit::Never});
}

template <Is<GenericResource> S, class V>
void fields(S& s, V&& v) {
  v("discrete_resource_spec", s.discrete_resource_spec);
}

template <Is<Resource> S, class V>
void fields(S& s, V&& v) {
  v("cpus", s.cpus);
  v("memory", s.memory);
  v("pids", s.pids);
  v("devices", s.devices);
  v("generic_resources", s.generic_resources);
}

template <Is<Resources> S, class V>
void fields(S& s, V&& v) {
  v("limits", s.limits);
  v("reservations", s.reservations);
}

template <Is<UpdateConfig> S, class V>
void fields(S& s, V&& v) {
  v("parallelism", s.parallelism);
  v("delay", s.delay);
  v("failure_action", s.failure_action);
  v("monitor", s.monitor);
  v("max_failure_ratio", s.max_failure_ratio);
  v("order", s.order);
}

template <Is<RestartPolicy> S, class V>
void fields(S& s, V&& v) {
  v("condition", s.condition);
  v("delay", s.delay);
  v("max_attempts", s.max_attempts);
  v("window", s.window);
}

template <Is<PlacementPreference> S, class V>
void fields(S& s, V&& v) {
  v("spread", s.spread);
}

template <Is<Placement> S, class V>
void fields(S& s, V&& v) {
  v("constraints", s.constraints);
  v("preferences", s.preferences);
  v("max_replicas_per_node", s.max_replicas_per_node);
}

template <Is<Deploy> S, class V>
void fields(S& s, V&& v) {
  v("mode", s.mode);
  v("replicas", s.replicas);
  v("labels", s.labels);
  v("update_config", s.update_config);
  v("rollback_config", s.rollback_config);
  v("resources", s.resources);
  v("restart_policy", s.restart_policy);
  v("placement", s.placement);
  v("endpoint_mode", s.endpoint_mode);
}

}  // namespace berth::model
