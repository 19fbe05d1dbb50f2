// The convergence rules of compose/plan/diff.hpp, one case each: nothing changed, hash
// changed, scale up/down, orphans, force/no-recreate, --no-start, dependency restarts, service
// selection, and down's order and orphan handling.
#include <gtest/gtest.h>

#include "compose/plan/diff.hpp"
#include "step_kinds.hpp"

using namespace berth::plan;

namespace {

DesiredState two_services() {
  DesiredState d;
  d.project = "p";
  d.services["db"] = DesiredService{"db", "h-db", 1, "", {}};
  d.services["web"] = DesiredService{"web", "h-web", 1, "", {{"db", Dependency{"service_healthy", false, true}}}};
  d.networks = {"default"};
  return d;
}

ObservedContainer running(const std::string& service, int n, const std::string& hash,
                          const std::string& status = "running") {
  return ObservedContainer{
      "id-" + service + std::to_string(n), "p-" + service + "-" + std::to_string(n), service, n, false, hash, status};
}

using berth::test::step_kinds;

using K = ActionKind;

}  // namespace

TEST(PlanDiff, FreshProjectCreatesEverything) {
  Plan p = plan_up(two_services(), {}, {}, {}, {});
  ASSERT_EQ(p.prepare.size(), 1u);
  EXPECT_EQ(p.prepare[0].kind, K::CreateNetwork);
  EXPECT_EQ(step_kinds(p.services["db"]), (std::vector<K>{K::CreateContainer, K::StartContainer}));
  EXPECT_EQ(p.services["web"].containers[0].name, "p-web-1");
  EXPECT_EQ(describe(p), (std::vector<std::string>{"Network default Create", "Container p-db-1 Create, Start",
                                                   "Container p-web-1 Create, Start"}));
}

TEST(PlanDiff, NothingChangedIsEmpty) {
  Plan p = plan_up(two_services(), {running("db", 1, "h-db"), running("web", 1, "h-web")}, {"default"}, {}, {});
  EXPECT_TRUE(p.empty());
  EXPECT_TRUE(describe(p).empty());
  EXPECT_EQ(p.services.size(), 2u);  // still listed: dependants wait on their conditions
}

TEST(PlanDiff, StoppedContainerIsStartedNotRecreated) {
  Plan p = plan_up(two_services(), {running("db", 1, "h-db", "exited"), running("web", 1, "h-web", "created")},
                   {"default"}, {}, {});
  EXPECT_EQ(step_kinds(p.services["db"]), (std::vector<K>{K::StartContainer}));
  EXPECT_EQ(p.services["db"].containers[0].steps[0].container_id, "id-db1");
  EXPECT_EQ(step_kinds(p.services["web"]), (std::vector<K>{K::StartContainer}));
}

TEST(PlanDiff, ChangedHashRecreatesKeepingTheNumber) {
  auto d = two_services();
  Plan p = plan_up(d, {running("db", 1, "h-db"), running("web", 1, "old")}, {"default"}, {}, {});
  EXPECT_TRUE(p.services["db"].empty());
  EXPECT_EQ(step_kinds(p.services["web"]),
            (std::vector<K>{K::StopContainer, K::RemoveContainer, K::CreateContainer, K::StartContainer}));
  const auto& steps = p.services["web"].containers[0].steps;
  EXPECT_EQ(steps[0].container_id, "id-web1");
  EXPECT_EQ(steps[2].number, 1);
  EXPECT_EQ(steps[2].container_id, "id-web1");  // replaces it (anonymous volumes carry over)
  EXPECT_EQ(steps[2].reason, "config changed");
  EXPECT_EQ(describe(p), (std::vector<std::string>{"Container p-web-1 Recreate"}));
}

TEST(PlanDiff, ExitedChangedContainerIsRemovedWithoutStop) {
  Plan p =
      plan_up(two_services(), {running("db", 1, "old", "exited"), running("web", 1, "h-web")}, {"default"}, {}, {});
  EXPECT_EQ(step_kinds(p.services["db"]), (std::vector<K>{K::RemoveContainer, K::CreateContainer, K::StartContainer}));
}

TEST(PlanDiff, DeadContainerIsReplaced) {
  Plan p = plan_up(two_services(), {running("db", 1, "h-db", "dead"), running("web", 1, "h-web")}, {"default"}, {}, {});
  EXPECT_EQ(step_kinds(p.services["db"]), (std::vector<K>{K::RemoveContainer, K::CreateContainer, K::StartContainer}));
}

TEST(PlanDiff, ForceAndNoRecreate) {
  std::vector<ObservedContainer> obs{running("db", 1, "h-db"), running("web", 1, "old")};
  UpOptions force;
  force.force_recreate = true;
  Plan p = plan_up(two_services(), obs, {"default"}, {}, force);
  EXPECT_EQ(step_kinds(p.services["db"]).size(), 4u);
  EXPECT_EQ(p.services["db"].containers[0].steps[0].reason, "force");
  EXPECT_EQ(step_kinds(p.services["web"]).size(), 4u);
  UpOptions keep;
  keep.no_recreate = true;
  EXPECT_TRUE(plan_up(two_services(), obs, {"default"}, {}, keep).empty());
}

TEST(PlanDiff, ForceRecreateIsForTheNamedServicesAlwaysRecreateDepsForTheirDependencies) {
  std::vector<ObservedContainer> obs{running("db", 1, "h-db"), running("web", 1, "h-web")};
  UpOptions named;
  named.services = {"web"};
  named.force_recreate = true;
  Plan p = plan_up(two_services(), obs, {"default"}, {}, named);
  EXPECT_TRUE(step_kinds(p.services["db"]).empty());
  EXPECT_EQ(step_kinds(p.services["web"]).size(), 4u);
  UpOptions deps;
  deps.services = {"web"};
  deps.always_recreate_deps = true;
  p = plan_up(two_services(), obs, {"default"}, {}, deps);
  ASSERT_EQ(step_kinds(p.services["db"]).size(), 4u);
  EXPECT_EQ(p.services["db"].containers[0].steps[0].reason, "force");
}

TEST(PlanDiff, NoStartOnlyCreates) {
  UpOptions o;
  o.no_start = true;
  Plan p = plan_up(two_services(), {running("db", 1, "h-db", "exited")}, {"default"}, {}, o);
  EXPECT_TRUE(p.services["db"].empty());
  EXPECT_EQ(step_kinds(p.services["web"]), (std::vector<K>{K::CreateContainer}));
}

TEST(PlanDiff, ScaleUpAndDown) {
  auto d = two_services();
  d.services["web"].replicas = 3;
  Plan up = plan_up(d, {running("db", 1, "h-db"), running("web", 2, "h-web")}, {"default"}, {}, {});
  ASSERT_EQ(up.services["web"].containers.size(), 2u);
  EXPECT_EQ(up.services["web"].containers[0].name, "p-web-1");
  EXPECT_EQ(up.services["web"].containers[1].name, "p-web-3");
  d.services["web"].replicas = 1;
  Plan down = plan_up(d,
                      {running("db", 1, "h-db"), running("web", 1, "h-web"), running("web", 2, "h-web"),
                       running("web", 3, "h-web", "exited")},
                      {"default"}, {}, {});
  EXPECT_EQ(step_kinds(down.services["web"]),
            (std::vector<K>{K::StopContainer, K::RemoveContainer, K::RemoveContainer}));
  EXPECT_EQ(down.services["web"].containers[0].steps[0].reason, "scale");
  EXPECT_EQ(down.services["web"].containers[1].name, "p-web-3");
}

TEST(PlanDiff, OrphansWarnedOrRemoved) {
  std::vector<ObservedContainer> obs{running("db", 1, "h-db"), running("web", 1, "h-web"), running("old", 1, "x")};
  obs.push_back(ObservedContainer{"run1", "p-old-run-1", "old", 1, true, "x", "running"});
  Plan warn = plan_up(two_services(), obs, {"default"}, {}, {});
  EXPECT_TRUE(warn.empty());
  EXPECT_EQ(warn.orphan_warnings, std::vector<std::string>{"p-old-1"});
  UpOptions o;
  o.remove_orphans = true;
  Plan rm = plan_up(two_services(), obs, {"default"}, {}, o);
  ASSERT_EQ(rm.orphans.size(), 1u);
  EXPECT_EQ(rm.orphans[0].steps.size(), 2u);
  EXPECT_EQ(rm.orphans[0].steps[1].container_id, "id-old1");
}

TEST(PlanDiff, DependencyRestartFollowsARecreate) {
  auto d = two_services();
  d.services["web"].dependencies["db"].restart = true;
  d.services["proxy"] = DesiredService{"proxy", "h-proxy", 1, "", {{"web", Dependency{"service_started", true, true}}}};
  std::vector<ObservedContainer> obs{running("db", 1, "new-db"), running("web", 1, "h-web"),
                                     running("proxy", 1, "h-proxy")};
  obs[0].config_hash = "old";
  Plan p = plan_up(d, obs, {"default"}, {}, {});
  EXPECT_EQ(step_kinds(p.services["web"]), (std::vector<K>{K::RestartContainer}));
  EXPECT_EQ(step_kinds(p.services["proxy"]), (std::vector<K>{K::RestartContainer}));
  d.services["web"].dependencies["db"].restart = false;
  Plan q = plan_up(d, obs, {"default"}, {}, {});
  EXPECT_TRUE(q.services["web"].empty());
  EXPECT_TRUE(q.services["proxy"].empty());
}

TEST(PlanDiff, ServiceArgumentsWithAndWithoutDeps) {
  auto d = two_services();
  d.services["other"] = DesiredService{"other", "h-o", 1, "", {}};
  UpOptions o;
  o.services = {"web"};
  Plan p = plan_up(d, {}, {}, {}, o);
  EXPECT_EQ(p.services.size(), 2u);
  EXPECT_TRUE(p.services.count("db"));
  EXPECT_FALSE(p.services.count("other"));
  o.no_deps = true;
  Plan q = plan_up(d, {}, {}, {}, o);
  EXPECT_EQ(q.services.size(), 1u);
}

TEST(PlanDiff, ContainerNameAndVolumes) {
  auto d = two_services();
  d.services["db"].container_name = "mydb";
  d.volumes = {"data"};
  Plan p = plan_up(d, {}, {"default"}, {}, {});
  EXPECT_EQ(p.services["db"].containers[0].name, "mydb");
  ASSERT_EQ(p.prepare.size(), 1u);
  EXPECT_EQ(p.prepare[0].kind, K::CreateVolume);
  EXPECT_TRUE(
      plan_up(d, {running("db", 1, "h-db"), running("web", 1, "h-web")}, {"default"}, {"data"}, {}).prepare.empty());
}

TEST(PlanDiff, DownRemovesEverythingInReverse) {
  std::vector<ObservedContainer> obs{running("db", 1, "h-db"), running("web", 1, "h-web", "exited"),
                                     running("gone", 1, "x")};
  Plan p = plan_down(two_services(), obs, false, {"default"}, {});
  EXPECT_TRUE(p.reverse);
  EXPECT_EQ(step_kinds(p.services["db"]), (std::vector<K>{K::StopContainer, K::RemoveContainer}));
  EXPECT_EQ(step_kinds(p.services["web"]), (std::vector<K>{K::RemoveContainer}));
  EXPECT_EQ(p.orphan_warnings, std::vector<std::string>{"p-gone-1"});
  ASSERT_EQ(p.cleanup.size(), 1u);
  EXPECT_EQ(p.cleanup[0].kind, K::RemoveNetwork);
  Plan q = plan_down(two_services(), obs, true, {}, {"data"});
  EXPECT_EQ(q.orphans.size(), 1u);
  EXPECT_EQ(q.cleanup[0].kind, K::RemoveVolume);
}

TEST(PlanDiff, ANetworkWhoseHashChangedIsRecreatedAndItsContainersFollow) {
  DesiredState d = two_services();
  d.services["web"].networks = {"default"};
  d.network_hashes["default"] = "new";
  std::vector<ObservedContainer> seen = {running("db", 1, "h-db"), running("web", 1, "h-web")};
  Plan same = plan_up(d, seen, {"default"}, {}, {}, {{"default", "new"}});
  EXPECT_TRUE(same.empty());
  Plan unknown = plan_up(d, seen, {"default"}, {}, {}, {{"default", ""}});  // recorded before hashes: kept
  EXPECT_TRUE(unknown.empty());

  Plan p = plan_up(d, seen, {"default"}, {}, {}, {{"default", "old"}});
  ASSERT_EQ(p.prepare.size(), 3u);
  EXPECT_EQ(p.prepare[0].kind, K::StopContainer);
  EXPECT_EQ(p.prepare[0].name, "p-web-1");
  EXPECT_EQ(p.prepare[1].kind, K::RemoveNetwork);
  EXPECT_EQ(p.prepare[2].kind, K::CreateNetwork);
  // Stopped already: removed without a second stop, created on the new network, started.
  EXPECT_EQ(step_kinds(p.services["web"]), (std::vector<K>{K::RemoveContainer, K::CreateContainer, K::StartContainer}));
  EXPECT_EQ(p.services["web"].containers[0].steps[1].reason, "network config changed");
  EXPECT_TRUE(p.services["db"].containers.empty());  // not on that network
  EXPECT_EQ(describe(p)[0], "Container p-web-1 Stop");
  EXPECT_EQ(describe(p)[1], "Network default Remove");
  EXPECT_EQ(describe(p)[2], "Network default Create");
}
