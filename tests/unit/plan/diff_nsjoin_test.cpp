// Services that join another service's namespaces (`network_mode: service:x`, ipc, pid): the
// planner recreates them when x's containers are replaced, transitively, and leaves them alone
// otherwise; --no-recreate, --no-start and service selection behave as docker compose's.
#include <gtest/gtest.h>

#include "compose/plan/diff.hpp"
#include "step_kinds.hpp"

using namespace berth::plan;

namespace {

using K = ActionKind;

Dependency joins(std::set<std::string> namespaces) {
  Dependency d;
  d.namespaces = std::move(namespaces);
  return d;
}

/// a (own netns) ← b (network_mode: service:a) ← c (network_mode: service:b).
DesiredState chain() {
  DesiredState d;
  d.project = "p";
  d.services["a"] = DesiredService{"a", "h-a", 1, "", {}};
  d.services["b"] = DesiredService{"b", "h-b", 1, "", {{"a", joins({"network"})}}};
  d.services["c"] = DesiredService{"c", "h-c", 1, "", {{"b", joins({"network"})}}};
  return d;
}

/// A running container of `service` in the network namespace of container `netns_of`.
ObservedContainer ctr(const std::string& service, const std::string& hash, const std::string& netns_of,
                      const std::string& status = "running") {
  ObservedContainer c{"id-" + service, "p-" + service + "-1", service, 1, false, hash, status};
  c.netns = "/run/berth/netns/id-" + netns_of;
  return c;
}

/// Everything up to date: a in its own netns, b and c in a's.
std::vector<ObservedContainer> steady() { return {ctr("a", "h-a", "a"), ctr("b", "h-b", "a"), ctr("c", "h-c", "a")}; }

using berth::test::step_kinds;

const std::vector<K> kRecreate{K::StopContainer, K::RemoveContainer, K::CreateContainer, K::StartContainer};

}  // namespace

TEST(PlanNsJoin, OwnerRecreatedRecreatesTheJoinerWithTheSameNumber) {
  auto obs = steady();
  obs[0].config_hash = "old";
  Plan p = plan_up(chain(), obs, {}, {}, {});
  EXPECT_EQ(step_kinds(p.services["a"]), kRecreate);
  ASSERT_EQ(step_kinds(p.services["b"]), kRecreate);
  const auto& steps = p.services["b"].containers[0].steps;
  EXPECT_EQ(steps[0].container_id, "id-b");
  EXPECT_EQ(steps[2].number, 1);
  EXPECT_EQ(steps[2].name, "p-b-1");
  EXPECT_EQ(steps[2].reason, "namespace owner recreated");
}

TEST(PlanNsJoin, PropagatesDownAChainAndDryRunShowsIt) {
  auto obs = steady();
  obs[0].config_hash = "old";
  Plan p = plan_up(chain(), obs, {}, {}, {});
  EXPECT_EQ(step_kinds(p.services["c"]), kRecreate);
  EXPECT_EQ(describe(p), (std::vector<std::string>{"Container p-a-1 Recreate", "Container p-b-1 Recreate",
                                                   "Container p-c-1 Recreate"}));
}

TEST(PlanNsJoin, MiddleOfTheChainRecreatedLeavesTheOwnerAlone) {
  auto obs = steady();
  obs[1].config_hash = "old";
  Plan p = plan_up(chain(), obs, {}, {}, {});
  EXPECT_TRUE(p.services["a"].empty());
  EXPECT_EQ(step_kinds(p.services["b"]), kRecreate);
  EXPECT_EQ(p.services["b"].containers[0].steps[0].reason, "config changed");
  EXPECT_EQ(step_kinds(p.services["c"]), kRecreate);
  EXPECT_EQ(p.services["c"].containers[0].steps[0].reason, "namespace owner recreated");
}

TEST(PlanNsJoin, OwnerUnchangedLeavesJoinersUntouched) {
  EXPECT_TRUE(plan_up(chain(), steady(), {}, {}, {}).empty());
  // Without netns information (an older engine) nothing changes either.
  auto obs = steady();
  for (auto& c : obs) c.netns.clear();
  EXPECT_TRUE(plan_up(chain(), obs, {}, {}, {}).empty());
}

TEST(PlanNsJoin, OwnerStartedOrRestartedKeepsItsNamespace) {
  auto obs = steady();
  obs[0].status = "exited";  // `stop a`: its netns stays (bind-mounted), so b's network does
  Plan p = plan_up(chain(), obs, {}, {}, {});
  EXPECT_EQ(step_kinds(p.services["a"]), (std::vector<K>{K::StartContainer}));
  EXPECT_TRUE(p.services["b"].empty());
  EXPECT_TRUE(p.services["c"].empty());
}

TEST(PlanNsJoin, RestartDependencyIsNotANamespaceJoin) {
  auto d = chain();
  d.services["d"] = DesiredService{"d", "h-d", 1, "", {{"a", Dependency{"service_started", true, true}}}};
  auto obs = steady();
  obs.push_back(ctr("d", "h-d", "d"));
  obs[0].config_hash = "old";
  Plan p = plan_up(d, obs, {}, {}, {});
  EXPECT_EQ(step_kinds(p.services["d"]), (std::vector<K>{K::RestartContainer}));  // not recreated
}

TEST(PlanNsJoin, ScaleUpOfTheOwnerLeavesTheJoinerInPlace) {
  auto d = chain();
  d.services["a"].replicas = 2;
  Plan p = plan_up(d, steady(), {}, {}, {});
  EXPECT_EQ(step_kinds(p.services["a"]), (std::vector<K>{K::CreateContainer, K::StartContainer}));
  EXPECT_TRUE(p.services["b"].empty());
}

TEST(PlanNsJoin, OwnerWithoutContainersCreatedAgainRecreatesTheJoiner) {
  // `berth rm -sf a` then `up`: a gets a new container, b sat in the removed one's netns.
  std::vector<ObservedContainer> obs{ctr("b", "h-b", "a"), ctr("c", "h-c", "a")};
  Plan p = plan_up(chain(), obs, {}, {}, {});
  EXPECT_EQ(step_kinds(p.services["a"]), (std::vector<K>{K::CreateContainer, K::StartContainer}));
  EXPECT_EQ(step_kinds(p.services["b"]), kRecreate);
  EXPECT_EQ(step_kinds(p.services["c"]), kRecreate);
}

TEST(PlanNsJoin, StaleNetnsFromAnEarlierRunIsRepaired) {
  // `up --no-deps a` replaced a before; b and c still sit in the old a's netns.
  std::vector<ObservedContainer> obs{ctr("a", "h-a", "a2"), ctr("b", "h-b", "a"), ctr("c", "h-c", "a")};
  obs[0].id = "id-a2";
  Plan p = plan_up(chain(), obs, {}, {}, {});
  EXPECT_TRUE(p.services["a"].empty());
  EXPECT_EQ(step_kinds(p.services["b"]), kRecreate);
  EXPECT_EQ(step_kinds(p.services["c"]), kRecreate);  // transitively: b is renewed
  // Selected alone with --no-deps, b is still repaired: a's containers stay as they are.
  UpOptions o;
  o.services = {"b"};
  o.no_deps = true;
  Plan q = plan_up(chain(), obs, {}, {}, o);
  EXPECT_FALSE(q.services.count("a"));
  EXPECT_EQ(step_kinds(q.services["b"]), kRecreate);
  EXPECT_FALSE(q.services.count("c"));
}

TEST(PlanNsJoin, NoRecreateKeepsEverything) {
  auto obs = steady();
  obs[0].config_hash = "old";
  UpOptions o;
  o.no_recreate = true;
  EXPECT_TRUE(plan_up(chain(), obs, {}, {}, o).empty());
}

TEST(PlanNsJoin, NoStartCreatesWithoutStarting) {
  auto obs = steady();
  obs[0].config_hash = "old";
  UpOptions o;
  o.no_start = true;
  Plan p = plan_up(chain(), obs, {}, {}, o);
  EXPECT_EQ(step_kinds(p.services["a"]), (std::vector<K>{K::StopContainer, K::RemoveContainer, K::CreateContainer}));
  EXPECT_EQ(step_kinds(p.services["b"]), (std::vector<K>{K::StopContainer, K::RemoveContainer, K::CreateContainer}));
  EXPECT_EQ(step_kinds(p.services["c"]), (std::vector<K>{K::StopContainer, K::RemoveContainer, K::CreateContainer}));
}

TEST(PlanNsJoin, StoppedJoinerIsRecreatedWithoutAStop) {
  auto obs = steady();
  obs[0].config_hash = "old";
  obs[1].status = "exited";
  Plan p = plan_up(chain(), obs, {}, {}, {});
  EXPECT_EQ(step_kinds(p.services["b"]), (std::vector<K>{K::RemoveContainer, K::CreateContainer, K::StartContainer}));
}

TEST(PlanNsJoin, ServiceArgumentsLeaveUnselectedJoinersAlone) {
  auto obs = steady();
  obs[0].config_hash = "old";
  UpOptions only_a;
  only_a.services = {"a"};
  Plan p = plan_up(chain(), obs, {}, {}, only_a);
  EXPECT_EQ(step_kinds(p.services["a"]), kRecreate);
  EXPECT_FALSE(p.services.count("b"));  // as docker compose: `up a` converges a only
  // `up b` brings its owner along (an implicit dependency) and follows it.
  UpOptions only_b;
  only_b.services = {"b"};
  Plan q = plan_up(chain(), obs, {}, {}, only_b);
  EXPECT_EQ(step_kinds(q.services["a"]), kRecreate);
  EXPECT_EQ(step_kinds(q.services["b"]), kRecreate);
  EXPECT_FALSE(q.services.count("c"));
}

TEST(PlanNsJoin, IpcAndPidJoinsFollowToo) {
  auto d = chain();
  d.services["b"].dependencies["a"] = joins({"ipc"});
  d.services["c"].dependencies.clear();
  d.services["c"].dependencies["a"] = joins({"pid"});
  std::vector<ObservedContainer> obs{ctr("a", "old", "a"), ctr("b", "h-b", "b"), ctr("c", "h-c", "c")};
  Plan p = plan_up(d, obs, {}, {}, {});
  EXPECT_EQ(step_kinds(p.services["b"]), kRecreate);
  EXPECT_EQ(step_kinds(p.services["c"]), kRecreate);
  // An ipc/pid join says nothing about network namespaces: a different netns is not stale.
  obs[0].config_hash = "h-a";
  EXPECT_TRUE(plan_up(d, obs, {}, {}, {}).empty());
}
