#include "compose/model/dependencies.hpp"

#include <gtest/gtest.h>

#include "compose/model/json_io.hpp"
#include "compose/model/project.hpp"

using namespace berth::model;
using nlohmann::json;

namespace {
Project project(const char* services_json) { return project_from_json(json{{"services", json::parse(services_json)}}); }
}  // namespace

TEST(ModelDependencies, EveryKindOfReferenceIsAnEdge) {
  auto deps = dependency_map(project(R"({
    "db": {}, "cache": {},
    "api": {"depends_on": {"db": {"condition": "service_healthy", "restart": true}}, "links": ["cache:redis"]},
    "web": {"depends_on": {"api": {"condition": "service_started", "required": false}}, "volumes_from": ["db:ro", "container:abc"]},
    "side": {"network_mode": "service:web", "ipc": "service:api", "pid": "host"}
  })"));
  ASSERT_EQ(deps.size(), 5u);
  EXPECT_TRUE(deps.at("db").empty());
  EXPECT_EQ(deps.at("api").at("db").condition, "service_healthy");
  EXPECT_TRUE(deps.at("api").at("db").restart);
  EXPECT_EQ(deps.at("api").at("cache").condition, "service_started");  // links
  EXPECT_FALSE(deps.at("web").at("api").required);
  EXPECT_TRUE(deps.at("web").count("db"));  // volumes_from; container: is not a service
  EXPECT_EQ(deps.at("web").size(), 2u);
  EXPECT_EQ(deps.at("side").at("web").namespaces, (std::set<std::string>{"network"}));
  EXPECT_EQ(deps.at("side").at("api").namespaces, (std::set<std::string>{"ipc"}));
  EXPECT_EQ(deps.at("side").size(), 2u);  // pid: host is no reference
  EXPECT_FALSE(find_cycle(deps));
}

TEST(ModelDependencies, FindsTheWholeCycle) {
  auto deps = dependency_map(project(R"({
    "service1": {"depends_on": {"service2": {}}},
    "service2": {"depends_on": {"service3": {}}},
    "service3": {"depends_on": {"service1": {}}},
    "free": {}
  })"));
  auto cycle = find_cycle(deps);
  ASSERT_TRUE(cycle);
  EXPECT_EQ(format_cycle(*cycle), "service1 -> service2 -> service3 -> service1");
}

TEST(ModelDependencies, SelfReferenceIsACycleWithoutANamespaceMark) {
  auto deps = dependency_map(project(R"({"a": {"network_mode": "service:a"}})"));
  ASSERT_TRUE(deps.at("a").count("a"));
  EXPECT_TRUE(deps.at("a").at("a").namespaces.empty());
  auto cycle = find_cycle(deps);
  ASSERT_TRUE(cycle);
  EXPECT_EQ(format_cycle(*cycle), "a -> a");
}

TEST(ModelDependencies, ReferencesToUnknownServicesAreLeftToTheChecks) {
  auto deps = dependency_map(project(R"({"a": {"depends_on": {"ghost": {}}, "links": ["nobody"]}})"));
  EXPECT_TRUE(deps.at("a").empty());
  EXPECT_FALSE(find_cycle(deps));
}

TEST(ModelDependencies, WithDependenciesIsTransitive) {
  auto deps =
      dependency_map(project(R"({"a": {"depends_on": {"b": {}}}, "b": {"depends_on": {"c": {}}}, "c": {}, "d": {}})"));
  EXPECT_EQ(with_dependencies(deps, {"a"}), (std::set<std::string>{"a", "b", "c"}));
  EXPECT_EQ(with_dependencies(deps, {"d"}), (std::set<std::string>{"d"}));
}

TEST(ModelDependencies, ServiceReference) {
  EXPECT_EQ(service_reference("service:web"), "web");
  EXPECT_FALSE(service_reference("container:web"));
  EXPECT_FALSE(service_reference("host"));
}
