#include "compose/plan/graph.hpp"

#include <gtest/gtest.h>

using berth::plan::Graph;
using nlohmann::json;

namespace {
json model(const char* services_json) { return json{{"services", json::parse(services_json)}}; }
}  // namespace

TEST(Graph, LevelsFollowEveryKindOfDependency) {
  auto g = Graph::from_model(model(R"({
    "db": {}, "cache": {},
    "api": {"depends_on": {"db": {"condition": "service_healthy"}}, "links": ["cache:redis"]},
    "web": {"depends_on": {"api": {}}, "volumes_from": ["db:ro", "container:abc"]},
    "side": {"network_mode": "service:web", "ipc": "service:api", "pid": "host"}
  })"));
  auto levels = g.start_levels();
  ASSERT_EQ(levels.size(), 4u);
  EXPECT_EQ(levels[0], (std::vector<std::string>{"cache", "db"}));
  EXPECT_EQ(levels[1], (std::vector<std::string>{"api"}));
  EXPECT_EQ(levels[2], (std::vector<std::string>{"web"}));
  EXPECT_EQ(levels[3], (std::vector<std::string>{"side"}));
  auto stop = g.stop_levels();
  EXPECT_EQ(stop.front(), (std::vector<std::string>{"side"}));
  EXPECT_EQ(stop.back(), (std::vector<std::string>{"cache", "db"}));
}

TEST(Graph, FindsTheWholeCycle) {
  auto g = Graph::from_model(model(R"({
    "service1": {"depends_on": {"service2": {}}},
    "service2": {"depends_on": {"service3": {}}},
    "service3": {"depends_on": {"service1": {}}},
    "free": {}
  })"));
  auto cycle = g.find_cycle();
  ASSERT_TRUE(cycle);
  EXPECT_EQ(berth::plan::format_cycle(*cycle), "service1 -> service2 -> service3 -> service1");
  EXPECT_THROW(g.start_levels(), std::logic_error);
}

TEST(Graph, SelfDependencyIsACycle) {
  auto g = Graph::from_model(model(R"({"a": {"depends_on": ["a"]}})"));
  auto cycle = g.find_cycle();
  ASSERT_TRUE(cycle);
  EXPECT_EQ(berth::plan::format_cycle(*cycle), "a -> a");
}

TEST(Graph, ReferencesToUnknownServicesAreLeftToTheChecks) {
  auto g = Graph::from_model(model(R"({"a": {"depends_on": {"ghost": {}}}})"));
  EXPECT_EQ(g.services(), (std::vector<std::string>{"a"}));
  EXPECT_FALSE(g.find_cycle());
}

TEST(Graph, WithDependenciesIsTransitive) {
  auto g = Graph::from_model(model(R"({"a": {"depends_on": ["b"]}, "b": {"depends_on": ["c"]}, "c": {}, "d": {}})"));
  EXPECT_EQ(g.with_dependencies({"a"}), (std::set<std::string>{"a", "b", "c"}));
}

TEST(Graph, WideFanOutIsOneLevel) {
  json services = json::object();
  services["db"] = json::object();
  for (int i = 0; i < 20; ++i) services['w' + std::to_string(i)] = json{{"depends_on", {"db"}}};
  auto levels = Graph::from_model(json{{"services", services}}).start_levels();
  ASSERT_EQ(levels.size(), 2u);
  EXPECT_EQ(levels[1].size(), 20u);
}
