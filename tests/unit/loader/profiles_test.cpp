#include "compose/loader/profiles.hpp"

#include <gtest/gtest.h>

using namespace berth::loader;
using nlohmann::json;

namespace {
// The illustrative example of 15-profiles.md.
json spec_example() {
  return json::parse(R"({"services": {
    "foo": {"image": "foo"},
    "bar": {"image": "bar", "profiles": ["test"]},
    "baz": {"image": "baz", "depends_on": ["bar"], "profiles": ["test"]},
    "zot": {"image": "zot", "depends_on": ["bar"], "profiles": ["debug"]}}})");
}
std::vector<std::string> enabled(const json& m) {
  std::vector<std::string> out;
  for (auto& [k, v] : m["services"].items()) out.push_back(k);
  return out;
}
}  // namespace

TEST(Profiles, NoProfileOnlyKeepsServicesWithoutProfiles) {
  auto m = spec_example();
  EXPECT_EQ(apply_profiles(m, {}, {}), (std::vector<std::string>{"bar", "baz", "zot"}));
  EXPECT_EQ(enabled(m), (std::vector<std::string>{"foo"}));
}

TEST(Profiles, TestProfileEnablesBarAndBaz) {
  auto m = spec_example();
  apply_profiles(m, {"test"}, {});
  EXPECT_EQ(enabled(m), (std::vector<std::string>{"bar", "baz", "foo"}));
}

TEST(Profiles, TargetingAServiceActivatesItsProfiles) {
  auto m = spec_example();
  apply_profiles(m, {}, {"baz"});  // baz activates "test", which pulls in bar
  EXPECT_EQ(enabled(m), (std::vector<std::string>{"bar", "baz", "foo"}));
}

TEST(Profiles, DebugAloneLeavesZotWithoutBar) {
  auto m = spec_example();
  auto disabled = apply_profiles(m, {"debug"}, {});
  EXPECT_EQ(enabled(m), (std::vector<std::string>{"foo", "zot"}));
  EXPECT_EQ(disabled, (std::vector<std::string>{"bar", "baz"}));
}

TEST(Profiles, StarEnablesEverything) {
  auto m = spec_example();
  EXPECT_TRUE(apply_profiles(m, {"*"}, {}).empty());
  EXPECT_EQ(all_profiles(spec_example()), (std::vector<std::string>{"debug", "test"}));
}
