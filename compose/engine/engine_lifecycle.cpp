// Engine operations other than `up`: down, start, stop, restart, kill, pause/unpause, rm.
// Each builds a small plan (or a list of containers) and runs it in parallel; down and stop go
// in reverse dependency order. They work from the recorded state alone when no compose file
// could be loaded (`berth -p name down`), as docker compose does.
#include <iostream>
#include <set>
#include <thread>

#include "common/event_journal.hpp"
#include "compose/engine/engine.hpp"
#include "compose/engine/parallel_limit.hpp"
#include "compose/image/store.hpp"
#include "compose/model/service_image.hpp"
#include "compose/runtime/dns.hpp"
#include "compose/storage/volumes.hpp"

namespace berth::engine {

namespace {

plan::ContainerSteps steps_for(const ObservedRecord& o, std::initializer_list<plan::ActionKind> kinds,
                               const std::string& reason = "") {
  plan::ContainerSteps s{o.record.name, o.record.number, {}};
  for (auto k : kinds)
    s.steps.push_back(plan::Action{k, o.record.service, o.record.name, o.record.id, o.record.number, reason});
  return s;
}

bool is_running(const runtime::ContainerStatus& s) {
  return s.status == "running" || s.status == "paused" || s.status == "restarting";
}

/// Runs `fn` on every container in parallel (at most `parallel` at once when > 0); collects the
/// first error.
template <class F>
void each_parallel(const std::vector<ObservedRecord>& items, progress::Progress& progress, int parallel, F fn) {
  std::mutex m;
  std::string first;
  ParallelLimit limit(parallel);
  std::vector<std::thread> threads;
  for (const auto& o : items)
    threads.emplace_back([&, o] {
      try {
        ParallelLimit::Slot slot(limit);
        fn(o);
      } catch (const std::exception& e) {
        progress.error("Container", o.record.name, e.what());
        std::lock_guard lock(m);
        if (first.empty()) first = e.what();
      }
    });
  for (auto& t : threads) t.join();
  if (!first.empty()) throw std::runtime_error(first);
}

}  // namespace

void Engine::down(bool volumes, bool remove_orphans, std::optional<int> timeout, const std::string& rmi, bool dry_run,
                  const std::vector<std::string>& services) {
  // `down SERVICE...` (docker compose v2.26+): only those services' containers; networks and
  // volumes go only when no other container uses them, and images are not touched.
  const std::vector<std::string> wanted = known_services(services);
  const std::set<std::string> selected(wanted.begin(), wanted.end());
  plan::DesiredState desired;
  desired.project = m_project;
  if (m_ctx)
    desired = m_ctx->desired;
  else
    remove_orphans = true;  // no model: everything recorded belongs to the project
  state::ProjectState state = m_store.snapshot();
  if (volumes && m_ctx) {  // volumes the spec created on demand are the project's too
    storage::VolumeStore store(m_paths.root);
    for (const auto& [key, v] : m_ctx->loaded.model.volumes) {
      bool recorded =
          std::any_of(state.volumes.begin(), state.volumes.end(), [&](const auto& r) { return r.key == key; });
      if (!v.external && !recorded && store.exists(v.name))
        m_store.update([&](state::ProjectState& s) { s.volumes.push_back(state::VolumeRecord{key, v.name, false}); });
    }
    state = m_store.snapshot();
  }
  auto observed = to_plan(observe({}, true));
  if (!selected.empty()) {
    // The other services are neither removed nor orphans; true orphans stay orphans.
    std::erase_if(observed, [&](const plan::ObservedContainer& c) {
      return !selected.count(c.service) && (desired.services.count(c.service) || !m_ctx);
    });
    std::erase_if(desired.services, [&](const auto& kv) { return !selected.count(kv.first); });
  }
  plan::Plan p = plan::plan_down(desired, observed, remove_orphans, {}, {});
  // Networks (and volumes) still used by containers that stay (orphans without
  // --remove-orphans, the services not selected) stay too.
  std::set<std::string> removed;
  for (const auto& c : observed)
    if (desired.services.count(c.service) || remove_orphans) removed.insert(c.name);
  std::set<std::string> kept_ids, kept_services;
  for (const auto& c : state.containers)
    if (!removed.count(c.name)) {
      for (const auto& e : c.endpoints) kept_ids.insert(e.network_id);
      kept_services.insert(c.service);
    }
  for (const auto& n : state.networks)
    if (!kept_ids.count(n.id))
      p.cleanup.push_back(plan::Action{plan::ActionKind::RemoveNetwork, "", n.key, "", 0, "down"});
  std::set<std::string> kept_volumes;  // named volumes a staying container mounts (known from the model)
  if (m_ctx)
    for (const auto& svc : kept_services)
      if (auto it = m_ctx->loaded.model.services.find(svc); it != m_ctx->loaded.model.services.end())
        for (const auto& v : it->second.volumes)
          if (v.type == "volume" && !v.source.empty()) kept_volumes.insert(v.source);
  if (volumes)
    for (const auto& v : state.volumes)
      if (!v.external && !kept_volumes.count(v.key))
        p.cleanup.push_back(plan::Action{plan::ActionKind::RemoveVolume, "", v.key, "", 0, "down"});
  if (dry_run) {
    plan::print_dry_run(std::cerr, p);
    return;
  }
  warn_orphans(p);
  ExecutorOptions options;
  options.timeout = timeout;
  options.wait_conditions = false;
  std::string error;
  try {
    execute(p, options);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!selected.empty()) {
    // docker compose tries the networks (and with -v the volumes) of the services it removed
    // and reports those other containers still use.
    std::set<std::string> used_ids, used_volumes;
    for (const auto& c : state.containers)
      if (removed.count(c.name)) {
        for (const auto& e : c.endpoints) used_ids.insert(e.network_id);
        if (m_ctx)
          if (auto it = m_ctx->loaded.model.services.find(c.service); it != m_ctx->loaded.model.services.end())
            for (const auto& v : it->second.volumes)
              if (v.type == "volume" && !v.source.empty()) used_volumes.insert(v.source);
      }
    for (const auto& n : state.networks)
      if (used_ids.count(n.id) && kept_ids.count(n.id) && !n.external)
        m_progress.event("Network", n.name, "Resource is still in use");
    if (volumes)
      for (const auto& v : state.volumes)
        if (used_volumes.count(v.key) && kept_volumes.count(v.key) && !v.external) {
          m_progress.event("Volume", v.name, "Removing");
          m_progress.event("Volume", v.name, "Resource is still in use");
        }
  }
  if (volumes) m_runtime->remove_anonymous_volumes();
  if (m_store.snapshot().containers.empty()) {
    // No container uses the project's volumes any more: a local driver device (driver_opts) is
    // unmounted, as Docker's local driver does when its last user goes.
    storage::VolumeStore store(m_paths.root);
    std::set<std::string> names;
    for (const auto& v : state.volumes)
      if (!v.external) names.insert(v.name);
    if (m_ctx)
      for (const auto& [key, v] : m_ctx->loaded.model.volumes)
        if (!v.external) names.insert(v.name);
    for (const auto& name : names) try {
        store.unmount(name);
      } catch (const std::exception& e) {
        if (error.empty()) error = e.what();
      }
  }
  if (m_store.snapshot().containers.empty()) {
    runtime::stop_dns(m_paths, m_project);
    // The project is gone: so is its event history, as docker compose's containers take theirs.
    try {
      journal::remove(m_paths.events_journal(m_project));
    } catch (const std::exception& e) {
      if (error.empty()) error = e.what();
    }
  } else {
    sync_dns();
  }
  if ((rmi == "all" || rmi == "local") && m_ctx) {  // `down SERVICE --rmi`: only those services' images
    image::ImageStore images(m_paths.root);
    auto lock = images.lock();
    for (const auto& [key, svc] : m_ctx->loaded.model.services) {
      if (!selected.empty() && !selected.count(key)) continue;
      if (rmi == "local" && !svc.image.empty()) continue;  // "local": only images without a custom tag (built)
      const std::string name = model::service_image(m_ctx->loaded.model, key);
      if (auto ref = image::try_parse_reference(name))
        if (images.remove(lock, *ref)) m_progress.event("Image", name, "Removed");
    }
  }
  if (!error.empty()) throw std::runtime_error(error);
}

void Engine::start(const std::vector<std::string>& services) {
  plan::Plan p;
  // `start svc` starts what svc depends on first, as docker compose does.
  std::vector<std::string> wanted = known_services(services);
  if (!wanted.empty()) {
    std::set<std::string> all = model::with_dependencies(dependencies(), wanted);
    wanted.assign(all.begin(), all.end());
  }
  for (const auto& o : observe(wanted)) {
    if (is_running(o.status)) continue;
    p.services[o.record.service].service = o.record.service;
    p.services[o.record.service].containers.push_back(steps_for(o, {plan::ActionKind::StartContainer}));
  }
  for (auto& [name, deps] : dependencies()) p.services[name].service = name;
  execute(p, ExecutorOptions{});
  sync_dns();
}

void Engine::stop(const std::vector<std::string>& services, std::optional<int> timeout) {
  plan::Plan p;
  p.reverse = true;
  // As docker compose: every container of the services, stopped ones too (they are reported
  // `Stopped` again), but not one-off `run` containers; with no service named, the services of
  // the compose files given (`-f one.yaml stop` leaves the others' containers running).
  std::vector<std::string> wanted = known_services(services);
  if (wanted.empty() && m_ctx)
    for (const auto& [name, svc] : m_ctx->loaded.model.services) wanted.push_back(name);
  for (const auto& o : observe(wanted)) {
    p.services[o.record.service].service = o.record.service;
    p.services[o.record.service].containers.push_back(steps_for(o, {plan::ActionKind::StopContainer}));
  }
  ExecutorOptions options;
  options.timeout = timeout;
  execute(p, options);
}

void Engine::restart(const std::vector<std::string>& services, std::optional<int> timeout, bool no_deps) {
  // As docker compose's restart: only `depends_on` edges with `restart: true` matter; the named
  // services (all when none) and, unless --no-deps, what depends on them that way, transitively.
  // Each service waits for its restarted dependencies' conditions (service_healthy: Healthy)
  // before its own containers restart, stopped ones included.
  plan::DependencyMap restart_edges;
  for (const auto& [name, deps] : dependencies()) {
    auto& mine = restart_edges[name];
    for (const auto& [dep, d] : deps)
      if (d.restart) mine.emplace(dep, d);
  }
  std::vector<ObservedRecord> observed = observe();
  std::set<std::string> selected;
  for (const auto& s : known_services(services)) selected.insert(s);
  if (selected.empty()) {
    for (const auto& o : observed) selected.insert(o.record.service);
  } else if (!no_deps) {
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [name, deps] : restart_edges)
        for (const auto& [dep, d] : deps)
          if (selected.count(dep) && selected.insert(name).second) grew = true;
    }
  }
  plan::DependencyMap gates;
  for (const auto& name : selected) {
    auto& mine = gates[name];
    if (auto it = restart_edges.find(name); it != restart_edges.end())
      for (const auto& [dep, d] : it->second)
        if (selected.count(dep)) mine.emplace(dep, d);
  }
  plan::Plan p;
  for (const auto& o : observed) {
    if (!selected.count(o.record.service)) continue;
    p.services[o.record.service].service = o.record.service;
    p.services[o.record.service].containers.push_back(
        steps_for(o, {plan::ActionKind::RestartContainer}, plan::kRestartCommand));
  }
  ExecutorOptions options;
  options.timeout = timeout;
  execute(p, options, gates);
}

void Engine::kill(const std::vector<std::string>& services, const std::string& signal) {
  std::vector<ObservedRecord> running;
  for (auto& o : observe(known_services(services), true))
    if (is_running(o.status)) running.push_back(o);
  each_parallel(running, m_progress, m_parallel, [&](const ObservedRecord& o) {
    m_progress.event("Container", o.record.name, "Killing");
    m_runtime->kill(o.record.id, signal);
    m_progress.event("Container", o.record.name, "Killed");
  });
}

void Engine::pause(const std::vector<std::string>& services, bool pause) {
  std::vector<ObservedRecord> targets;
  // As docker compose: the running containers (a paused one counts), and the daemon's answer for
  // one that is already in the asked state.
  for (auto& o : observe(known_services(services)))
    if (o.status.status == "running" || o.status.status == "paused") targets.push_back(o);
  each_parallel(targets, m_progress, m_parallel, [&](const ObservedRecord& o) {
    if (pause && o.status.status == "paused")
      throw std::runtime_error("Error response from daemon: Container " + o.record.id + " is already paused");
    if (!pause && o.status.status != "paused")
      throw std::runtime_error("Error response from daemon: Container " + o.record.id + " is not paused");
    m_progress.event("Container", o.record.name, pause ? "Pausing" : "Unpausing");
    m_runtime->pause(o.record.id, pause);
    m_progress.event("Container", o.record.name, pause ? "Paused" : "Unpaused");
  });
}

size_t Engine::rm(const std::vector<std::string>& services, bool stop_first, bool volumes) {
  std::vector<ObservedRecord> targets;
  for (auto& o : observe(known_services(services), true))
    if (stop_first || !is_running(o.status)) targets.push_back(o);
  each_parallel(targets, m_progress, m_parallel, [&](const ObservedRecord& o) {
    if (is_running(o.status)) {
      m_progress.event("Container", o.record.name, "Stopping");
      m_runtime->stop(o.record.id, std::nullopt);
      m_progress.event("Container", o.record.name, "Stopped");
    }
    m_progress.event("Container", o.record.name, "Removing");
    m_runtime->remove(o.record.id);
    m_progress.event("Container", o.record.name, "Removed");
  });
  if (volumes) m_runtime->remove_anonymous_volumes();
  sync_dns();
  return targets.size();
}

}  // namespace berth::engine
