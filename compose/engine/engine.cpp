// Engine stages for `up`/`create`: observe, plan, check, execute, DNS, wait. Each stage is one
// call the command makes in order (compose/cli/cmd_up.cpp reads like the list of them).
#include "compose/engine/engine.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "common/shim_protocol.hpp"
#include "compose/bundle/container_spec.hpp"
#include "compose/gocompat/units.hpp"
#include "compose/network/ipam.hpp"
#include "compose/runtime/dns.hpp"
#include "compose/runtime/ports.hpp"
#include "compose/storage/volumes.hpp"

namespace berth::engine {

namespace fs = std::filesystem;

Engine::Engine(state::Paths paths, std::string project, progress::Progress& progress,
               std::unique_ptr<project::ProjectContext> ctx)
    : m_paths(std::move(paths)),
      m_project(std::move(project)),
      m_progress(progress),
      m_ctx(std::move(ctx)),
      m_store(m_paths, m_project) {
  m_store.load();
  m_runtime = std::make_unique<runtime::ContainerRuntime>(m_paths, m_store, m_ctx.get(), m_progress);
}

void Engine::lock() {
  if (m_lock) return;
  m_lock.emplace(m_paths, m_project);
  m_store.load();  // another command may have changed it while we waited
}

plan::DependencyMap Engine::dependencies() const {
  if (m_ctx) return m_ctx->dependencies;
  // No compose file: the edges each service's containers recorded when they were made, as docker
  // compose reads them from its containers' depends_on labels; edges to services without
  // containers are left out, as dependency_map leaves out services the project lacks.
  plan::DependencyMap deps;
  const state::ProjectState state = m_store.snapshot();
  for (const auto& c : state.containers)
    if (!c.oneoff) deps[c.service];
  for (const auto& c : state.containers) {
    if (c.oneoff) continue;
    for (const auto& d : c.depends_on)
      if (deps.count(d.service))
        deps[c.service].try_emplace(d.service, model::Dependency{d.condition, d.restart, d.required});
  }
  return deps;
}

std::vector<ObservedRecord> Engine::observe(const std::vector<std::string>& services, bool include_oneoff) {
  std::vector<ObservedRecord> out;
  for (const auto& c : m_store.snapshot().containers) {
    if (c.oneoff && !include_oneoff) continue;
    if (!services.empty() && std::find(services.begin(), services.end(), c.service) == services.end()) continue;
    ObservedRecord o{c, m_runtime->status(c.id), "", ""};
    if (c.status != "creating" && c.status != "created") {
      try {
        auto st = shim_protocol::read_state(m_paths.shim_state_dir(c.id));
        o.started_at = st.started_at;
        o.finished_at = st.finished_at;
      } catch (const std::exception&) {
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<plan::ObservedContainer> to_plan(const std::vector<ObservedRecord>& observed) {
  std::vector<plan::ObservedContainer> out;
  for (const auto& o : observed)
    out.push_back(plan::ObservedContainer{o.record.id, o.record.name, o.record.service, o.record.number,
                                          o.record.oneoff, o.record.config_hash, o.status.status, o.record.netns});
  return out;
}

plan::Plan Engine::plan_up(const plan::UpOptions& opts) {
  if (!m_ctx) throw std::logic_error("up without a loaded project");
  for (const auto& s : opts.services)
    if (!m_ctx->loaded.model.services.count(s)) throw std::runtime_error("no such service: " + s);
  state::ProjectState state = m_store.snapshot();
  std::set<std::string> networks, volumes;
  std::map<std::string, std::string> hashes;
  for (const auto& n : state.networks)
    if (n.external || fs::exists("/sys/class/net/" + network::bridge_name(n.id))) {
      networks.insert(n.key);
      if (!n.external) hashes[n.key] = n.config_hash;
    }
  storage::VolumeStore store(m_paths.root);
  for (const auto& v : state.volumes)
    if (store.exists(v.name)) volumes.insert(v.key);
  return plan::plan_up(m_ctx->desired, to_plan(observe()), networks, volumes, opts, hashes);
}

void Engine::check_ports(const plan::Plan& plan) {
  std::vector<std::string> replaced;
  for (const auto& a : plan.all())
    if (!a.container_id.empty()) replaced.push_back(a.container_id);
  for (const auto& [name, sp] : plan.services) {
    bool creates = false;
    for (const auto& c : sp.containers)
      for (const auto& a : c.steps) creates |= a.kind == plan::ActionKind::CreateContainer;
    if (!creates) continue;
    std::vector<std::string> except = replaced;
    bundle::check_creatable(m_ctx->loaded.model.services.at(name));
    runtime::check_ports_free(m_paths, m_ctx->loaded.model.services.at(name), except);
    bundle::check_storage_opt(m_ctx->loaded.model.services.at(name), m_paths.root + "/containers");
  }
}

void Engine::warn_orphans(const plan::Plan& plan) {
  if (plan.orphan_warnings.empty()) return;
  std::string names;
  for (const auto& n : plan.orphan_warnings) names += (names.empty() ? "" : " ") + n;
  m_progress.warning("Found orphan containers ([" + names +
                     "]) for this project. If you removed or renamed this "
                     "service in your compose file, you can run this command with the --remove-orphans flag to clean "
                     "it up.");
}

void Engine::execute(const plan::Plan& plan, const ExecutorOptions& options) { execute(plan, options, dependencies()); }

void Engine::execute(const plan::Plan& plan, const ExecutorOptions& options, const plan::DependencyMap& deps) {
  if (m_ctx && !plan.empty()) {
    state::ProjectState s = m_store.snapshot();
    if (s.working_dir != m_ctx->loaded.working_dir || s.config_files != m_ctx->loaded.config_files)
      m_store.update([&](state::ProjectState& st) {
        st.working_dir = m_ctx->loaded.working_dir;
        st.config_files = m_ctx->loaded.config_files;
      });
  }
  ExecutorOptions o = options;
  if (o.parallel <= 0) o.parallel = m_parallel;
  for (const auto& n : m_store.snapshot().networks) o.display_names["network:" + n.key] = n.name;
  for (const auto& v : m_store.snapshot().volumes) o.display_names["volume:" + v.key] = v.name;
  if (m_ctx) {
    for (const auto& [key, n] : m_ctx->loaded.model.networks) o.display_names["network:" + key] = n.name;
    for (const auto& [key, v] : m_ctx->loaded.model.volumes) o.display_names["volume:" + key] = v.name;
  }
  Executor(*m_runtime, m_progress, deps, o).run(plan);
}

void Engine::sync_dns() {
  try {
    for (const auto& name : runtime::sync_dns(m_paths, m_store.snapshot()))
      m_progress.warning("\"" + name + "\" is not a valid DNS name: it does not resolve");
  } catch (const std::exception& e) {
    m_progress.warning(std::string("service names will not resolve: ") + e.what());
  }
}

void Engine::wait_running(const std::vector<std::string>& services, int timeout_seconds) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds > 0 ? timeout_seconds : 1 << 20);
  // docker compose waits for each service with the condition its dependants use: a service that
  // some service needs `service_completed_successfully` is done once it exited 0.
  std::set<std::string> completes;
  if (m_ctx)
    for (const auto& [name, svc] : m_ctx->loaded.model.services)
      for (const auto& [dep, d] : svc.depends_on)
        if (d.condition == "service_completed_successfully") completes.insert(dep);
  for (const auto& o : observe(services)) {
    const std::string& name = o.record.name;
    m_progress.event("Container", name, "Waiting");
    for (;;) {
      runtime::ContainerStatus st = m_runtime->status(o.record.id);
      const bool exited = st.status == "exited" || st.status == "dead";
      if (completes.count(o.record.service) && exited) {
        if (st.exit_code == 0) {
          m_progress.event("Container", name, "Exited");
          break;
        }
        m_progress.event("Container", name, "Error");
        throw std::runtime_error("service \"" + o.record.service + "\" didn't complete successfully: exit " +
                                 std::to_string(st.exit_code));
      }
      // A container without a healthcheck is done once running; one with a healthcheck once
      // healthy (its health may not be known yet right after the start).
      if (!completes.count(o.record.service) && st.status == "running" && (!st.healthcheck || st.health == "healthy")) {
        m_progress.event("Container", name, st.healthcheck ? "Healthy" : "Started");
        break;
      }
      if (exited) {
        m_progress.event("Container", name, "Error");
        throw std::runtime_error("container " + name + " exited (" + std::to_string(st.exit_code) + ")");
      }
      if (st.health == "unhealthy") {
        m_progress.event("Container", name, "Error");
        throw std::runtime_error("container " + name + " is unhealthy");
      }
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("application not healthy after " +
                                 gocompat::format_duration(std::int64_t{timeout_seconds} * 1'000'000'000));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

std::vector<std::string> Engine::known_services(const std::vector<std::string>& services) const {
  if (m_ctx)
    for (const auto& s : services)
      if (!m_ctx->loaded.model.services.count(s)) throw std::runtime_error("no such service: " + s);
  return services;
}

}  // namespace berth::engine
