#pragma once
// The real RuntimeClient: containers as netns + network endpoints + bundle + berth-shim, with
// every object recorded in the project's state before it is made (state_store.hpp), networks
// through network::NetworkManager and volumes through VolumeStore.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "compose/bundle/container_spec.hpp"
#include "compose/network/manager.hpp"
#include "compose/progress/progress.hpp"
#include "compose/project/project_context.hpp"
#include "compose/runtime/runtime_client.hpp"
#include "compose/state/paths.hpp"
#include "compose/state/state_store.hpp"

namespace berth::runtime {

class ContainerRuntime : public RuntimeClient {
 public:
  /// `ctx` may be null for commands that only act on recorded containers (stop, rm, down
  /// without a compose file); create() and create_network/volume then throw.
  ContainerRuntime(const state::Paths& paths, state::StateStore& store, const project::ProjectContext* ctx,
                   progress::Progress& progress);

  std::string create(const plan::Action& create) override;
  void start(const std::string& id) override;
  void stop(const std::string& id, std::optional<int> timeout) override;
  void remove(const std::string& id) override;
  void restarted(const std::string& id) override;
  ContainerStatus status(const std::string& id) override;
  std::vector<std::pair<std::string, std::string>> containers_of(const std::string& service) override;
  void create_network(const std::string& key) override;
  void remove_network(const std::string& key) override;
  void create_volume(const std::string& key) override;
  void remove_volume(const std::string& key) override;

  /// What a reboot took from a recorded container, made again before start(): its network
  /// namespace and its endpoints as they were (bridges and firewall rules re-made from the
  /// network registry, the same addresses from the leases, its interface names, MACs, routes and
  /// published ports from its record). Idempotent; container_reconnect.cpp.
  void reconnect(const std::string& id);

  /// Sends `signal` to a running container (SIGKILL when empty).
  void kill(const std::string& id, const std::string& signal);
  /// Freezes / thaws a running container.
  void pause(const std::string& id, bool pause);
  /// Removes the anonymous volumes of containers removed by this object (rm -v, down -v).
  void remove_anonymous_volumes();
  /// Removes volume `name` (not a compose key) from the volume store.
  void remove_volume_named(const std::string& name);

 private:
  state::ContainerRecord record(const std::string& id) const;
  /// Appends `action` for `rec` to the project's event journal; a failure is a warning.
  void record_event(const state::ContainerRecord& rec, const std::string& action);
  std::string netns_for(const model::Service& svc, const std::string& id, bool& owns);
  /// The container `mode` (service:x / container:x of network_mode, ipc or pid) names, or
  /// nullopt for other modes; throws docker compose's "cannot share <what> namespace with
  /// service x: container missing" when x has none.
  std::optional<state::ContainerRecord> namespace_donor(const model::Service& svc, const std::string& mode,
                                                        const char* what);
  /// Before a start: the donors of the namespaces `rec` joins must run (Docker's errors), and
  /// config.json gets their current /proc/<pid>/ns paths (and /dev/shm).
  void refresh_joins(const state::ContainerRecord& rec);
  /// The config.json of the container each `volumes_from` entry names (docker compose's
  /// "cannot share volume with service x: container missing" when there is none).
  std::vector<bundle::VolumesFromSource> volumes_from_sources(const model::Service& svc);
  network::NetworkManager& networks();

  state::Paths m_paths;
  state::StateStore& m_store;
  const project::ProjectContext* m_ctx;
  progress::Progress& m_progress;
  std::unique_ptr<network::NetworkManager> m_networks;
  std::mutex m_mutex;
  std::mutex m_dns_mutex;  ///< one records update / berth-dns start at a time
  std::map<std::string, std::map<std::string, std::string>> m_removed_anonymous;  ///< old id → target → volume
  std::string m_shim;
};

}  // namespace berth::runtime
