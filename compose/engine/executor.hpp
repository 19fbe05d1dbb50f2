#pragma once
// Runs a plan (compose/plan/actions.hpp) through a RuntimeClient: networks and volumes first,
// then one thread per service that starts as soon as its dependencies allow — not strictly level
// by level: a service waits only for its own dependencies' conditions (service_started,
// service_healthy, service_completed_successfully); `required: false` dependencies that fail only
// warn. In reverse plans (stop, down) a service waits until its dependants are done instead.
// A service's containers run their steps in parallel (at most ExecutorOptions::parallel containers
// at once over all services: --parallel). A failure stops the failed service's dependants and is
// reported after every running step has finished; nothing that succeeded is rolled back (as
// docker compose).
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "compose/engine/parallel_limit.hpp"
#include "compose/plan/actions.hpp"
#include "compose/plan/diff.hpp"
#include "compose/progress/progress.hpp"
#include "compose/runtime/runtime_client.hpp"

namespace berth::engine {

struct ExecutorOptions {
  std::optional<int> timeout;   ///< stop timeout in seconds (-t); unset = each container's own
  bool wait_conditions = true;  ///< false with --no-start: nothing runs, nothing to wait for
  std::chrono::milliseconds poll{50};
  int parallel = -1;  ///< --parallel: at most this many containers' steps at once (<= 0: no limit)
  /// Names shown for network/volume keys ("default" → "appdb_default"); the key when absent.
  std::map<std::string, std::string> display_names;
};

/// What a plan run failed with: one message per failed service (first failure first).
struct ExecutionError : std::runtime_error {
  explicit ExecutionError(const std::string& first, std::vector<std::string> all)
      : std::runtime_error(first), messages(std::move(all)) {}
  std::vector<std::string> messages;
};

class Executor {
 public:
  Executor(runtime::RuntimeClient& runtime, progress::Progress& progress, plan::DependencyMap dependencies,
           ExecutorOptions options = {});

  /// Runs `plan`; throws ExecutionError when a step or a dependency condition failed.
  void run(const plan::Plan& plan);

  /// Waits until container `id` (named `name`) satisfies `condition`; returns "" or the
  /// docker compose error text ("container appdb-db-1 is unhealthy").
  std::string wait_condition(const std::string& id, const std::string& name, const std::string& service,
                             const std::string& condition);

 private:
  struct ServiceState {
    bool done = false;
    std::string error;
  };
  void run_service(const plan::Plan& plan, const std::string& service);
  std::string wait_dependencies(const plan::Plan& plan, const std::string& service);
  void wait_dependants(const plan::Plan& plan, const std::string& service);
  std::string run_containers(const std::vector<plan::ContainerSteps>& containers);
  void run_steps(const plan::ContainerSteps& steps);
  void finish_service(const std::string& service, const std::string& error);

  runtime::RuntimeClient& m_runtime;
  progress::Progress& m_progress;
  plan::DependencyMap m_deps;
  ExecutorOptions m_options;
  ParallelLimit m_limit{m_options.parallel};
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::map<std::string, ServiceState> m_states;
  std::vector<std::string> m_errors;
};

}  // namespace berth::engine
