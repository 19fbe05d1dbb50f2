// Engine::restore: after a reboot, the containers dockerd would bring back (restart `always`, or
// `unless-stopped` not stopped by the user) get their netns, bridges, firewall rules and
// berth-dns again and are started, dependencies first. `berth system restore` runs it for every
// project under the root; a systemd unit runs that at boot.
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "compose/engine/engine.hpp"

namespace berth::engine {

namespace {

/// The restart policy the container's bundle gives its shim ("no" when none is written).
std::string restart_policy(const state::Paths& paths, const std::string& id) {
  std::ifstream in(paths.bundle_dir(id) + "/config.json");
  const nlohmann::json config = nlohmann::json::parse(in, nullptr, false);
  if (!config.is_object()) return "no";
  return config.value("annotations", nlohmann::json::object()).value("org.berth.restart", "no");
}

}  // namespace

std::vector<std::string> Engine::restore() {
  lock();
  std::vector<state::ContainerRecord> todo;
  for (const auto& o : observe({}, false)) {
    // "started": running when the host went down; `stop` records "stopped" (unless-stopped's
    // "stopped by the user").
    if (o.record.status != "started" || o.status.status == "running" || o.status.status == "paused") continue;
    const std::string policy = restart_policy(m_paths, o.record.id);
    if (policy == "always" || policy == "unless-stopped") todo.push_back(o.record);
  }
  // Dependencies first, and the owners of namespaces others join before those.
  const plan::DependencyMap deps = dependencies();
  std::vector<state::ContainerRecord> ordered;
  std::set<std::string> placed;
  auto ready = [&](const state::ContainerRecord& c) {
    for (const auto& other : todo) {
      if (placed.count(other.id) || other.id == c.id) continue;
      if (auto d = deps.find(c.service); d != deps.end() && d->second.count(other.service)) return false;
      for (const auto& [type, donor] : c.joins)
        if (donor == other.id) return false;
    }
    return true;
  };
  while (ordered.size() < todo.size()) {
    const size_t before = ordered.size();
    for (const auto& c : todo)
      if (!placed.count(c.id) && ready(c)) {
        ordered.push_back(c);
        placed.insert(c.id);
      }
    if (ordered.size() == before)  // a cycle cannot be recorded; take the rest as they come
      for (const auto& c : todo)
        if (placed.insert(c.id).second) ordered.push_back(c);
  }
  for (const auto& c : ordered) m_runtime->reconnect(c.id);
  sync_dns();
  std::vector<std::string> started;
  for (const auto& c : ordered) {
    m_progress.event("Container", c.name, "Starting");
    m_runtime->start(c.id);
    m_progress.event("Container", c.name, "Started");
    started.push_back(c.name);
  }
  return started;
}

}  // namespace berth::engine
