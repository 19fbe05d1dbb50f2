// The config `commit` gives the new image (compose/containerfs/container_commit): the container's,
// i.e. the image's with the service's environment, entrypoint/command, working_dir, user, labels.
#include <gtest/gtest.h>

#include "compose/containerfs/container_commit.hpp"

namespace berth::containerfs {
namespace {

using nlohmann::json;

TEST(CommitConfig, TheServiceSettingsOverTheImages) {
  json image = {{"Env", {"PATH=/bin", "DROP=1", "KEEP=1"}}, {"Cmd", {"sh"}}, {"Labels", {{"a", "1"}}}};
  model::Service s;
  s.environment = {{"NEW", "x"}, {"DROP", std::nullopt}, {"KEEP", "2"}};
  s.command = std::vector<std::string>{"sleep", "5"};
  s.working_dir = "/srv";
  s.user = "1000";
  s.labels = {{"b", "2"}};
  json c = container_config(image, s);
  EXPECT_EQ(c["Env"], json({"PATH=/bin", "KEEP=2", "NEW=x"}));
  EXPECT_EQ(c["Cmd"], json({"sleep", "5"}));
  EXPECT_EQ(c["WorkingDir"], "/srv");
  EXPECT_EQ(c["User"], "1000");
  EXPECT_EQ(c["Labels"], json({{"a", "1"}, {"b", "2"}}));
}

TEST(CommitConfig, AnEntrypointResetsTheImagesCommand) {
  json image = {{"Cmd", {"sh"}}, {"Entrypoint", {"old"}}};
  model::Service s;
  s.entrypoint = std::vector<std::string>{"new"};
  json c = container_config(image, s);
  EXPECT_EQ(c["Entrypoint"], json({"new"}));
  EXPECT_TRUE(c["Cmd"].is_null());
  model::Service plain;
  json same = container_config(image, plain);
  EXPECT_EQ(same["Cmd"], json({"sh"}));
  EXPECT_EQ(same["Entrypoint"], json({"old"}));
}

}  // namespace
}  // namespace berth::containerfs
