#pragma once
// The engine of one project: observe recorded containers, plan (compose/plan/diff.hpp),
// execute (executor.hpp) with the real ContainerRuntime, keep berth-dns in step. Commands in
// compose/cli are short lists of calls to these stages.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compose/engine/executor.hpp"
#include "compose/plan/diff.hpp"
#include "compose/progress/progress.hpp"
#include "compose/project/project_context.hpp"
#include "compose/runtime/container_runtime.hpp"
#include "compose/state/paths.hpp"
#include "compose/state/state_store.hpp"

namespace berth::engine {

/// A recorded container with what it is doing now.
struct ObservedRecord {
  state::ContainerRecord record;
  runtime::ContainerStatus status;
  std::string started_at, finished_at;  ///< RFC 3339 from the shim ("" unknown)
};

class Engine {
 public:
  /// An engine for `project` under `paths`. `ctx` (the loaded compose project) may be null for
  /// commands that work from the recorded state alone.
  Engine(state::Paths paths, std::string project, progress::Progress& progress,
         std::unique_ptr<project::ProjectContext> ctx);

  /// Takes the project lock (commands that change things call this first).
  void lock();
  /// Releases it (attached `up` while it waits for containers).
  void unlock() { m_lock.reset(); }

  const state::Paths& paths() const { return m_paths; }
  const std::string& project() const { return m_project; }
  const project::ProjectContext* context() const { return m_ctx.get(); }
  state::StateStore& store() { return m_store; }

  // ---- stages of up / create ----
  /// Observed containers (record + status), optionally only `services`.
  std::vector<ObservedRecord> observe(const std::vector<std::string>& services = {}, bool include_oneoff = false);
  /// Plans `up` against what is observed.
  plan::Plan plan_up(const plan::UpOptions& opts);
  /// Fails before anything is created when a published port of a container to be created is
  /// taken ("Bind for 0.0.0.0:8080 failed: port is already allocated"), its storage_opt
  /// cannot be honoured (check_storage_opt), or docker compose refuses its service
  /// (check_creatable).
  void check_ports(const plan::Plan& plan);
  /// Warns about orphans as docker compose does.
  void warn_orphans(const plan::Plan& plan);
  /// Runs a plan, gated by the project's dependencies(); throws ExecutionError.
  void execute(const plan::Plan& plan, const ExecutorOptions& options);
  /// Runs a plan gated by `deps` (restart: only its `restart: true` edges).
  void execute(const plan::Plan& plan, const ExecutorOptions& options, const plan::DependencyMap& deps);
  /// Writes the DNS records and starts/reloads/stops berth-dns.
  void sync_dns();
  /// `up --wait`: waits until the selected services' containers are running/healthy.
  void wait_running(const std::vector<std::string>& services, int timeout_seconds);

  // ---- other commands ----
  /// `down`: stop + remove containers (reverse order), networks (not external), volumes with
  /// `volumes` (named project volumes and anonymous ones), berth-dns, the state file. With
  /// `services`, only those services' containers, and the networks/volumes no other container uses.
  void down(bool volumes, bool remove_orphans, std::optional<int> timeout, const std::string& rmi, bool dry_run,
            const std::vector<std::string>& services = {});
  void start(const std::vector<std::string>& services);
  /// After a reboot: reconnects and starts the containers with restart `always`, or
  /// `unless-stopped` that the user did not stop, as dockerd does at boot (engine_restore.cpp).
  /// Returns their names in start order.
  std::vector<std::string> restore();
  void stop(const std::vector<std::string>& services, std::optional<int> timeout);
  /// `restart`: the services (all when none) and, unless `no_deps`, their dependants through
  /// `depends_on: {restart: true}`, in dependency order, each after its restarted dependencies
  /// meet their conditions (docker compose's restart).
  void restart(const std::vector<std::string>& services, std::optional<int> timeout, bool no_deps = false);
  void kill(const std::vector<std::string>& services, const std::string& signal);
  void pause(const std::vector<std::string>& services, bool pause);
  /// `rm`: removes stopped containers (all with `stop`); returns how many were removed.
  size_t rm(const std::vector<std::string>& services, bool stop_first, bool volumes);

  /// The dependency map: from the model when loaded, else from the containers' records.
  plan::DependencyMap dependencies() const;
  runtime::ContainerRuntime& runtime() { return *m_runtime; }
  /// --parallel / COMPOSE_PARALLEL_LIMIT: at most `n` container operations at once (<= 0: no limit).
  void set_parallel(int n) { m_parallel = n; }

 private:
  std::vector<std::string> known_services(const std::vector<std::string>& services) const;
  state::Paths m_paths;
  std::string m_project;
  progress::Progress& m_progress;
  std::unique_ptr<project::ProjectContext> m_ctx;
  state::StateStore m_store;
  std::unique_ptr<runtime::ContainerRuntime> m_runtime;
  std::optional<state::ProjectLock> m_lock;
  int m_parallel = -1;
};

/// The observed status in plan terms.
std::vector<plan::ObservedContainer> to_plan(const std::vector<ObservedRecord>& observed);

}  // namespace berth::engine
