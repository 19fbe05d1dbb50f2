#pragma once
// The engine's record of a project: <root>/projects/<project>/state.json, replaced atomically,
// and the per-project lock (flock on <root>/projects/<project>/lock).
//
// Intent is recorded before acting: a container's entry (id, netns path, endpoints with their
// host veth names) is saved with status "creating" before the netns, bundle or shim exist;
// networks and volumes likewise. So `down` after a `kill -9` of berth still finds everything.
// Record statuses are the engine's intent, not what is running (Engine::observe in
// compose/engine/engine.hpp asks the shims):
//   creating  objects may exist partially; removing it must tolerate any of them missing
//   created   bundle + netns ready, no shim started (`create`, `up --no-start`)
//   started   a shim was started for it (running, exited, whatever the shim says now)
//   stopped   stopped on purpose (`stop`): `up` starts it again, `ps` shows it as exited
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "compose/state/paths.hpp"

namespace berth::state {

/// One network attachment of a container.
struct EndpointRecord {
  std::string network;  ///< compose key of the network ("default")
  std::string network_id;
  std::string host_veth;
  std::string address;             ///< IPv4 without prefix, "" until attached
  std::vector<std::string> names;  ///< DNS names on this network (service, name, aliases, ...)
  // How it was attached, so `system restore` can attach it again after a reboot as it was.
  std::string interface;      ///< name inside the netns ("eth0", or `interface_name`)
  std::string mac;            ///< the container end's MAC
  bool default_route = true;  ///< the container's default route goes via this network
};

/// One `depends_on` edge of a container's service, recorded as docker compose keeps it in the
/// `com.docker.compose.depends_on` label: commands without a compose file (`restart` of a
/// project named by -p) still know the order and the `restart: true` dependants.
struct DependsOnRecord {
  std::string service;
  std::string condition = "service_started";
  bool restart = false;
  bool required = true;
};

/// One container the engine made (or is making).
struct ContainerRecord {
  std::string id;    ///< 64 hex
  std::string name;  ///< <project>-<service>-<n> or container_name
  std::string service;
  int number = 1;
  bool oneoff = false;
  std::string config_hash;
  std::string image;        ///< the image reference as written in the model
  std::string image_id;     ///< sha256:<hex> config digest
  std::string netns;        ///< netns path the container joins ("" = host network)
  bool owns_netns = false;  ///< the engine created `netns` for this container (remove it with it)
  std::vector<EndpointRecord> endpoints;
  std::vector<std::string> ports;    ///< "0.0.0.0:8080->80/tcp", for ps
  std::vector<std::string> exposed;  ///< "80/tcp": exposed (`expose:`, the image's EXPOSE), not published
  std::string command;               ///< for ps ("sh -c 'sleep 1'")
  std::string created;               ///< RFC 3339 UTC
  std::string status = "creating";
  int stop_timeout = 10;                                 ///< seconds (stop_grace_period)
  std::map<std::string, std::string> anonymous_volumes;  ///< target → volume name
  std::vector<std::string> dns;  ///< compose `dns`: berth-dns forwards this container's other queries there
  /// Its config has a healthcheck (the service's over the image's; not disabled, test not NONE),
  /// as Docker's Config.Healthcheck: whether a `service_healthy` dependant can wait for it.
  bool healthcheck = false;
  std::vector<DependsOnRecord> depends_on;  ///< its service's dependencies when it was created
  std::vector<std::string> links;           ///< compose `links` as written ("db" or "db:alias"): berth-dns link aliases
  std::string ipc;                          ///< the service's `ipc` mode ("shareable" lets others join it)
  std::map<std::string, std::string> joins;  ///< "ipc"/"pid" → id of the container whose namespace it joins
  std::int64_t shm_size = 0;                 ///< `ipc: shareable`: bytes of the host tmpfs <bundle>/shm (0 = none)
};

/// A network the project created (or uses, when external).
struct NetworkRecord {
  std::string key;   ///< compose key
  std::string name;  ///< real name
  std::string id;
  std::string gateway;  ///< where berth-dns listens for this network
  bool external = false;
  std::string config_hash{};  ///< model::network_config_hash it was created with ("" = unknown)
};

/// A volume the project created (or uses, when external).
struct VolumeRecord {
  std::string key;
  std::string name;
  bool external = false;
};

/// Everything recorded about one project.
struct ProjectState {
  std::string name;
  std::string working_dir;
  std::vector<std::string> config_files;
  std::vector<ContainerRecord> containers;
  std::vector<NetworkRecord> networks;
  std::vector<VolumeRecord> volumes;

  ContainerRecord* find_container(const std::string& id);
  const ContainerRecord* find_container(const std::string& id) const;
  bool empty() const { return containers.empty() && networks.empty() && volumes.empty(); }
};

void to_json(nlohmann::json& j, const EndpointRecord& e);
void from_json(const nlohmann::json& j, EndpointRecord& e);
void to_json(nlohmann::json& j, const ContainerRecord& c);
void from_json(const nlohmann::json& j, ContainerRecord& c);
void to_json(nlohmann::json& j, const NetworkRecord& n);
void from_json(const nlohmann::json& j, NetworkRecord& n);
void to_json(nlohmann::json& j, const VolumeRecord& v);
void from_json(const nlohmann::json& j, VolumeRecord& v);
void to_json(nlohmann::json& j, const ProjectState& s);
void from_json(const nlohmann::json& j, ProjectState& s);

/// Exclusive flock on a project's lock file, held for the object's lifetime.
class ProjectLock {
 public:
  /// Blocks until the lock is free; creates the project dir. Throws SysError.
  ProjectLock(const Paths& paths, const std::string& project);

 private:
  UniqueFd m_fd;
};

/// The state file of one project, shared by the executor's threads: every change goes through
/// update(), which applies it under a mutex and writes the file before returning.
class StateStore {
 public:
  StateStore(const Paths& paths, std::string project);

  /// Reads state.json (an empty state when there is none). Throws on a corrupt file.
  void load();
  /// A copy of the current state.
  ProjectState snapshot() const;
  /// Applies `change` and saves; when the state is left empty the file is removed instead.
  template <class F>
  void update(F&& change) {
    std::lock_guard lock(m_mutex);
    change(m_state);
    save_locked();
  }
  const std::string& project() const { return m_project; }
  std::string file() const;

 private:
  void save_locked();
  Paths m_paths;
  std::string m_project;
  mutable std::mutex m_mutex;
  ProjectState m_state;
};

/// Names of the projects that have a state file under <root>/projects, sorted.
std::vector<std::string> list_projects(const Paths& paths);

/// Reads one project's state without locking (ps, ls); nullopt when it has none.
std::optional<ProjectState> read_project_state(const Paths& paths, const std::string& project);

/// 64 random lowercase hex characters.
std::string new_container_id();

}  // namespace berth::state
