#include "compose/loader/check.hpp"

#include <gtest/gtest.h>

#include "compose/model/dependencies.hpp"
#include "compose/model/json_io.hpp"

using namespace berth::loader;
using nlohmann::json;

namespace {
/// The fixtures below are about references: a service written without image or build gets one
/// (`as_written` keeps the model as it is, for the rule about image and build itself).
std::vector<std::string> problems(const char* model_json, std::vector<std::string> disabled = {},
                                  bool as_written = false) {
  Diagnostics d;
  json model = json::parse(model_json);
  if (!as_written)
    for (auto& [name, svc] : model["services"].items())
      if (!svc.contains("image") && !svc.contains("build")) svc["image"] = "img";
  // Cycles come from the typed model's edges, as load_project computes them.
  const berth::model::DependencyMap deps = berth::model::dependency_map(berth::model::project_from_json(model));
  check_model(model, &deps, disabled, d);
  std::vector<std::string> out;
  for (const auto& item : d.items()) out.push_back(format(item));
  return out;
}
}  // namespace

TEST(Check, ValidModelHasNoProblems) {
  EXPECT_TRUE(problems(R"({"services": {"db": {"volumes": [{"type": "volume", "source": "data", "target": "/d"}]},
      "web": {"depends_on": {"db": {"condition": "service_healthy", "required": true}}, "networks": {"front": null},
      "secrets": [{"source": "s"}], "ports": [{"target": 80, "published": "8080", "protocol": "tcp"}]}},
      "volumes": {"data": {}}, "networks": {"front": {}}, "secrets": {"s": {"file": "/x"}}})")
                  .empty());
}

TEST(Check, UndefinedReferencesAreReportedWithTheirPath) {
  auto p = problems(R"({"services": {"web": {
      "depends_on": {"db": {"condition": "service_started", "required": true}, "opt": {"required": false}},
      "networks": {"back": null}, "volumes": [{"type": "volume", "source": "data", "target": "/d"}],
      "configs": [{"source": "c"}], "network_mode": "service:proxy", "links": ["cache:c"]}}})");
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(p[0], "services.web.depends_on.db: service \"web\" depends on undefined service \"db\"");
  EXPECT_EQ(p[1], "services.web.links[0]: service \"web\" links to undefined service \"cache\"");
  EXPECT_EQ(p[2], "services.web.network_mode: service \"web\" uses the network_mode of undefined service \"proxy\"");
  EXPECT_EQ(p[3], "services.web.networks.back: undefined network \"back\"");
  EXPECT_EQ(p[4], "services.web.volumes[0]: undefined volume \"data\": declare it under the top-level volumes key");
  EXPECT_EQ(p[5], "services.web.configs[0]: undefined config \"c\"");
}

TEST(Check, DisabledDependencyNamesTheProfiles) {
  auto p = problems(R"({"services": {"zot": {"depends_on": {"bar": {"required": true}}}}})", {"bar"});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("disabled by its profiles"), std::string::npos);
}

TEST(Check, CycleIsPrintedInFull) {
  auto p = problems(R"({"services": {"a": {"depends_on": {"b": {}}}, "b": {"depends_on": {"a": {}}}}})");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "services.a: dependency cycle: a -> b -> a");
}

TEST(Check, DuplicatePublishedPorts) {
  auto p = problems(R"({"services": {
      "a": {"ports": [{"target": 80, "published": "8080", "protocol": "tcp"}]},
      "b": {"ports": [{"target": 81, "published": "8080", "protocol": "tcp", "host_ip": "127.0.0.1"},
                      {"target": 53, "published": "8080", "protocol": "udp"}]}}})");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "services.b.ports[0]: host port 127.0.0.1:8080/tcp is already published by service \"a\"");
}

TEST(Check, DifferentHostIpsDoNotClash) {
  EXPECT_TRUE(problems(R"({"services": {
      "a": {"ports": [{"target": 80, "published": "80", "host_ip": "127.0.0.1"}]},
      "b": {"ports": [{"target": 80, "published": "80", "host_ip": "127.0.0.2"}]}}})")
                  .empty());
}

TEST(Check, ContainerNameWithReplicas) {
  auto p = problems(R"({"services": {"a": {"container_name": "x", "deploy": {"replicas": 2}}}})");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("container names must be unique"), std::string::npos);
}

TEST(Check, TwoServicesWithOneContainerNameAreRefused) {
  auto p = problems(
      R"({"services": {"a": {"image": "x", "container_name": "same"}, "b": {"image": "x", "container_name": "same"},
      "c": {"image": "x", "container_name": "other"}}})");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "services.b.container_name: services.b: container name \"same\" is already in use by service a\"");
}

TEST(Check, ServiceWithNeitherImageNorBuild) {
  auto p = problems(R"({"services": {"a": {"environment": {"X": "1"}}, "b": {"build": {"context": "."}},
      "c": {"image": "busybox"}, "d": {"provider": {"type": "model"}}, "e": {"image": ""}}})",
                    {}, true);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0],
            "services.a: service \"a\" has neither an image nor a build context specified: invalid compose project");
  EXPECT_EQ(p[1],
            "services.e: service \"e\" has neither an image nor a build context specified: invalid compose project");
}
