// The executor: threads per service gated by dependency conditions (see executor.hpp). Threads
// are cheap next to what each step does (netns, bundle, fork of a shim), and a 20-service
// project starts in one wave instead of one level at a time.
#include "compose/engine/executor.hpp"

#include <thread>

namespace berth::engine {

namespace {
/// docker compose's dependency poll interval (waitDependencies' ticker).
constexpr std::chrono::milliseconds kFirstLook{500};
}  // namespace

using plan::Action;
using plan::ActionKind;

Executor::Executor(runtime::RuntimeClient& runtime, progress::Progress& progress, plan::DependencyMap dependencies,
                   ExecutorOptions options)
    : m_runtime(runtime), m_progress(progress), m_deps(std::move(dependencies)), m_options(options) {}

void Executor::run(const plan::Plan& plan) {
  auto shown = [&](const Action& a) {
    auto it = m_options.display_names.find(
        (a.kind == ActionKind::CreateNetwork || a.kind == ActionKind::RemoveNetwork ? "network:" : "volume:") + a.name);
    return it == m_options.display_names.end() ? a.name : it->second;
  };
  for (const Action& a : plan.prepare) {
    if (a.kind == ActionKind::StopContainer) {  // on a network about to be recreated
      if (std::string err = run_containers({plan::ContainerSteps{a.name, a.number, {a}}}); !err.empty())
        throw ExecutionError(err, {err});
      continue;
    }
    if (a.kind == ActionKind::RemoveNetwork) {  // diverged: docker compose's removeDivergedNetwork
      try {
        m_runtime.remove_network(a.name);
      } catch (const std::exception& e) {
        m_progress.error("Network", shown(a), e.what());
        throw ExecutionError(e.what(), {e.what()});
      }
      m_progress.event("Network", shown(a), "Removed");
      continue;
    }
    const bool network = a.kind == ActionKind::CreateNetwork;
    const char* kind = network ? "Network" : "Volume";
    m_progress.event(kind, shown(a), "Creating");
    try {
      network ? m_runtime.create_network(a.name) : m_runtime.create_volume(a.name);
    } catch (const std::exception& e) {
      m_progress.error(kind, shown(a), e.what());
      throw ExecutionError(e.what(), {e.what()});
    }
    m_progress.event(kind, shown(a), "Created");
  }

  {
    std::lock_guard lock(m_mutex);
    for (const auto& [name, s] : plan.services) m_states[name] = {};
  }
  std::vector<std::thread> threads;
  threads.reserve(plan.services.size());
  for (const auto& [name, s] : plan.services)
    threads.emplace_back([this, &plan, name = name] { run_service(plan, name); });
  for (auto& t : threads) t.join();

  if (std::string err = run_containers(plan.orphans); !err.empty()) m_errors.push_back(err);

  for (const Action& a : plan.cleanup) {
    const bool network = a.kind == ActionKind::RemoveNetwork;
    const char* kind = network ? "Network" : "Volume";
    m_progress.event(kind, shown(a), "Removing");
    try {
      network ? m_runtime.remove_network(a.name) : m_runtime.remove_volume(a.name);
      m_progress.event(kind, shown(a), "Removed");
    } catch (const std::exception& e) {
      m_progress.error(kind, shown(a), e.what());
      m_errors.push_back(e.what());
    }
  }
  if (!m_errors.empty()) throw ExecutionError(m_errors.front(), m_errors);
}

void Executor::run_service(const plan::Plan& plan, const std::string& service) {
  std::string error;
  if (plan.reverse)
    wait_dependants(plan, service);
  else
    error = wait_dependencies(plan, service);
  if (error.empty()) {
    error = run_containers(plan.services.at(service).containers);
  } else {
    // As docker compose, which creates every container before it starts any: the new containers
    // of a service whose dependency failed are still created, and left `created`.
    std::vector<plan::ContainerSteps> create_only;
    for (const auto& c : plan.services.at(service).containers)
      if (!c.steps.empty() && c.steps.front().kind == ActionKind::CreateContainer)
        create_only.push_back(plan::ContainerSteps{c.name, c.number, {c.steps.front()}});
    run_containers(create_only);
  }
  finish_service(service, error);
}

void Executor::finish_service(const std::string& service, const std::string& error) {
  std::lock_guard lock(m_mutex);
  m_states[service] = {true, error};
  if (!error.empty()) m_errors.push_back(error);
  m_changed.notify_all();
}

std::string Executor::wait_dependencies(const plan::Plan& plan, const std::string& service) {
  auto deps = m_deps.find(service);
  if (deps == m_deps.end()) return "";
  for (const auto& [dep, d] : deps->second) {
    std::string failure;
    if (plan.services.count(dep)) {
      std::unique_lock lock(m_mutex);
      m_changed.wait(lock, [&] { return m_states[dep].done; });
      failure = m_states[dep].error;
    }
    if (failure.empty() && m_options.wait_conditions && d.condition != "service_started") {
      for (const auto& [id, name] : m_runtime.containers_of(dep)) {
        failure = wait_condition(id, name, dep, d.condition);
        if (!failure.empty()) break;
      }
    }
    if (failure.empty()) continue;
    if (!d.required) {
      m_progress.warning("optional dependency \"" + dep + "\" failed to start: " + failure);  // docker compose's words
      continue;
    }
    return failure;  // already "dependency failed to start: ..." or the dependency's own error
  }
  return "";
}

void Executor::wait_dependants(const plan::Plan& plan, const std::string& service) {
  for (const auto& [other, deps] : m_deps) {
    if (!deps.count(service) || !plan.services.count(other) || other == service) continue;
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_states[other].done; });
  }
}

std::string Executor::wait_condition(const std::string& id, const std::string& name, const std::string& service,
                                     const std::string& condition) {
  bool announced = false;
  const auto began = std::chrono::steady_clock::now();
  for (;;) {
    runtime::ContainerStatus st = m_runtime.status(id);
    if (condition == "service_healthy") {
      // As docker compose's isServiceHealthy: an exit first, then whether the container's config
      // has a healthcheck at all; while its health is not known yet (or starting) it is waited for.
      if (st.status == "exited" || st.status == "dead") {
        if (announced) m_progress.event("Container", name, "Error");
        return "dependency failed to start: container " + name + " exited (" + std::to_string(st.exit_code) + ")";
      }
      // docker compose takes its first look one tick (500 ms) after it began to wait: a dependency
      // that fails at once is reported as exited, whether it has a healthcheck or not.
      if (!st.healthcheck) {
        if (std::chrono::steady_clock::now() - began >= kFirstLook) {
          if (announced) m_progress.event("Container", name, "Error");
          return "dependency failed to start: container " + name + " has no healthcheck configured";
        }
      } else if (st.health == "healthy") {
        if (announced) m_progress.event("Container", name, "Healthy");
        return "";
      } else if (st.health == "unhealthy") {
        if (announced) m_progress.event("Container", name, "Error");
        return "dependency failed to start: container " + name + " is unhealthy";
      } else if (st.status == "created") {
        return "dependency failed to start: container " + name + " is not started";
      }
    } else if (condition == "service_completed_successfully") {
      if (st.status == "exited" || st.status == "dead") {
        if (st.exit_code == 0) {
          if (announced) m_progress.event("Container", name, "Exited");
          return "";
        }
        if (announced) m_progress.event("Container", name, "Error");
        return "service \"" + service + "\" didn't complete successfully: exit " + std::to_string(st.exit_code);
      }
      if (st.status == "created") return "dependency failed to start: container " + name + " is not started";
    } else {
      return "";
    }
    if (!announced) m_progress.event("Container", name, "Waiting");
    announced = true;
    std::this_thread::sleep_for(m_options.poll);
  }
}

std::string Executor::run_containers(const std::vector<plan::ContainerSteps>& containers) {
  std::mutex mutex;
  std::string first;
  auto one = [&](const plan::ContainerSteps& steps) {
    try {
      ParallelLimit::Slot slot(m_limit);
      run_steps(steps);
    } catch (const std::exception& e) {
      m_progress.error("Container", steps.name, e.what());
      std::lock_guard lock(mutex);
      if (first.empty()) first = e.what();
    }
  };
  if (containers.size() == 1) {
    one(containers.front());
    return first;
  }
  std::vector<std::thread> threads;
  for (const auto& c : containers) threads.emplace_back(one, std::cref(c));
  for (auto& t : threads) t.join();
  return first;
}

void Executor::run_steps(const plan::ContainerSteps& steps) {
  std::string id;
  for (const Action& a : steps.steps) {
    if (!a.container_id.empty() && a.kind != ActionKind::CreateContainer) id = a.container_id;
    switch (a.kind) {
      case ActionKind::CreateContainer:
        m_progress.event("Container", a.name, a.container_id.empty() ? "Creating" : "Recreate");
        id = m_runtime.create(a);
        m_progress.event("Container", a.name, a.container_id.empty() ? "Created" : "Recreated");
        break;
      case ActionKind::StartContainer:
        m_progress.event("Container", a.name, "Starting");
        m_runtime.start(id);
        m_progress.event("Container", a.name, "Started");
        break;
      case ActionKind::StopContainer:
        m_progress.event("Container", a.name, "Stopping");
        m_runtime.stop(id, m_options.timeout);
        m_progress.event("Container", a.name, "Stopped");
        break;
      case ActionKind::RemoveContainer:
        m_progress.event("Container", a.name, "Removing");
        m_runtime.remove(id);
        m_progress.event("Container", a.name, "Removed");
        break;
      case ActionKind::RestartContainer: {
        // docker compose's words: its restart command says Restarting … Started, up restarting a
        // dependant of a recreated service says Restart … Restarted.
        const bool command = a.reason == plan::kRestartCommand;
        m_progress.event("Container", a.name, command ? "Restarting" : "Restart");
        m_runtime.stop(id, m_options.timeout);
        m_runtime.start(id);
        m_runtime.restarted(id);
        m_progress.event("Container", a.name, command ? "Started" : "Restarted");
        break;
      }
      default:
        throw std::logic_error(std::string("executor: unexpected container step ") + plan::kind_name(a.kind));
    }
  }
}

}  // namespace berth::engine
