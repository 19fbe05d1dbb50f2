// Faults (issue 16): commands racing each other on one root, and a store whose disk is full.
// Two `up`s of one project at once give one set of containers; five projects brought up at once
// get five distinct subnets; `down` while `up` runs leaves nothing; an import, an `up` or a
// build that runs out of space fails naming what it was writing and leaves the store usable.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "compose/image/digest.hpp"
#include "engine_fixture.hpp"
#include "small_tmpfs.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Faults : public EngineFixture {
 protected:
  /// `berth --root R -p project <args>` under timeout(1), for a project other than the fixture's.
  CommandResult berth_as(const std::string& project, int seconds, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {
        "/usr/bin/timeout", "-s",   "KILL", std::to_string(seconds), BERTH_BINARY, "--root", root(), "-p", project,
        "--progress",       "plain"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, dir(), berth_env());
  }
  /// Imports the fixture's busybox rootfs as busybox:e2e into the current root (a SmallRoot).
  CommandResult import_busybox() {
    return berth_bounded(
        60, {"image", "import", *m_tmp / "rootfs.tar", image, "-c", "ENV PATH=/bin", "-c", R"(CMD ["sh"])"});
  }
  /// Fills the file system of the root with a file until it is full (ENOSPC).
  void fill_root(const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 4096 && out.write(chunk.data(), static_cast<std::streamsize>(chunk.size())); ++i) {
    }
    out.close();
    // The last partial chunks: byte-level writes until the tmpfs says no.
    std::ofstream tail(path + ".tail", std::ios::binary);
    std::string small(512, 'y');
    for (int i = 0; i < 1024 && tail.write(small.data(), static_cast<std::streamsize>(small.size())); ++i) tail.flush();
  }
  /// Layer dirs of the root that have no layer.json (half-unpacked ones).
  std::vector<std::string> layers_without_json() {
    std::vector<std::string> out;
    if (fs::exists(root() + "/layers"))
      for (const auto& e : fs::directory_iterator(root() + "/layers"))
        if (!fs::exists(e.path() / "layer.json")) out.push_back(e.path());
    return out;
  }
  /// Service NAME column of `ps -a --format json` for `project`, one entry per line.
  std::vector<std::string> ps_names(const std::string& project) {
    auto ps = berth_as(project, 30, {"ps", "-a", "--format", "json"});
    EXPECT_EQ(ps.exit_code, 0) << ps.err;
    std::vector<std::string> out;
    std::istringstream lines(ps.out);
    for (std::string line; std::getline(lines, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object()) out.push_back(j.value("Name", ""));
    }
    return out;
  }
  /// leftovers() without the small root's own tmpfs mount (under the fixture's temp dir).
  std::vector<std::string> leftovers_but_the_root() {
    std::vector<std::string> out;
    for (auto& l : leftovers())
      if (!contains(l, " / " + root() + " ")) out.push_back(l);
    return out;
  }
  std::error_code m_ec;
};

// Two `up -d` of one project started at the same moment: both succeed (the second waits for the
// first's project lock and finds everything up) and each service runs once.
TEST_F(Faults, TwoUpsOfOneProjectAtOnceGiveOneSetOfContainers) {
  write_compose(
      "services:\n"
      "  web:\n    image: busybox:e2e\n    command: [sleep, '600']\n"
      "  worker:\n    image: busybox:e2e\n    command: [sleep, '600']\n    scale: 2\n");
  auto a = std::async(std::launch::async, [&] { return berth_as(project(), 90, {"up", "-d"}); });
  auto b = std::async(std::launch::async, [&] { return berth_as(project(), 90, {"up", "-d"}); });
  auto ra = a.get(), rb = b.get();
  remember();
  EXPECT_EQ(ra.exit_code, 0) << ra.err;
  EXPECT_EQ(rb.exit_code, 0) << rb.err;
  auto names = ps_names(project());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{project() + "-web-1", project() + "-worker-1", project() + "-worker-2"}));
  EXPECT_EQ(container_ids().size(), 3u);
  for (const auto& [name, state] : states()) EXPECT_EQ(state, "running") << name;
  // No container outside the state: the run dir has one entry per container.
  std::set<std::string> dirs;
  for (const auto& e : fs::directory_iterator(run() + "/containers", m_ec)) dirs.insert(e.path().filename());
  EXPECT_EQ(dirs.size(), 3u);
}

// Five projects on one root brought up at once: five distinct subnets, and inside each project
// the containers reach each other by name.
TEST_F(Faults, FiveProjectsAtOnceGetDistinctSubnets) {
  write_compose(
      "services:\n"
      "  a:\n    image: busybox:e2e\n    command: [sleep, '600']\n"
      "  b:\n    image: busybox:e2e\n    command: [sleep, '600']\n");
  std::vector<std::string> projects = {project()};
  for (int i = 1; i < 5; ++i) projects.push_back(project() + "p" + std::to_string(i));
  std::vector<std::future<CommandResult>> ups;
  for (const auto& p : projects)
    ups.push_back(std::async(std::launch::async, [&, p] { return berth_as(p, 120, {"up", "-d"}); }));
  for (size_t i = 0; i < ups.size(); ++i) {
    auto r = ups[i].get();
    EXPECT_EQ(r.exit_code, 0) << projects[i] << ": " << r.err;
  }
  remember();
  // Each project's default network and its subnet, from the network registry.
  std::map<std::string, std::string> subnets;  // subnet → project
  std::multiset<std::string> owners;           // project of each network
  for (const auto& e : fs::directory_iterator(root() + "/networks", m_ec)) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    auto j = nlohmann::json::parse(in, nullptr, false);
    ASSERT_TRUE(j.is_object()) << e.path();
    std::string subnet = j.value("subnet", ""), owner = j.value("project", "");
    owners.insert(owner);
    EXPECT_FALSE(subnet.empty()) << j.dump();
    EXPECT_TRUE(subnets.emplace(subnet, owner).second)
        << "subnet " << subnet << " twice: " << subnets[subnet] << " and " << owner;
  }
  EXPECT_EQ(owners, std::multiset<std::string>(projects.begin(), projects.end()));
  EXPECT_EQ(subnets.size(), 5u);
  for (const auto& p : projects) {
    auto ping = berth_as(p, 30, {"exec", "-T", "a", "ping", "-c", "1", "-W", "3", "b"});
    EXPECT_EQ(ping.exit_code, 0) << p << ": " << ping.out << ping.err;
  }
  for (size_t i = 1; i < projects.size(); ++i) {
    auto down = berth_as(projects[i], 60, {"down", "-t", "1"});
    EXPECT_EQ(down.exit_code, 0) << projects[i] << ": " << down.err;
    EXPECT_FALSE(fs::exists(root() + "/projects/" + projects[i] + "/state.json")) << projects[i];
  }
}

// `down` started while `up` waits for a slow healthcheck: both end, and nothing is left.
TEST_F(Faults, DownDuringUpLeavesNothing) {
  write_compose(
      "services:\n"
      "  db:\n    image: busybox:e2e\n    command: [sh, -c, 'sleep 6; touch /tmp/ready; sleep 600']\n"
      "    healthcheck:\n      test: [CMD, test, -f, /tmp/ready]\n      interval: 1s\n      retries: 30\n"
      "  app:\n    image: busybox:e2e\n    command: [sleep, '600']\n"
      "    depends_on:\n      db:\n        condition: service_healthy\n");
  auto started = std::chrono::steady_clock::now();
  auto up = std::async(std::launch::async, [&] { return berth_as(project(), 60, {"up", "-d"}); });
  // Wait for the first container to exist in the state.
  while (container_ids().empty() && std::chrono::steady_clock::now() - started < 30s)
    std::this_thread::sleep_for(100ms);
  ASSERT_FALSE(container_ids().empty()) << "up created no container within 30 s";
  remember();
  auto down = berth_as(project(), 60, {"down", "-t", "1"});
  auto up_result = up.get();
  remember();
  EXPECT_NE(down.exit_code, 137) << "down did not end: " << down.err;
  EXPECT_NE(up_result.exit_code, 137) << "up did not end: " << up_result.err;
  EXPECT_EQ(down.exit_code, 0) << down.err;
  // Whatever `up` did after `down`, a second `down` is not needed: nothing is left now.
  EXPECT_EQ(leftovers(), std::vector<std::string>{}) << "up: " << up_result.err << "\ndown: " << down.err;
  EXPECT_FALSE(fs::exists(root() + "/projects/" + project() + "/state.json"))
      << "up: " << up_result.err << "\ndown: " << down.err;
}

// An import bigger than the disk fails naming what it wrote; the store stays usable, and the
// same import succeeds once there is room.
TEST_F(Faults, ImportOfAnImageBiggerThanTheDiskFailsCleanly) {
  SmallRoot small(m_root, *m_tmp / "small", 8);
  if (!small.error().empty()) GTEST_SKIP() << small.error();
  std::string big(12 * 1024 * 1024, '\0');
  std::mt19937 rng(16);
  for (auto& c : big) c = static_cast<char>(rng());
  write_bytes(*m_tmp / "big.tar", make_tar({tar_dir("data"), tar_file("data/big", big, 0644)}));
  auto imp = berth_bounded(60, {"image", "import", *m_tmp / "big.tar", "big:1"});
  EXPECT_EQ(imp.exit_code, 1) << imp.out << imp.err;
  EXPECT_TRUE(contains(imp.err, "No space left on device")) << imp.err;
  EXPECT_TRUE(contains(imp.err, "sha256:") || contains(imp.err, root())) << "names what it wrote: " << imp.err;
  auto ls = berth({"image", "ls"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_FALSE(contains(ls.out, "big")) << ls.out;
  EXPECT_EQ(layers_without_json(), std::vector<std::string>{});
  if (fs::exists(root() + "/tmp")) EXPECT_TRUE(fs::is_empty(root() + "/tmp")) << "staging left in tmp/";
  if (fs::exists(root() + "/layers")) EXPECT_TRUE(fs::is_empty(root() + "/layers")) << "layers of no image";

  ASSERT_TRUE(small.grow(96)) << std::strerror(errno);
  auto again = berth_bounded(60, {"image", "import", *m_tmp / "big.tar", "big:1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(berth({"image", "ls"}).out, "big")) << "after room was made";
  EXPECT_EQ(layers_without_json(), std::vector<std::string>{});
}

// `image load` onto a full disk, of two-layer archives (a small layer, then a big one): one whose
// big layer does not fit even packed (staging the archive's files runs out of space), and one
// whose big layer fits packed but not unpacked beside it. Each fails naming the disk-full
// condition and leaves the store as it was (no blob, no layer, no image, no staging); with room
// made, the same load succeeds.
TEST_F(Faults, LoadOfAnArchiveBiggerThanTheDiskFailsCleanlyAndLoadsOnceThereIsRoom) {
  std::mt19937 rng(16);
  auto random_layer = [&](int mib) {
    std::string data(static_cast<size_t>(mib) * 1024 * 1024, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    return make_tar({tar_dir("data"), tar_file("data/big", data, 0644)});
  };
  const std::string small_layer = make_tar({tar_dir("etc"), tar_file("etc/motd", "hello\n", 0644)});
  for (const int mib : {12, 5}) {
    SCOPED_TRACE(std::to_string(mib) + " MiB layer");
    const std::string name = "full" + std::to_string(mib);
    const std::string big_layer = random_layer(mib);
    nlohmann::json config = {
        {"architecture", "amd64"},
        {"os", "linux"},
        {"rootfs",
         {{"type", "layers"},
          {"diff_ids", {berth::image::sha256_of(small_layer).str(), berth::image::sha256_of(big_layer).str()}}}}};
    nlohmann::json manifest = nlohmann::json::array(
        {{{"Config", "config.json"}, {"RepoTags", {name + ":1"}}, {"Layers", {"a/layer.tar", "b/layer.tar"}}}});
    const std::string archive = *m_tmp / (name + ".tar");
    write_bytes(archive,
                make_tar({tar_file("a/layer.tar", small_layer), tar_file("b/layer.tar", big_layer),
                          tar_file("config.json", config.dump()), tar_file("manifest.json", manifest.dump())}));

    SmallRoot small(m_root, *m_tmp / ("small-" + name), 8);
    if (!small.error().empty()) GTEST_SKIP() << small.error();
    auto load = berth_bounded(60, {"image", "load", "-i", archive});
    EXPECT_EQ(load.exit_code, 1) << load.out << load.err;
    EXPECT_TRUE(contains(load.err, "No space left on device")) << load.err;
    EXPECT_TRUE(contains(load.err, "load `" + archive + "`")) << load.err;
    auto ls = berth({"image", "ls"});
    EXPECT_EQ(ls.exit_code, 0) << ls.err;
    EXPECT_FALSE(contains(ls.out, name)) << ls.out;
    for (const char* sub : {"/blobs/sha256", "/layers", "/tmp"})
      if (fs::exists(root() + sub)) EXPECT_TRUE(fs::is_empty(root() + sub)) << sub << " not empty";
    if (fs::exists(root() + "/images.json"))
      EXPECT_FALSE(contains(read_bytes(root() + "/images.json"), name)) << read_bytes(root() + "/images.json");

    ASSERT_TRUE(small.grow(64)) << std::strerror(errno);
    auto again = berth_bounded(60, {"image", "load", "-i", archive});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(contains(again.out, "Loaded image: " + name + ":1")) << again.out;
    EXPECT_TRUE(contains(berth({"image", "ls"}).out, name));
    EXPECT_EQ(layers_without_json(), std::vector<std::string>{});
    EXPECT_TRUE(fs::is_empty(root() + "/tmp")) << "staging left in tmp/";
    auto inspect = berth({"image", "inspect", name + ":1"});
    EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
  }
}

// `up` on a full disk fails clearly, and `down` then leaves nothing.
TEST_F(Faults, UpOnAFullDiskFailsClearlyAndDownLeavesNothing) {
  SmallRoot small(m_root, *m_tmp / "small", 16);
  if (!small.error().empty()) GTEST_SKIP() << small.error();
  auto imp = import_busybox();
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  write_compose("services:\n  app:\n    image: busybox:e2e\n    command: [sh, -c, 'echo hi > /x; sleep 600']\n");
  fill_root(root() + "/filler");
  auto up = berth_bounded(60, {"up", "-d"});
  EXPECT_NE(up.exit_code, 0) << up.out << up.err;
  EXPECT_NE(up.exit_code, 137) << "up did not end";
  EXPECT_TRUE(contains(up.err, "No space left on device")) << up.err;
  auto down = berth_bounded(60, {"down", "-t", "1"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(leftovers_but_the_root(), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(root() + "/projects/" + project() + "/state.json"));
  // The store still works: room made, the same `up` succeeds.
  fs::remove(root() + "/filler");
  fs::remove(root() + "/filler.tail");
  auto ls = berth({"image", "ls"});
  EXPECT_TRUE(contains(ls.out, "busybox")) << ls.out << ls.err;
  auto again = berth_bounded(60, {"up", "-d"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  auto down2 = berth_bounded(60, {"down", "-t", "1"});
  EXPECT_EQ(down2.exit_code, 0) << down2.err;
  EXPECT_EQ(leftovers_but_the_root(), std::vector<std::string>{});
}

// A build whose RUN fills the disk fails naming the step; the store stays usable.
TEST_F(Faults, BuildWhoseRunFillsTheDiskNamesTheStep) {
  SmallRoot small(m_root, *m_tmp / "small", 24);
  if (!small.error().empty()) GTEST_SKIP() << small.error();
  auto imp = import_busybox();
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  write_compose("services:\n  app:\n    build: .\n    command: [sleep, '600']\n");
  write_bytes(dir() + "/Dockerfile", "FROM busybox:e2e\nRUN dd if=/dev/zero of=/big bs=1M count=64\n");
  auto build = berth_bounded(120, {"build"});
  EXPECT_NE(build.exit_code, 0) << build.err;
  EXPECT_NE(build.exit_code, 137) << "build did not end";
  EXPECT_TRUE(contains(build.err, "RUN dd if=/dev/zero")) << build.err;
  EXPECT_TRUE(contains(build.err, "No space left on device")) << build.err;
  auto ls = berth({"image", "ls"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_TRUE(contains(ls.out, "busybox")) << ls.out;
  EXPECT_EQ(layers_without_json(), std::vector<std::string>{});
  auto prune = berth_bounded(60, {"builder", "prune", "-f"});
  EXPECT_EQ(prune.exit_code, 0) << prune.err;
  if (fs::exists(root() + "/tmp")) EXPECT_TRUE(fs::is_empty(root() + "/tmp")) << "staging left in tmp/";
}

}  // namespace
}  // namespace berth::test
