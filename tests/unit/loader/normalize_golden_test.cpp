// Normalisation against compose-go's golden output for its full example (tests/testdata/compose-go/golden):
// full-example.yml normalised here must equal what `docker compose config` printed for it, as JSON and
// as YAML, for every key this stage owns; normalising twice must change nothing; and every valid
// corpus file (tests/corpus/valid) that needs no interpolation normalises without a diagnostic.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compose/loader/normalize.hpp"
#include "compose/loader/yaml_to_json.hpp"
#include "support/files.hpp"

using namespace berth::loader;
using nlohmann::json;

namespace {

const std::filesystem::path k_golden = std::filesystem::path(BERTH_TESTDATA_DIR) / "compose-go" / "golden";

std::string fill_placeholders(std::string text, const std::vector<std::string>& paths) {
  size_t pos = 0;
  for (const auto& p : paths) {
    pos = text.find("%s", pos);
    if (pos == std::string::npos) break;
    text.replace(pos, 2, p);
    pos += p.size();
  }
  return text;
}

json normalized_full_example() {
  auto doc = parse_yaml(berth::test::read_bytes(k_golden / "full-example.yml"), "full-example.yml");
  Diagnostics diags(&doc.positions);
  normalize_project(doc.value, {"/wd", "/home", "full_example_project_name"}, diags);
  EXPECT_TRUE(diags.empty()) << (diags.empty() ? "" : format(diags.items()[0]));
  return doc.value;
}

void drop_extensions(json& obj) {
  if (!obj.is_object()) return;
  for (auto it = obj.begin(); it != obj.end();) {
    if (it.key().rfind("x-", 0) == 0)
      it = obj.erase(it);
    else
      ++it;
  }
}

/// Brings compose-go's printed golden model and ours to what this stage owns:
///  - environment and labels are folded from env_file/label_file by a later stage: not compared;
///  - the ${COMPOSE_PROJECT_NAME} build tag is interpolated by another stage: not compared;
///  - Go JSON artefacts: `command: null`/`entrypoint: null` for unset commands, `ipam: {}` on every
///    network, extensions (x-*) left out below the top level;
///  - the golden was made without compose-go's Normalize step, which this stage runs: it names the
///    resources (<project>_<key>, or <key> when external) and attaches `bar` (no networks, no
///    network_mode) to the implicit default network.
void reconcile(json& expected, json& actual, bool json_golden) {
  for (auto* doc : {&expected, &actual}) {
    for (auto& [name, svc] : (*doc)["services"].items()) {
      svc.erase("environment");
      svc.erase("labels");
      if (svc.contains("build") && svc["build"].contains("tags")) svc["build"]["tags"].erase(2);
      if (json_golden) drop_extensions(svc);
      for (const char* cmd : {"command", "entrypoint"}) {
        if (svc.contains(cmd) && svc[cmd].is_null()) svc.erase(cmd);
      }
    }
    if (json_golden) {
      for (const char* section : {"networks", "volumes", "configs", "secrets"}) {
        for (auto& [key, res] : (*doc)[section].items()) drop_extensions(res);
      }
    }
  }
  for (auto& [key, net] : expected["networks"].items()) {
    if (net.contains("ipam") && net["ipam"].empty()) net.erase("ipam");
  }
  expected["services"]["bar"]["networks"] = {{"default", nullptr}};
  expected["networks"]["default"] = json::object();
  for (const char* section : {"networks", "volumes", "configs", "secrets"}) {
    for (auto& [key, res] : expected[section].items()) {
      if (!res.contains("name")) res["name"] = res.value("external", false) ? key : "full_example_project_name_" + key;
    }
  }
}

void expect_same(const json& expected, const json& actual) {
  for (auto& [name, svc] : expected["services"].items()) {
    ASSERT_TRUE(actual["services"].contains(name)) << name;
    const json& mine = actual["services"][name];
    for (auto& [key, value] : svc.items())
      EXPECT_EQ(mine.value(key, json()), value) << "services." << name << "." << key;
    for (auto& [key, value] : mine.items())
      EXPECT_TRUE(svc.contains(key)) << "unexpected services." << name << "." << key << " = " << value;
  }
  for (auto& [key, value] : expected.items()) {
    if (key != "services") {
      EXPECT_EQ(actual.value(key, json()), value) << key;
    }
  }
  for (auto& [key, value] : actual.items()) EXPECT_TRUE(expected.contains(key)) << "unexpected " << key;
}

}  // namespace

TEST(NormalizeGolden, FullExampleMatchesComposeGoJson) {
  ASSERT_TRUE(std::filesystem::exists(k_golden / "full-example.expected.json"))
      << "vendored golden file missing in " << k_golden;
  const std::vector<std::string> paths = {"/wd/config_data",
                                          "/home/config_data",
                                          "/wd/secret_data",
                                          "/wd",
                                          "/wd/dir",
                                          "/wd/bar",
                                          "/wd/example1.env",
                                          "/wd/example2.env",
                                          "/wd/example1.label",
                                          "/wd/example2.label",
                                          "/wd",
                                          "/wd/static",
                                          "/home/configs",
                                          "/wd/opt"};
  json expected =
      json::parse(fill_placeholders(berth::test::read_bytes(k_golden / "full-example.expected.json"), paths));
  json actual = normalized_full_example();
  EXPECT_EQ(actual["services"]["foo"]["build"]["tags"][2], "${COMPOSE_PROJECT_NAME}:1.0.0");
  reconcile(expected, actual, true);
  expect_same(expected, actual);
}

TEST(NormalizeGolden, FullExampleMatchesComposeGoYaml) {
  ASSERT_TRUE(std::filesystem::exists(k_golden / "full-example.expected.yaml"))
      << "vendored golden file missing in " << k_golden;
  const std::vector<std::string> paths = {"/wd",
                                          "/wd/dir",
                                          "/wd/bar",
                                          "/wd/example1.env",
                                          "/wd/example2.env",
                                          "/wd/example1.label",
                                          "/wd/example2.label",
                                          "/wd",
                                          "/wd/static",
                                          "/home/configs",
                                          "/wd/opt",
                                          "/wd/secret_data",
                                          "/wd/config_data",
                                          "/home/config_data"};
  json expected = parse_yaml(fill_placeholders(berth::test::read_bytes(k_golden / "full-example.expected.yaml"), paths),
                             "expected.yaml")
                      .value;
  json actual = normalized_full_example();
  reconcile(expected, actual, false);
  expect_same(expected, actual);
}

TEST(NormalizeGolden, NormalizingTwiceChangesNothing) {
  ASSERT_TRUE(std::filesystem::exists(k_golden / "full-example.yml")) << "vendored golden file missing in " << k_golden;
  json once = normalized_full_example();
  json twice = once;
  Diagnostics diags;
  normalize_project(twice, {"/wd", "/home", "full_example_project_name"}, diags);
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(once, twice);
}

TEST(NormalizeCorpus, ValidFilesNormalizeCleanlyAndOnce) {
  const std::filesystem::path dir = std::filesystem::path(BERTH_SOURCE_DIR) / "tests" / "corpus" / "valid";
  ASSERT_TRUE(std::filesystem::exists(dir)) << "no " << dir;
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string text = berth::test::read_bytes(entry.path());
    if (text.find("${") != std::string::npos) continue;  // needs interpolation first
    SCOPED_TRACE(entry.path().filename().string());
    auto doc = parse_yaml(text, entry.path().filename().string());
    Diagnostics diags(&doc.positions);
    normalize_project(doc.value, {"/wd", "/home", "corpus"}, diags);
    for (const auto& d : diags.items()) ADD_FAILURE() << format(d);
    json twice = doc.value;
    normalize_project(twice, {"/wd", "/home", "corpus"}, diags);
    EXPECT_EQ(twice, doc.value);
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}
