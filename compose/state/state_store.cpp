// state.json of a project and its lock. The file is small and rewritten whole on every change
// (temp + fsync + rename, common/atomic_file.hpp), so a crash leaves the old or the new record.
#include "compose/state/state_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/atomic_file.hpp"
#include "common/file_lock.hpp"
#include "common/sys_error.hpp"

namespace berth::state {

namespace fs = std::filesystem;
using nlohmann::json;

// Found by ADL from nlohmann's (de)serialisers, so they live in the records' namespace.
void to_json(json& j, const EndpointRecord& e) {
  j = {{"network", e.network},
       {"network_id", e.network_id},
       {"host_veth", e.host_veth},
       {"address", e.address},
       {"names", e.names},
       {"interface", e.interface},
       {"mac", e.mac},
       {"default_route", e.default_route}};
}
void from_json(const json& j, EndpointRecord& e) {
  e.network = j.value("network", "");
  e.network_id = j.value("network_id", "");
  e.host_veth = j.value("host_veth", "");
  e.address = j.value("address", "");
  e.names = j.value("names", std::vector<std::string>{});
  e.interface = j.value("interface", "");
  e.mac = j.value("mac", "");
  e.default_route = j.value("default_route", true);
}
void to_json(json& j, const DependsOnRecord& d) {
  j = {{"service", d.service}, {"condition", d.condition}, {"restart", d.restart}, {"required", d.required}};
}
void from_json(const json& j, DependsOnRecord& d) {
  d.service = j.value("service", "");
  d.condition = j.value("condition", "service_started");
  d.restart = j.value("restart", false);
  d.required = j.value("required", true);
}
void to_json(json& j, const ContainerRecord& c) {
  j = {{"id", c.id},
       {"name", c.name},
       {"service", c.service},
       {"number", c.number},
       {"oneoff", c.oneoff},
       {"config_hash", c.config_hash},
       {"image", c.image},
       {"image_id", c.image_id},
       {"netns", c.netns},
       {"owns_netns", c.owns_netns},
       {"endpoints", c.endpoints},
       {"ports", c.ports},
       {"exposed", c.exposed},
       {"command", c.command},
       {"created", c.created},
       {"status", c.status},
       {"stop_timeout", c.stop_timeout},
       {"anonymous_volumes", c.anonymous_volumes},
       {"dns", c.dns},
       {"healthcheck", c.healthcheck},
       {"depends_on", c.depends_on},
       {"links", c.links},
       {"ipc", c.ipc},
       {"joins", c.joins},
       {"shm_size", c.shm_size}};
}
void from_json(const json& j, ContainerRecord& c) {
  c.id = j.at("id").get<std::string>();
  c.name = j.value("name", "");
  c.service = j.value("service", "");
  c.number = j.value("number", 1);
  c.oneoff = j.value("oneoff", false);
  c.config_hash = j.value("config_hash", "");
  c.image = j.value("image", "");
  c.image_id = j.value("image_id", "");
  c.netns = j.value("netns", "");
  c.owns_netns = j.value("owns_netns", false);
  c.endpoints = j.value("endpoints", std::vector<EndpointRecord>{});
  c.ports = j.value("ports", std::vector<std::string>{});
  c.exposed = j.value("exposed", std::vector<std::string>{});
  c.command = j.value("command", "");
  c.created = j.value("created", "");
  c.status = j.value("status", "creating");
  c.stop_timeout = j.value("stop_timeout", 10);
  c.anonymous_volumes = j.value("anonymous_volumes", std::map<std::string, std::string>{});
  c.dns = j.value("dns", std::vector<std::string>{});
  c.healthcheck = j.value("healthcheck", false);
  c.depends_on = j.value("depends_on", std::vector<DependsOnRecord>{});
  c.links = j.value("links", std::vector<std::string>{});
  c.ipc = j.value("ipc", "");
  c.joins = j.value("joins", std::map<std::string, std::string>{});
  c.shm_size = j.value("shm_size", std::int64_t{0});
}
void to_json(json& j, const NetworkRecord& n) {
  j = {{"key", n.key},         {"name", n.name},         {"id", n.id},
       {"gateway", n.gateway}, {"external", n.external}, {"config_hash", n.config_hash}};
}
void from_json(const json& j, NetworkRecord& n) {
  n.key = j.value("key", "");
  n.name = j.value("name", "");
  n.id = j.value("id", "");
  n.gateway = j.value("gateway", "");
  n.external = j.value("external", false);
  n.config_hash = j.value("config_hash", "");
}
void to_json(json& j, const VolumeRecord& v) { j = {{"key", v.key}, {"name", v.name}, {"external", v.external}}; }
void from_json(const json& j, VolumeRecord& v) {
  v.key = j.value("key", "");
  v.name = j.value("name", "");
  v.external = j.value("external", false);
}

ContainerRecord* ProjectState::find_container(const std::string& id) {
  auto it = std::find_if(containers.begin(), containers.end(), [&](const auto& c) { return c.id == id; });
  return it == containers.end() ? nullptr : &*it;
}
const ContainerRecord* ProjectState::find_container(const std::string& id) const {
  return const_cast<ProjectState*>(this)->find_container(id);
}

void to_json(json& j, const ProjectState& s) {
  j = {{"name", s.name},
       {"working_dir", s.working_dir},
       {"config_files", s.config_files},
       {"containers", s.containers},
       {"networks", s.networks},
       {"volumes", s.volumes}};
}
void from_json(const json& j, ProjectState& s) {
  s.name = j.value("name", "");
  s.working_dir = j.value("working_dir", "");
  s.config_files = j.value("config_files", std::vector<std::string>{});
  s.containers = j.value("containers", std::vector<ContainerRecord>{});
  s.networks = j.value("networks", std::vector<NetworkRecord>{});
  s.volumes = j.value("volumes", std::vector<VolumeRecord>{});
}

ProjectLock::ProjectLock(const Paths& paths, const std::string& project) {
  std::string dir = paths.project_dir(project);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw SysError("create `" + dir + "`", ec.value());
  std::string file = dir + "/lock";
  m_fd = lock_file(file);
}

StateStore::StateStore(const Paths& paths, std::string project) : m_paths(paths), m_project(std::move(project)) {
  m_state.name = m_project;
}

std::string StateStore::file() const { return m_paths.project_dir(m_project) + "/state.json"; }

void StateStore::load() {
  std::lock_guard lock(m_mutex);
  auto state = read_project_state(m_paths, m_project);
  m_state = state ? *state : ProjectState{};
  m_state.name = m_project;
}

ProjectState StateStore::snapshot() const {
  std::lock_guard lock(m_mutex);
  return m_state;
}

void StateStore::save_locked() {
  if (m_state.empty()) {
    std::error_code ec;
    fs::remove(file(), ec);
    return;
  }
  std::error_code ec;
  fs::create_directories(m_paths.project_dir(m_project), ec);
  write_file_atomic(file(), json(m_state).dump(2) + "\n", 0600);
}

std::vector<std::string> list_projects(const Paths& paths) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(paths.projects_dir(), ec))
    if (fs::exists(entry.path() / "state.json")) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<ProjectState> read_project_state(const Paths& paths, const std::string& project) {
  std::string path = paths.project_dir(project) + "/state.json";
  if (::access(path.c_str(), F_OK) != 0) return std::nullopt;
  try {
    ProjectState s = json::parse(read_file(path)).get<ProjectState>();
    s.name = project;
    return s;
  } catch (const json::exception& e) {
    throw std::runtime_error("read `" + path + "`: " + e.what());
  }
}

std::string new_container_id() {
  std::random_device rd;
  static const char hex[] = "0123456789abcdef";
  std::string id;
  id.reserve(64);
  for (int i = 0; i < 8; ++i) {
    unsigned v = rd();
    for (int k = 0; k < 8; ++k, v >>= 4) id += hex[v & 0xf];
  }
  return id;
}

}  // namespace berth::state
