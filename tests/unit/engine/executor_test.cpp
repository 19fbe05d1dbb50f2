// Executor ordering with a fake RuntimeClient: dependencies start first and dependants wait
// for their conditions (healthy, completed successfully), failures stop dependants with docker
// compose's message, optional dependencies only warn, reverse plans stop dependants first,
// a service's containers and independent services run in parallel.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <sstream>
#include <thread>

#include "compose/engine/executor.hpp"

using namespace berth::engine;
using namespace berth::plan;
using namespace std::chrono_literals;
using namespace berth::progress;
using namespace berth::runtime;

namespace {

class FakeRuntime : public RuntimeClient {
 public:
  std::string create(const Action& a) override {
    log("create " + a.name);
    std::lock_guard lock(m);
    std::string id = "id-" + a.name;
    containers[a.service].push_back({id, a.name});
    return id;
  }
  void start(const std::string& id) override {
    std::this_thread::sleep_for(start_delay);
    log("start " + id);
    std::lock_guard lock(m);
    started[id] = std::chrono::steady_clock::now();
    if (fail_start == id) throw std::runtime_error("start " + id + ": boom");
  }
  void stop(const std::string& id, std::optional<int>) override { log("stop " + id); }
  void remove(const std::string& id) override { log("remove " + id); }
  ContainerStatus status(const std::string& id) override {
    std::lock_guard lock(m);
    ++status_calls;
    auto it = statuses.find(id);
    if (it == statuses.end()) return ContainerStatus{"running", 0, ""};
    // Health turns to its final value after a few polls, like a healthcheck would.
    ContainerStatus s = it->second;
    if (status_calls <= health_unknown_polls) s.health = "";  // not known yet, right after a start
    if (status_calls < 3 && !s.health.empty()) s.health = "starting";
    if (status_calls < 3 && s.status == "exited") s.status = "running";
    return s;
  }
  std::vector<std::pair<std::string, std::string>> containers_of(const std::string& service) override {
    std::lock_guard lock(m);
    return containers[service];
  }
  void create_network(const std::string& key) override { log("network " + key); }
  void remove_network(const std::string& key) override { log("rm network " + key); }
  void create_volume(const std::string& key) override { log("volume " + key); }
  void remove_volume(const std::string& key) override { log("rm volume " + key); }

  void log(const std::string& line) {
    std::lock_guard lock(m);
    calls.push_back(line);
  }
  size_t index(const std::string& line) {
    std::lock_guard lock(m);
    for (size_t i = 0; i < calls.size(); ++i)
      if (calls[i] == line) return i;
    return SIZE_MAX;
  }

  std::mutex m;
  std::vector<std::string> calls;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> containers;
  std::map<std::string, ContainerStatus> statuses;
  std::map<std::string, std::chrono::steady_clock::time_point> started;
  std::string fail_start;
  std::chrono::milliseconds start_delay{0};
  int status_calls = 0;
  int health_unknown_polls = 0;
};

ContainerSteps create_start(const std::string& service, int n = 1) {
  std::string name = "p-" + service + "-" + std::to_string(n);
  return {name,
          n,
          {Action{ActionKind::CreateContainer, service, name, "", n, ""},
           Action{ActionKind::StartContainer, service, name, "", n, ""}}};
}

Plan fresh(const std::vector<std::string>& services) {
  Plan p;
  p.prepare.push_back(Action{ActionKind::CreateNetwork, "", "default", "", 0, ""});
  for (const auto& s : services) p.services[s] = ServicePlan{s, {create_start(s)}};
  return p;
}

ExecutorOptions fast() {
  ExecutorOptions o;
  o.poll = std::chrono::milliseconds(1);
  return o;
}

struct Harness {
  FakeRuntime rt;
  std::ostringstream out;
  Progress progress{ProgressMode::Plain, out};
};

/// db, and web depending on it with `service_healthy`: the message of the ExecutionError the run
/// ends with, "" when it succeeds.
std::string healthy_dependency_error(Harness& h) {
  DependencyMap deps{{"web", {{"db", Dependency{"service_healthy", false, true}}}}, {"db", {}}};
  try {
    Executor(h.rt, h.progress, deps, fast()).run(fresh({"db", "web"}));
  } catch (const ExecutionError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(EngineExecutor, HealthyDependencyStartsFirst) {
  Harness h;
  h.rt.statuses["id-p-db-1"] = ContainerStatus{"running", 0, "healthy", true};
  DependencyMap deps{{"web", {{"db", Dependency{"service_healthy", false, true}}}}, {"db", {}}};
  Executor(h.rt, h.progress, deps, fast()).run(fresh({"db", "web"}));
  EXPECT_LT(h.rt.index("network default"), h.rt.index("create p-db-1"));
  EXPECT_LT(h.rt.index("start id-p-db-1"), h.rt.index("create p-web-1"));
  EXPECT_NE(h.out.str().find(" Container p-db-1 Waiting \n Container p-db-1 Healthy \n"), std::string::npos)
      << h.out.str();
  EXPECT_NE(h.out.str().find(" Network default Created \n"), std::string::npos);
}

TEST(EngineExecutor, UnhealthyDependencyLeavesDependantsCreatedNotStarted) {
  Harness h;
  h.rt.statuses["id-p-db-1"] = ContainerStatus{"running", 0, "unhealthy", true};
  EXPECT_EQ(healthy_dependency_error(h), "dependency failed to start: container p-db-1 is unhealthy");
  // docker compose creates every container first: the dependant exists, `created`, never started.
  EXPECT_NE(h.rt.index("create p-web-1"), SIZE_MAX);
  EXPECT_EQ(h.rt.index("start id-p-web-1"), SIZE_MAX);
}

TEST(EngineExecutor, HealthNotKnownYetIsWaitedForWhenAHealthcheckIsConfigured) {
  Harness h;
  h.rt.statuses["id-p-db-1"] = ContainerStatus{"running", 0, "healthy", true};
  h.rt.health_unknown_polls = 2;  // the shim has not reported a health yet
  DependencyMap deps{{"web", {{"db", Dependency{"service_healthy", false, true}}}}, {"db", {}}};
  Executor(h.rt, h.progress, deps, fast()).run(fresh({"db", "web"}));
  EXPECT_NE(h.rt.index("start id-p-web-1"), SIZE_MAX);
  EXPECT_NE(h.out.str().find(" Container p-db-1 Healthy \n"), std::string::npos) << h.out.str();
}

TEST(EngineExecutor, ServiceHealthyWithoutAHealthcheckAndExitedDependencyInDockerComposesWords) {
  {
    Harness h;
    h.rt.statuses["id-p-db-1"] = ContainerStatus{"running", 0, "", false};
    EXPECT_EQ(healthy_dependency_error(h),
              "dependency failed to start: container p-db-1 has no healthcheck configured");
  }
  {
    // Without a healthcheck, one that exits at once (here on the third look) is reported as
    // exited: docker compose's first look comes one poll tick (500 ms) after the wait began.
    Harness h;
    h.rt.statuses["id-p-db-1"] = ContainerStatus{"exited", 1, "", false};
    EXPECT_EQ(healthy_dependency_error(h), "dependency failed to start: container p-db-1 exited (1)");
  }
  Harness h;
  h.rt.statuses["id-p-db-1"] = ContainerStatus{"exited", 1, "", true};
  h.rt.health_unknown_polls = 5;
  EXPECT_EQ(healthy_dependency_error(h), "dependency failed to start: container p-db-1 exited (1)");
}

TEST(EngineExecutor, OptionalDependencyOnlyWarns) {
  Harness h;
  h.rt.statuses["id-p-db-1"] = ContainerStatus{"exited", 3, ""};
  DependencyMap deps{{"web", {{"db", Dependency{"service_completed_successfully", false, false}}}}, {"db", {}}};
  Executor(h.rt, h.progress, deps, fast()).run(fresh({"db", "web"}));
  EXPECT_NE(h.rt.index("start id-p-web-1"), SIZE_MAX);
  EXPECT_NE(h.out.str().find("WARN[0000] optional dependency \"db\" failed to start: service \"db\" didn't "
                             "complete successfully: exit 3"),
            std::string::npos)
      << h.out.str();
}

TEST(EngineExecutor, CompletedSuccessfullyWaitsForExit) {
  Harness h;
  h.rt.statuses["id-p-init-1"] = ContainerStatus{"exited", 0, ""};
  DependencyMap deps{{"app", {{"init", Dependency{"service_completed_successfully", false, true}}}}, {"init", {}}};
  Executor(h.rt, h.progress, deps, fast()).run(fresh({"init", "app"}));
  EXPECT_LT(h.rt.index("start id-p-init-1"), h.rt.index("create p-app-1"));
  EXPECT_GE(h.rt.status_calls, 3);
}

TEST(EngineExecutor, FailedStartFailsDependantsButNotOthers) {
  Harness h;
  h.rt.fail_start = "id-p-db-1";
  DependencyMap deps{{"web", {{"db", Dependency{}}}}, {"db", {}}, {"other", {}}};
  EXPECT_THROW(Executor(h.rt, h.progress, deps, fast()).run(fresh({"db", "web", "other"})), ExecutionError);
  EXPECT_NE(h.rt.index("create p-web-1"), SIZE_MAX);    // created, as docker compose does ...
  EXPECT_EQ(h.rt.index("start id-p-web-1"), SIZE_MAX);  // ... but never started
  EXPECT_NE(h.rt.index("start id-p-other-1"), SIZE_MAX);
  EXPECT_NE(h.out.str().find(" Container p-db-1 Error start id-p-db-1: boom"), std::string::npos) << h.out.str();
}

TEST(EngineExecutor, IndependentServicesStartInParallel) {
  Harness h;
  h.rt.start_delay = 100ms;
  DependencyMap deps;
  std::vector<std::string> names;
  for (int i = 0; i < 8; ++i) names.push_back("s" + std::to_string(i));
  for (const auto& n : names) deps[n] = {};
  auto t0 = std::chrono::steady_clock::now();
  Executor(h.rt, h.progress, deps, fast()).run(fresh(names));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 600ms);  // 8 × 100 ms if serial
  EXPECT_EQ(h.rt.started.size(), 8u);
}

TEST(EngineExecutor, ReverseStopsDependantsFirst) {
  Harness h;
  Plan p;
  p.reverse = true;
  for (std::string s : {"db", "web", "proxy"})
    p.services[s] =
        ServicePlan{s,
                    {ContainerSteps{"p-" + s + "-1",
                                    1,
                                    {Action{ActionKind::StopContainer, s, "p-" + s + "-1", "id-" + s, 1, ""},
                                     Action{ActionKind::RemoveContainer, s, "p-" + s + "-1", "id-" + s, 1, ""}}}}};
  p.cleanup.push_back(Action{ActionKind::RemoveNetwork, "", "default", "", 0, ""});
  DependencyMap deps{{"web", {{"db", Dependency{}}}}, {"proxy", {{"web", Dependency{}}}}, {"db", {}}};
  Executor(h.rt, h.progress, deps, {}).run(p);
  EXPECT_LT(h.rt.index("remove id-proxy"), h.rt.index("stop id-web"));
  EXPECT_LT(h.rt.index("remove id-web"), h.rt.index("stop id-db"));
  EXPECT_LT(h.rt.index("remove id-db"), h.rt.index("rm network default"));
  EXPECT_NE(h.out.str().find(" Network default Removed \n"), std::string::npos);
}

TEST(EngineExecutor, RecreateUsesTheNewId) {
  Harness h;
  Plan p;
  p.services["web"] = ServicePlan{"web",
                                  {ContainerSteps{"p-web-1",
                                                  1,
                                                  {Action{ActionKind::StopContainer, "web", "p-web-1", "old", 1, ""},
                                                   Action{ActionKind::RemoveContainer, "web", "p-web-1", "old", 1, ""},
                                                   Action{ActionKind::CreateContainer, "web", "p-web-1", "old", 1, ""},
                                                   Action{ActionKind::StartContainer, "web", "p-web-1", "", 1, ""}}}}};
  Executor(h.rt, h.progress, {{"web", {}}}, {}).run(p);
  EXPECT_EQ(h.rt.calls, (std::vector<std::string>{"stop old", "remove old", "create p-web-1", "start id-p-web-1"}));
}

TEST(EngineExecutor, RestartWordsOfTheRestartCommandAndOfUp) {
  for (const std::string reason : {std::string(kRestartCommand), std::string("dependency")}) {
    Harness h;
    Plan p;
    p.services["db"] = ServicePlan{
        "db",
        {ContainerSteps{"p-db-1", 1, {Action{ActionKind::RestartContainer, "db", "p-db-1", "id-db", 1, reason}}}}};
    Executor(h.rt, h.progress, DependencyMap{{"db", {}}}, fast()).run(p);
    EXPECT_LT(h.rt.index("stop id-db"), h.rt.index("start id-db"));
    // docker compose: `restart` says Restarting … Started; up restarting a dependant, Restart … Restarted.
    const std::string expected = reason == kRestartCommand
                                     ? " Container p-db-1 Restarting \n Container p-db-1 Started \n"
                                     : " Container p-db-1 Restart \n Container p-db-1 Restarted \n";
    EXPECT_NE(h.out.str().find(expected), std::string::npos) << h.out.str();
  }
}
