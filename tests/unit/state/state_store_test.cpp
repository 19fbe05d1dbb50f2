// The project record (compose/state/state_store): state.json round trip with every kind of
// record, the atomic replace, an empty state removing the file, the per-project lock, listing
// and reading projects, and a corrupt file reported with its path.
#include "compose/state/state_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <thread>

#include "common/dir_list.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace berth::state {
namespace {

using test::TempDir;

Paths paths_in(const TempDir& dir) { return Paths{dir.path(), dir / "run"}; }

ContainerRecord web_container() {
  ContainerRecord c;
  c.id = new_container_id();
  c.name = "app-web-1";
  c.service = "web";
  c.number = 1;
  c.config_hash = "abc123";
  c.image = "nginx:alpine";
  c.image_id = "sha256:" + std::string(64, 'e');
  c.netns = "/run/berth/netns/" + c.id;
  c.owns_netns = true;
  EndpointRecord ep;
  ep.network = "default";
  ep.network_id = "net1";
  ep.host_veth = "vb0123";
  ep.address = "10.89.0.2";
  ep.names = {"web", "app-web-1"};
  c.endpoints.push_back(ep);
  c.ports = {"0.0.0.0:8080->80/tcp"};
  c.command = "nginx -g 'daemon off;'";
  c.created = "2024-01-02T03:04:05Z";
  c.status = "started";
  c.stop_timeout = 3;
  c.anonymous_volumes = {{"/data", "0123abcd"}};
  c.dns = {"1.1.1.1"};
  c.healthcheck = true;
  c.depends_on = {DependsOnRecord{"db", "service_healthy", true, true},
                  DependsOnRecord{"cache", "service_started", false, false}};
  return c;
}

TEST(StateStore, RoundTripKeepsEveryRecord) {
  TempDir root("berth-state");
  Paths paths = paths_in(root);
  StateStore store(paths, "app");
  store.load();
  EXPECT_TRUE(store.snapshot().empty());
  ContainerRecord web = web_container();
  store.update([&](ProjectState& s) {
    s.working_dir = "/srv/app";
    s.config_files = {"/srv/app/compose.yaml"};
    s.containers.push_back(web);
    s.networks.push_back(NetworkRecord{"default", "app_default", "net1", "10.89.0.1", false});
    s.volumes.push_back(VolumeRecord{"data", "app_data", false});
    s.volumes.push_back(VolumeRecord{"shared", "shared", true});
  });
  EXPECT_EQ(store.file(), root.path() + "/projects/app/state.json");

  StateStore again(paths, "app");
  again.load();
  ProjectState s = again.snapshot();
  EXPECT_EQ(s.name, "app");
  EXPECT_EQ(s.working_dir, "/srv/app");
  EXPECT_EQ(s.config_files, std::vector<std::string>{"/srv/app/compose.yaml"});
  ASSERT_EQ(s.containers.size(), 1u);
  const ContainerRecord& c = s.containers[0];
  EXPECT_EQ(c.id, web.id);
  EXPECT_EQ(c.name, web.name);
  EXPECT_EQ(c.service, "web");
  EXPECT_EQ(c.config_hash, web.config_hash);
  EXPECT_EQ(c.image, web.image);
  EXPECT_EQ(c.image_id, web.image_id);
  EXPECT_EQ(c.netns, web.netns);
  EXPECT_TRUE(c.owns_netns);
  ASSERT_EQ(c.endpoints.size(), 1u);
  EXPECT_EQ(c.endpoints[0].network, "default");
  EXPECT_EQ(c.endpoints[0].network_id, "net1");
  EXPECT_EQ(c.endpoints[0].host_veth, "vb0123");
  EXPECT_EQ(c.endpoints[0].address, "10.89.0.2");
  EXPECT_EQ(c.endpoints[0].names, web.endpoints[0].names);
  EXPECT_EQ(c.ports, web.ports);
  EXPECT_EQ(c.command, web.command);
  EXPECT_EQ(c.created, web.created);
  EXPECT_EQ(c.status, "started");
  EXPECT_EQ(c.stop_timeout, 3);
  EXPECT_EQ(c.anonymous_volumes, web.anonymous_volumes);
  EXPECT_EQ(c.dns, web.dns);
  EXPECT_TRUE(c.healthcheck);
  ASSERT_EQ(c.depends_on.size(), 2u);
  EXPECT_EQ(c.depends_on[0].service, "db");
  EXPECT_EQ(c.depends_on[0].condition, "service_healthy");
  EXPECT_TRUE(c.depends_on[0].restart);
  EXPECT_TRUE(c.depends_on[0].required);
  EXPECT_EQ(c.depends_on[1].service, "cache");
  EXPECT_FALSE(c.depends_on[1].restart);
  EXPECT_FALSE(c.depends_on[1].required);
  ASSERT_EQ(s.networks.size(), 1u);
  EXPECT_EQ(s.networks[0].name, "app_default");
  EXPECT_EQ(s.networks[0].gateway, "10.89.0.1");
  ASSERT_EQ(s.volumes.size(), 2u);
  EXPECT_EQ(s.volumes[0].name, "app_data");
  EXPECT_FALSE(s.volumes[0].external);
  EXPECT_TRUE(s.volumes[1].external);
  EXPECT_NE(s.find_container(web.id), nullptr);
  EXPECT_EQ(s.find_container("nope"), nullptr);
}

TEST(StateStore, ReplaceLeavesOnlyStateJson) {
  TempDir root("berth-state");
  StateStore store(paths_in(root), "app");
  store.load();
  for (int i = 0; i < 3; ++i) store.update([&](ProjectState& s) { s.containers.push_back(web_container()); });
  EXPECT_EQ(list_dir(root / "projects/app"), std::vector<std::string>{"state.json"});
  EXPECT_EQ(read_project_state(paths_in(root), "app")->containers.size(), 3u);
}

TEST(StateStore, EmptyStateRemovesTheFile) {
  TempDir root("berth-state");
  Paths paths = paths_in(root);
  StateStore store(paths, "app");
  store.load();
  store.update([&](ProjectState& s) { s.volumes.push_back(VolumeRecord{"data", "app_data", false}); });
  EXPECT_TRUE(std::filesystem::exists(store.file()));
  store.update([&](ProjectState& s) { s.volumes.clear(); });
  EXPECT_FALSE(std::filesystem::exists(store.file()));
  EXPECT_EQ(read_project_state(paths, "app"), std::nullopt);
  EXPECT_TRUE(list_projects(paths).empty());
}

TEST(StateStore, CorruptFileNamesItsPath) {
  TempDir root("berth-state");
  Paths paths = paths_in(root);
  std::string file = root / "projects/app/state.json";
  test::write_bytes(file, "{\"containers\": [");
  try {
    read_project_state(paths, "app");
    FAIL() << "no error for a corrupt state file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("read `" + file + "`"), std::string::npos) << e.what();
  }
  StateStore store(paths, "app");
  EXPECT_THROW(store.load(), std::runtime_error);
  // A container without its id is corrupt too (the id is what every later step acts on).
  test::write_bytes(file, R"({"containers": [{"name": "app-web-1"}]})");
  EXPECT_THROW(read_project_state(paths, "app"), std::runtime_error);
}

TEST(StateStore, ListAndReadProjects) {
  TempDir root("berth-state");
  Paths paths = paths_in(root);
  EXPECT_TRUE(list_projects(paths).empty());  // no projects dir at all
  EXPECT_EQ(read_project_state(paths, "app"), std::nullopt);
  for (const char* name : {"zeta", "alpha"}) {
    StateStore store(paths, name);
    store.update([&](ProjectState& s) {
      s.networks.push_back(NetworkRecord{"default", std::string(name) + "_default", "", "", false});
    });
  }
  { ProjectLock only_a_lock(paths, "locked"); }  // a project dir without state.json is no project
  EXPECT_EQ(list_projects(paths), (std::vector<std::string>{"alpha", "zeta"}));
  auto alpha = read_project_state(paths, "alpha");
  ASSERT_TRUE(alpha);
  EXPECT_EQ(alpha->name, "alpha");
  ASSERT_EQ(alpha->networks.size(), 1u);
  EXPECT_EQ(alpha->networks[0].name, "alpha_default");
  EXPECT_EQ(read_project_state(paths, "locked"), std::nullopt);
}

TEST(StateStore, SecondLockWaitsForTheFirst) {
  TempDir root("berth-state");
  Paths paths = paths_in(root);
  std::optional<ProjectLock> first;
  first.emplace(paths, "app");
  EXPECT_TRUE(std::filesystem::exists(root / "projects/app/lock"));
  std::atomic<bool> second_held{false};
  std::thread other([&] {
    ProjectLock second(paths, "app");  // its own open file description: flock blocks
    second_held = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(second_held) << "a second lock on the same project did not wait";
  first.reset();
  other.join();
  EXPECT_TRUE(second_held);
  ProjectLock other_project(paths, "other");  // another project's lock is independent
}

TEST(StateStore, ContainerIdsAreRandomHex) {
  std::string a = new_container_id(), b = new_container_id();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace berth::state
