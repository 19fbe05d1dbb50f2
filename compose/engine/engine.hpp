#pragma once
// The engine of one project: observe recorded containers, plan (compose/plan/diff.hpp),
// execute (executor.hpp) with the real ContainerRuntime, keep berth-dns in step. Commands in
// compose/cli are short lists of calls to these stages.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compose/engine/container_runtime.hpp"
#include "compose/engine/executor.hpp"
#include "compose/engine/paths.hpp"
#include "compose/engine/progress.hpp"
#include "compose/engine/project_context.hpp"
#include "compose/engine/state_store.hpp"
#include "compose/plan/diff.hpp"

namespace berth::engine {

/// A recorded container with what it is doing now.
struct ObservedRecord {
  ContainerRecord record;
  ContainerStatus status;
  std::string started_at, finished_at;  ///< RFC 3339 from the shim ("" unknown)
};

class Engine {
 public:
  /// An engine for `project` under `paths`. `ctx` (the loaded compose project) may be null for
  /// commands that work from the recorded state alone.
  Engine(Paths paths, std::string project, Progress& progress, std::unique_ptr<ProjectContext> ctx);

  /// Takes the project lock (commands that change things call this first).
  void lock();
  /// Releases it (attached `up` while it waits for containers).
  void unlock() { m_lock.reset(); }

  const Paths& paths() const { return m_paths; }
  const std::string& project() const { return m_project; }
  const ProjectContext* context() const { return m_ctx.get(); }
  StateStore& store() { return m_store; }

  // ---- stages of up / create ----
  /// Observed containers (record + status), optionally only `services`.
  std::vector<ObservedRecord> observe(const std::vector<std::string>& services = {}, bool include_oneoff = false);
  /// Plans `up` against what is observed.
  plan::Plan plan_up(const plan::UpOptions& opts);
  /// Fails before anything is created when a published port of a container to be created is
  /// taken ("Bind for 0.0.0.0:8080 failed: port is already allocated"), or its storage_opt
  /// cannot be honoured (check_storage_opt).
  void check_ports(const plan::Plan& plan);
  /// Warns about orphans as docker compose does.
  void warn_orphans(const plan::Plan& plan);
  /// Runs a plan; throws ExecutionError.
  void execute(const plan::Plan& plan, const ExecutorOptions& options);
  /// Writes the DNS records and starts/reloads/stops berth-dns.
  void sync_dns();
  /// `up --wait`: waits until the selected services' containers are running/healthy.
  void wait_running(const std::vector<std::string>& services, int timeout_seconds);

  // ---- other commands ----
  /// `down`: stop + remove containers (reverse order), networks (not external), volumes with
  /// `volumes` (named project volumes and anonymous ones), berth-dns, the state file.
  void down(bool volumes, bool remove_orphans, std::optional<int> timeout, const std::string& rmi, bool dry_run);
  void start(const std::vector<std::string>& services);
  void stop(const std::vector<std::string>& services, std::optional<int> timeout);
  void restart(const std::vector<std::string>& services, std::optional<int> timeout);
  void kill(const std::vector<std::string>& services, const std::string& signal);
  void pause(const std::vector<std::string>& services, bool pause);
  /// `rm`: removes stopped containers (all with `stop`); returns how many were removed.
  size_t rm(const std::vector<std::string>& services, bool stop_first, bool volumes);

  /// The dependency map: from the model when loaded, else empty.
  DependencyMap dependencies() const;
  ContainerRuntime& runtime() { return *m_runtime; }

 private:
  std::vector<std::string> known_services(const std::vector<std::string>& services) const;
  Paths m_paths;
  std::string m_project;
  Progress& m_progress;
  std::unique_ptr<ProjectContext> m_ctx;
  StateStore m_store;
  std::unique_ptr<ContainerRuntime> m_runtime;
  std::optional<ProjectLock> m_lock;
};

/// The observed status in plan terms.
std::vector<plan::ObservedContainer> to_plan(const std::vector<ObservedRecord>& observed);

}  // namespace berth::engine
