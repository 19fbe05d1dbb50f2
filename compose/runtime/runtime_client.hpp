#pragma once
// The seam between the executor and the machine (STYLE example 3): everything the executor
// does to containers, networks and volumes goes through RuntimeClient. The real one
// (container_runtime.hpp) makes netns, bundles and berth-shim processes; unit tests use a fake
// that records calls, so the ordering rules are checked in milliseconds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compose/plan/actions.hpp"

namespace berth::runtime {

/// What a container is doing now, as the shim reports it.
struct ContainerStatus {
  std::string status = "created";  ///< created | running | paused | restarting | exited | dead
  int exit_code = 0;
  std::string health;  ///< "" (none, or not known yet) | starting | healthy | unhealthy
  /// The container is configured with a healthcheck (Docker's Config.Healthcheck): without one a
  /// `service_healthy` dependant fails; with one it waits while the health is not known yet.
  bool healthcheck = false;
  bool oom_killed = false;         ///< its last exit followed a kernel OOM kill (Docker's State.OOMKilled)
  uint64_t log_lines_dropped = 0;  ///< log lines its shim could not write (full disk, writer behind)
};

class RuntimeClient {
 public:
  virtual ~RuntimeClient() = default;

  /// Creates the container `create` describes (CreateContainer) and returns its new id.
  virtual std::string create(const plan::Action& create) = 0;
  /// Starts a created or stopped container.
  virtual void start(const std::string& id) = 0;
  /// Stops a container: its stop signal, SIGKILL after `timeout` seconds (its own when unset).
  virtual void stop(const std::string& id, std::optional<int> timeout) = 0;
  /// Removes a (stopped) container and everything made for it; kills it first if needed.
  virtual void remove(const std::string& id) = 0;
  /// The container's status now.
  virtual ContainerStatus status(const std::string& id) = 0;
  /// A restart (stop, then start) of the container is done: Docker's `restart` event.
  virtual void restarted(const std::string& /*id*/) {}
  /// The ids and names of the current (non-one-off) containers of `service`.
  virtual std::vector<std::pair<std::string, std::string>> containers_of(const std::string& service) = 0;

  virtual void create_network(const std::string& key) = 0;
  virtual void remove_network(const std::string& key) = 0;
  virtual void create_volume(const std::string& key) = 0;
  virtual void remove_volume(const std::string& key) = 0;
};

}  // namespace berth::runtime
