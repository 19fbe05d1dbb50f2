// The crash matrix of the image store (issue 16): `berth pull` (from a real registry on loopback)
// and `berth build` killed with SIGKILL right after the k-th progress event, for every k. After
// each kill the store is consistent: every blob's content has the digest it is named by, every
// layer dir is complete (layer.json beside diff/), every listed image inspects. The same command
// run again then succeeds with the image id of a clean run, leaves nothing in tmp/ (the killed
// run's staging is swept) nor in partial/, and once the image (and the build cache) is removed
// the store holds what it held before the matrix began: nothing was leaked.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compose/image/digest.hpp"
#include "e2e/progress_kill.hpp"
#include "registry_fixture.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

namespace fs = std::filesystem;

class StoreCrashMatrix : public RegistryFixture {
 protected:
  /// `berth <args>` with `--progress json`, killed after event `kill_after` (never when 0).
  /// A build's events include BuildKit's plain lines (its steps are not JSON events).
  EventRun run(const std::vector<std::string>& args, int kill_after) {
    std::vector<std::string> argv = {BERTH_BINARY, "--root", root(), "-p", project(), "--progress", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    EventRun r = run_until_event(argv, berth_env(), dir(), kill_after, args.front() == "build");
    remember();
    return r;
  }

  /// The image id `ref` names now ("" when none).
  std::string image_id(const std::string& ref) {
    auto r = berth({"image", "inspect", ref});
    if (r.exit_code != 0) return "";
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_array() && !j.empty() ? j[0].value("Id", "") : "";
  }

  /// What is wrong with the store: blobs whose content is not what their name says, layer dirs
  /// without layer.json or diff/, images `image ls` lists that do not inspect.
  std::vector<std::string> store_problems() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root() + "/blobs/sha256", ec)) {
      const std::string hex = e.path().filename();
      const std::string got(berth::image::sha256_of(read_bytes(e.path())).hex());
      if (got != hex) out.push_back("blob " + hex + " holds content " + got);
    }
    for (const auto& e : fs::directory_iterator(root() + "/layers", ec))
      if (!fs::exists(e.path() / "layer.json") || !fs::is_directory(e.path() / "diff"))
        out.push_back("incomplete layer " + e.path().string());
    auto ls = berth({"image", "ls", "--format", "json"});
    if (ls.exit_code != 0) out.push_back("image ls: " + ls.err);
    std::istringstream lines(ls.out);
    for (std::string line; std::getline(lines, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object()) continue;
      const std::string id = j.value("ID", "");
      auto inspect = berth({"image", "inspect", id});
      if (inspect.exit_code != 0) out.push_back("image " + id + " does not inspect: " + inspect.err);
    }
    return out;
  }

  /// Blob and layer names of the store.
  std::set<std::string> store_names() {
    std::set<std::string> out;
    std::error_code ec;
    for (const char* sub : {"/blobs/sha256", "/layers"})
      for (const auto& e : fs::directory_iterator(root() + sub, ec))
        out.insert(sub + ("/" + e.path().filename().string()));
    return out;
  }

  /// Entries of `sub` under the root (none when it is absent).
  std::vector<std::string> entries(const std::string& sub) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root() + "/" + sub, ec)) out.push_back(e.path().filename());
    return out;
  }

  /// The matrix: a clean run of `args` gives n events and the id of `ref`; then for k < n, a run
  /// killed after event k, the store checked, the same run again, `cleanup` (which must bring
  /// the store back to its names before the matrix).
  void matrix(const std::vector<std::string>& args, const std::string& ref,
              const std::vector<std::vector<std::string>>& cleanup) {
    auto undo = [&] {
      for (const auto& c : cleanup) {
        auto r = berth(c);
        EXPECT_EQ(r.exit_code, 0) << c.front() << ": " << r.err;
      }
    };
    const std::set<std::string> baseline = store_names();
    const EventRun clean = run(args, 0);
    ASSERT_TRUE(clean.clean()) << args.front() << " did not finish cleanly";
    ASSERT_GT(clean.events, 3) << "too few progress events to make a matrix";
    std::cout << "[ matrix   ] " << args.front() << ": " << clean.events << " events\n";
    const std::string id = image_id(ref);
    ASSERT_FALSE(id.empty());
    undo();
    ASSERT_EQ(store_names(), baseline);
    for (int k = 1; k < clean.events; ++k) {
      SCOPED_TRACE("killed after event " + std::to_string(k) + " of " + std::to_string(clean.events));
      const EventRun killed = run(args, k);
      EXPECT_TRUE(killed.killed || killed.clean()) << "neither killed nor clean";
      EXPECT_EQ(store_problems(), std::vector<std::string>{});
      const EventRun again = run(args, 0);
      EXPECT_TRUE(again.clean()) << "the run after the kill failed";
      EXPECT_EQ(image_id(ref), id);
      EXPECT_EQ(store_problems(), std::vector<std::string>{});
      EXPECT_EQ(entries("tmp"), std::vector<std::string>{}) << "staging left in tmp/";
      EXPECT_EQ(entries("partial"), std::vector<std::string>{}) << "partial downloads left";
      undo();
      EXPECT_EQ(store_names(), baseline) << "blobs or layers leaked";
      if (HasFailure()) break;  // one broken step is enough to read
    }
  }
};

TEST_F(StoreCrashMatrix, KillNineAfterEveryEventOfPullThenPullGivesTheSameImage) {
  auto reg = start();
  reg->push_image("test/small:1", 1);  // busybox and a 1 MiB layer
  const std::string ref = reg->host() + "/test/small:1";
  write_compose("services:\n  app:\n    image: " + ref + "\n");
  matrix({"pull"}, ref, {{"image", "rm", ref}});
}

TEST_F(StoreCrashMatrix, KillNineAfterEveryEventOfBuildThenBuildGivesTheSameImage) {
  // Reproducible (SOURCE_DATE_EPOCH dates every step; COPY keeps the files' times), so a
  // rebuild after a kill must give the clean build's id even where it could not use the cache.
  // The RUN is in a stage the image only copies a base file from: its container runs (and is
  // killed) in the matrix, but the mount points it leaves in its layer stay out of the image.
  write_compose(
      "services:\n  app:\n    image: crash/built:1\n    build:\n      context: .\n"
      "      args: {SOURCE_DATE_EPOCH: \"1700000000\"}\n");
  write_bytes(dir() + "/a.txt", std::string(300 * 1024, 'a'));
  write_bytes(dir() + "/b.txt", "b\n");
  write_bytes(dir() + "/Dockerfile",
              "FROM busybox:e2e AS tool\nRUN [\"/bin/true\"]\n"
              "FROM busybox:e2e\nCOPY a.txt /a.txt\nCOPY --from=tool /etc/passwd /passwd\nENV X=1\n"
              "COPY b.txt /b.txt\nLABEL crash=matrix\n");
  matrix({"build"}, "crash/built:1", {{"image", "rm", "crash/built:1"}, {"builder", "prune", "-f"}});
}

}  // namespace
}  // namespace berth::test
