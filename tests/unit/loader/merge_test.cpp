#include "compose/loader/merge.hpp"

#include <gtest/gtest.h>

#include "compose/loader/yaml_to_json.hpp"

using namespace berth::loader;
using nlohmann::json;

namespace {
/// Merges YAML documents as the loader does: canonicalise each, merge in order.
json merged(std::initializer_list<const char*> yamls) {
  json acc;
  bool first = true;
  for (const char* y : yamls) {
    Document d = parse_yaml(y, "f.yaml");
    canonicalize_for_merge(d.value);
    if (first) {
      drop_reset_values(d.value, d.tags);
      acc = d.value;
      first = false;
    } else {
      merge_into(acc, d.value, d.tags);
    }
  }
  return acc;
}
json svc(const json& m, const char* name = "foo") { return m["services"][name]; }
}  // namespace

// 13-merge.md "Mapping"
TEST(Merge, MappingsMergeKeyByKey) {
  auto m = merged({"services:\n  foo:\n    key1: value1\n    key2: value2\n",
                   "services:\n  foo:\n    key2: VALUE\n    key3: value3\n"});
  EXPECT_EQ(svc(m), (json{{"key1", "value1"}, {"key2", "VALUE"}, {"key3", "value3"}}));
}

// 13-merge.md "Sequence"
TEST(Merge, SequencesAppend) {
  auto m = merged({"services:\n  foo:\n    DNS:\n      - 1.1.1.1\n", "services:\n  foo:\n    DNS:\n      - 8.8.8.8\n"});
  EXPECT_EQ(svc(m)["DNS"], (json{"1.1.1.1", "8.8.8.8"}));
}

// 13-merge.md "Shell commands"
TEST(Merge, ShellCommandsAreReplaced) {
  auto m =
      merged({"services:\n  foo:\n    command: [\"echo\", \"foo\"]\n    entrypoint: [a]\n    healthcheck:\n      test: "
              "[CMD, a]\n      retries: 3\n",
              "services:\n  foo:\n    command: [\"echo\", \"bar\"]\n    entrypoint: b\n    healthcheck:\n      test: "
              "[CMD, b]\n"});
  EXPECT_EQ(svc(m)["command"], (json{"echo", "bar"}));
  EXPECT_EQ(svc(m)["entrypoint"], "b");
  EXPECT_EQ(svc(m)["healthcheck"], (json{{"test", {"CMD", "b"}}, {"retries", 3}}));
}

// 13-merge.md "Unique resources"
TEST(Merge, VolumesMergeByTarget) {
  auto m = merged({"services:\n  foo:\n    volumes:\n      - foo:/work\n      - keep:/keep\n",
                   "services:\n  foo:\n    volumes:\n      - bar:/work\n"});
  ASSERT_EQ(svc(m)["volumes"].size(), 2u);
  EXPECT_EQ(svc(m)["volumes"][0]["source"], "bar");
  EXPECT_EQ(svc(m)["volumes"][0]["target"], "/work");
  EXPECT_EQ(svc(m)["volumes"][1]["source"], "keep");
}

TEST(Merge, PortsMergeByIpPublishedTargetProtocol) {
  auto m = merged({"services:\n  foo:\n    ports: [\"8080:80\", \"53:53/udp\"]\n",
                   "services:\n  foo:\n    ports:\n      - \"8080:80\"\n      - target: 53\n        published: "
                   "\"53\"\n        protocol: tcp\n"});
  ASSERT_EQ(svc(m)["ports"].size(), 3u);  // 8080:80 once, 53/udp, 53/tcp
}

TEST(Merge, SecretsMergeByTarget) {
  auto m = merged({"services:\n  foo:\n    secrets: [a]\n",
                   "services:\n  foo:\n    secrets:\n      - source: a\n        mode: 0400\n"});
  ASSERT_EQ(svc(m)["secrets"].size(), 1u);
  EXPECT_EQ(svc(m)["secrets"][0]["mode"], 0400);
}

TEST(Merge, EnvironmentListAndMapMerge) {
  auto m = merged({"services:\n  foo:\n    environment:\n      - A=1\n      - B=2\n",
                   "services:\n  foo:\n    environment:\n      B: 3\n      C:\n"});
  EXPECT_EQ(svc(m)["environment"], (json{{"A", "1"}, {"B", 3}, {"C", nullptr}}));
}

TEST(Merge, DependsOnListAndLongFormMerge) {
  auto m = merged({"services:\n  foo:\n    depends_on: [db]\n",
                   "services:\n  foo:\n    depends_on:\n      db:\n        condition: service_healthy\n      cache:\n  "
                   "      condition: service_started\n"});
  EXPECT_EQ(svc(m)["depends_on"]["db"]["condition"], "service_healthy");
  EXPECT_EQ(svc(m)["depends_on"]["db"]["required"], true);
  EXPECT_TRUE(svc(m)["depends_on"].contains("cache"));
}

TEST(Merge, BuildStringAndMapMerge) {
  auto m = merged({"services:\n  foo:\n    build: ./app\n", "services:\n  foo:\n    build:\n      target: dev\n"});
  EXPECT_EQ(svc(m)["build"], (json{{"context", "./app"}, {"target", "dev"}}));
}

TEST(Merge, CapabilitiesDeduplicate) {
  auto m = merged(
      {"services:\n  foo:\n    cap_add: [NET_ADMIN]\n", "services:\n  foo:\n    cap_add: [NET_ADMIN, SYS_TIME]\n"});
  EXPECT_EQ(svc(m)["cap_add"], (json{"NET_ADMIN", "SYS_TIME"}));
}

TEST(Merge, LoggingWithAnotherDriverDropsOldOptions) {
  auto m = merged({"services:\n  foo:\n    logging:\n      driver: syslog\n      options:\n        a: b\n",
                   "services:\n  foo:\n    logging:\n      driver: json-file\n      options:\n        max-size: 1m\n"});
  EXPECT_EQ(svc(m)["logging"], (json{{"driver", "json-file"}, {"options", {{"max-size", "1m"}}}}));
}

// 13-merge.md "Reset value"
TEST(Merge, ResetRemovesValues) {
  auto m = merged(
      {"services:\n  app:\n    image: myapp\n    ports:\n      - \"8080:80\"\n    environment:\n      FOO: BAR\n",
       "services:\n  app:\n    image: myapp\n    ports: !reset []\n    environment:\n      FOO: !reset null\n"});
  EXPECT_EQ(svc(m, "app"), (json{{"image", "myapp"}, {"environment", json::object()}}));
}

// 13-merge.md "Replace value"
TEST(Merge, OverrideReplacesWithoutMerging) {
  auto m = merged({"services:\n  app:\n    image: myapp\n    ports:\n      - \"8080:80\"\n",
                   "services:\n  app:\n    ports: !override\n      - \"8443:443\"\n"});
  ASSERT_EQ(svc(m, "app")["ports"].size(), 1u);
  EXPECT_EQ(svc(m, "app")["ports"][0]["target"], 443);
  EXPECT_EQ(svc(m, "app")["image"], "myapp");
}

TEST(Merge, ResetInASingleFileJustDropsTheKey) {
  auto m = merged({"services:\n  base:\n    image: alpine\n    command: !reset\n"});
  EXPECT_EQ(svc(m, "base"), (json{{"image", "alpine"}}));
}

TEST(Merge, NewServicesAndTopLevelResourcesAreAdded) {
  auto m = merged({"services:\n  a:\n    image: a\nvolumes:\n  v1: {}\n",
                   "services:\n  b:\n    image: b\nvolumes:\n  v2:\n    driver: local\n"});
  EXPECT_TRUE(m["services"].contains("a"));
  EXPECT_TRUE(m["services"].contains("b"));
  EXPECT_TRUE(m["volumes"].contains("v1"));
  EXPECT_EQ(m["volumes"]["v2"]["driver"], "local");
}
