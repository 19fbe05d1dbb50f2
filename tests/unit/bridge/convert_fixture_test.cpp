// bridge::convert on compose bridge's own fixture (tests/testdata/compose-bridge): the same
// files, byte for byte, as `docker compose bridge convert` writes for the Kubernetes and the Helm
// transformations, but for the differences named here, each one on purpose:
//  - compose bridge's templates leave comments ("# check if there is at least one published
//    port") around some files; we write none;
//  - its ConfigMap adds a newline to a config file that has none (the template's `|` block);
//    we keep the file's content as it is, as `berth up` mounts it;
//  - a network that is not `internal` may reach outside the cluster (one more egress rule), and
//    every pod of the project may ask the cluster DNS (one more NetworkPolicy), where compose
//    bridge's policies let no pod resolve a name once a CNI enforces them;
//  - Chart.yaml and values.yaml are compared as YAML (our description names berth; we write no
//    empty `sources`/`annotations`; values.yaml's strings are quoted only where YAML needs it).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "bridge_support.hpp"
#include "compose/loader/yaml_to_json.hpp"

namespace berth::bridge {
namespace {

const std::string kFixture = std::string(BERTH_TESTDATA_DIR) + "/compose-bridge/fixture";

std::map<std::string, std::string> read_tree(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[std::filesystem::relative(e.path(), dir).string()] = test::read_bytes(e.path());
  return out;
}

/// The fixture's file with the differences the header names applied.
std::string expected_text(std::string text) {
  static const std::regex leftover("# check if there is at least one published port\n\n?");
  text = std::regex_replace(text, leftover, "");
  while (text.size() > 1 && text.ends_with("\n\n")) text.pop_back();
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = text.find(from);
    if (at != std::string::npos) text.replace(at, from.size(), to);
  };
  replace("    my-config: |\n        My config file\n", "    my-config: My config file\n");
  if (text.find("name: public-network-network-policy") != std::string::npos)
    text +=
        "        - to:\n"
        "            - ipBlock:\n"
        "                cidr: 0.0.0.0/0\n"
        "            - ipBlock:\n"
        "                cidr: ::/0\n";
  replace("    - bridge-configs.yaml\n", "    - bridge-configs.yaml\n    - bridge-dns-network-policy.yaml\n");
  return text;
}

Output convert_fixture(Format format) {
  auto project = test_support::load_dir(kFixture, "bridge");
  Options o;
  o.format = format;
  return convert(project.model, o);
}

void expect_same_files(const std::map<std::string, std::string>& expected,
                       const std::map<std::string, std::string>& actual, const std::string& dns_policy_path) {
  for (const auto& [path, text] : expected) {
    if (path == "Chart.yaml" || path == "values.yaml") continue;
    ASSERT_TRUE(actual.count(path)) << path << " was not written";
    EXPECT_EQ(actual.at(path), expected_text(text)) << path;
  }
  for (const auto& [path, text] : actual) {
    if (path != dns_policy_path) {
      EXPECT_TRUE(expected.count(path)) << path << " is not in the fixture";
    }
  }
}

TEST(BridgeFixture, KubernetesIsComposeBridgeOutput) {
  Output out = convert_fixture(Format::Kubernetes);
  auto actual = test_support::by_path(out);
  expect_same_files(read_tree(kFixture + "/expected-kubernetes"), actual, "base/bridge-dns-network-policy.yaml");
  ASSERT_TRUE(actual.count("base/bridge-dns-network-policy.yaml"));
  EXPECT_NE(actual["base/bridge-dns-network-policy.yaml"].find("k8s-app: kube-dns"), std::string::npos);
  // The build: keys are named, with the image the cluster must be able to pull.
  ASSERT_EQ(out.warnings.size(), 2u);
  EXPECT_EQ(out.warnings[0].rfind("service \"serviceA\": build: the cluster pulls image \"alpine\"", 0), 0u)
      << out.warnings[0];
}

TEST(BridgeFixture, HelmIsComposeBridgeOutput) {
  auto expected = read_tree(kFixture + "/expected-helm");
  auto actual = test_support::by_path(convert_fixture(Format::Helm));
  expect_same_files(expected, actual, "templates/bridge-dns-network-policy.yaml");

  auto yaml = [](const std::string& text) { return loader::parse_yaml(text, "t").value; };
  auto chart = yaml(expected["Chart.yaml"]);
  chart.erase("sources");
  chart.erase("annotations");
  chart["description"] = "A generated Helm Chart for bridge generated via berth bridge.";
  EXPECT_EQ(yaml(actual["Chart.yaml"]), chart);
  EXPECT_EQ(yaml(actual["values.yaml"]), yaml(expected["values.yaml"]));
}

TEST(BridgeFixture, ServiceSelectionKeepsDependencies) {
  auto project = test_support::load_dir(kFixture, "bridge");
  Options o;
  o.services = {"serviceA"};
  auto files = test_support::by_path(convert(project.model, o));
  EXPECT_TRUE(files.count("base/serviceA-deployment.yaml"));
  EXPECT_FALSE(files.count("base/serviceB-deployment.yaml"));
  EXPECT_FALSE(files.count("base/my-secrets-secret.yaml"));  // only serviceB uses it
  EXPECT_FALSE(files.count("base/public-network-network-policy.yaml"));
  o.services = {"nope"};
  EXPECT_THROW(convert(project.model, o), std::runtime_error);
}

}  // namespace
}  // namespace berth::bridge
