// `logging:` honoured end to end: json-file max-size/max-file (and compress) bound what a
// chatty container leaves on disk while `logs` still reads the newest lines across rotated
// (and gzipped) files; `none` stores nothing; `logs -f` follows across rotations without losing
// or repeating a line; a full log file system never stops the container.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "engine_fixture.hpp"
#include "small_tmpfs.hpp"
#include "support/text.hpp"

namespace berth::test {

namespace {

namespace fs = std::filesystem;

class LogsRotation : public EngineFixture {
 protected:
  /// The files of app-1's log: container.log and its rotated siblings, name → size.
  std::map<std::string, uintmax_t> log_files() {
    std::map<std::string, uintmax_t> out;
    auto ids = container_ids();
    auto it = ids.find(project() + "-app-1");
    if (it == ids.end()) return out;
    fs::path dir = fs::path(root()) / "containers" / it->second;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().filename().string().rfind("container.log", 0) == 0) out[e.path().filename()] = e.file_size();
    return out;
  }
  /// Waits (bounded) until app-1 has exited.
  void wait_exited(int seconds) {
    for (int i = 0; i < seconds * 10; ++i) {
      auto st = states();
      if (auto it = st.find(project() + "-app-1"); it != st.end() && it->second == "exited") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "app-1 did not exit within " << seconds << " s";
  }
  static std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
};

/// A service printing "line <i> <100 zeros>" for i = 1..n (about n * 110 bytes), then exiting.
std::string chatty_service(int n, const std::string& logging) {
  return "services:\n  app:\n    image: busybox:e2e\n    command: [\"awk\", \"BEGIN { for (i = 1; i <= " +
         std::to_string(n) + "; i++) printf \\\"line %d %0100d\\\\n\\\", i, 0 }\"]\n    logging:\n" + logging;
}

}  // namespace

TEST_F(LogsRotation, MaxSizeAndMaxFileBoundTheLogAndLogsShowsTheNewestLines) {
  // ~5 MiB of output; 100k x 3 files keep the last ~300 kB.
  write_compose(chatty_service(48000, "      options: {max-size: 100k, max-file: '3'}\n"));
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  wait_exited(60);
  auto files = log_files();
  EXPECT_LE(files.size(), 3u);
  EXPECT_TRUE(files.count("container.log.1")) << ::testing::PrintToString(files);
  for (const auto& [name, size] : files) EXPECT_LE(size, 100'000u + 300u) << name;  // + at most one line
  auto r = berth({"logs", "--tail", "5", "--no-log-prefix"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = lines_of(r.out);
  ASSERT_EQ(got.size(), 5u) << r.out;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(got[i].substr(0, got[i].find(' ', 5)), "line " + std::to_string(47996 + i));
  // Everything kept reads back in order, across the rotated files.
  r = berth({"logs", "--no-log-prefix"});
  got = lines_of(r.out);
  ASSERT_GT(got.size(), 1000u);
  int first = std::stoi(got.front().substr(5));
  EXPECT_GT(first, 40000);
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(got[i].substr(0, got[i].find(' ', 5)), "line " + std::to_string(first + static_cast<int>(i)));
  EXPECT_EQ(first + static_cast<int>(got.size()) - 1, 48000);
  ASSERT_EQ(berth({"down"}).exit_code, 0);
}

TEST_F(LogsRotation, CompressedRotatedFilesAreReadBack) {
  write_compose(chatty_service(20000, "      options: {max-size: 100k, max-file: '3', compress: 'true'}\n"));
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  wait_exited(60);
  std::map<std::string, uintmax_t> files;
  for (int i = 0; i < 50; ++i) {  // the last compression may still be running
    files = log_files();
    if (files.size() == 3 && files.count("container.log.2.gz")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(files.count("container.log.1.gz")) << ::testing::PrintToString(files);
  EXPECT_TRUE(files.count("container.log.2.gz")) << ::testing::PrintToString(files);
  EXPECT_LT(files["container.log.2.gz"], 20'000u);  // 100 kB of repetitive lines compress well
  auto r = berth({"logs", "--no-log-prefix"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = lines_of(r.out);
  ASSERT_GT(got.size(), 1000u);  // ~190-byte entries: ~520 a file
  int first = std::stoi(got.front().substr(5));
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(got[i].substr(0, got[i].find(' ', 5)), "line " + std::to_string(first + static_cast<int>(i)));
  EXPECT_EQ(first + static_cast<int>(got.size()) - 1, 20000);
  r = berth({"logs", "--tail", "1000", "--no-log-prefix"});  // reaches into the .gz files
  got = lines_of(r.out);
  ASSERT_EQ(got.size(), 1000u);
  EXPECT_EQ(got.front().substr(0, got.front().find(' ', 5)), "line 19001");
  ASSERT_EQ(berth({"down"}).exit_code, 0);
}

TEST_F(LogsRotation, DriverNoneStoresNothing) {
  write_compose("services:\n  app:\n    image: busybox:e2e\n    command: [echo, hello]\n    logging: {driver: none}\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  wait_exited(20);
  EXPECT_TRUE(log_files().empty()) << ::testing::PrintToString(log_files());
  auto r = berth({"logs"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(
      r.err, "Can't retrieve logs for \"" + project() + "-app-1\": configured logging driver does not support reading"))
      << r.err;
  ASSERT_EQ(berth({"down"}).exit_code, 0);
}

TEST_F(LogsRotation, FollowSeesEveryLineOnceAcrossRotations) {
  // 20,000 numbered lines in bursts, after a pause that lets `logs -f` start first; 50k x 3 files
  // rotate ~30 times under the follower.
  write_compose(
      "services:\n  app:\n    image: busybox:e2e\n    command: [\"awk\", \"BEGIN { system(\\\"sleep 2\\\"); "
      "for (i = 1; i <= 20000; i++) { printf \\\"n %d %040d\\\\n\\\", i, 0; if (i % 1000 == 0) "
      "system(\\\"sleep 0.1\\\") } }\"]\n"
      "    logging:\n      options: {max-size: 50k, max-file: '3'}\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  auto r = berth_bounded(90, {"logs", "-f", "--no-log-prefix"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = lines_of(r.out);
  ASSERT_EQ(got.size(), 20000u) << "first: " << (got.empty() ? "" : got.front());
  for (int i = 0; i < 20000; ++i) ASSERT_EQ(got[i].substr(0, got[i].find(' ', 2)), "n " + std::to_string(i + 1));
  EXPECT_GE(log_files().size(), 2u);
  ASSERT_EQ(berth({"down"}).exit_code, 0);
}

TEST_F(LogsRotation, AFullLogFileSystemNeverStopsTheContainer) {
  // The containers' dir under the root (where the shims keep the logs) on a 4 MiB tmpfs; the
  // container floods it.
  std::string containers = root() + "/containers";
  SmallRoot small(containers, containers, 4);
  if (!small.error().empty()) GTEST_SKIP() << small.error();
  write_compose(
      "services:\n  app:\n    image: busybox:e2e\n"
      "    command: [sh, -c, 'timeout 3 yes flood-flood-flood-flood; sleep 3; echo after-the-flood; sleep 600']\n");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(states()[project() + "-app-1"], "running");
  auto ps = berth({"ps"});
  EXPECT_TRUE(contains(ps.out, "Up")) << ps.out;
  // Still flooding, and the exec path (through the shim's event loop) answers.
  auto ex = berth_bounded(10, {"exec", "app", "echo", "alive"});
  EXPECT_EQ(ex.exit_code, 0) << ex.err;
  EXPECT_TRUE(contains(ex.out, "alive"));
  // Room again once the flood is over (3 s), before "after-the-flood" (6 s).
  std::this_thread::sleep_until(started + std::chrono::milliseconds(4500));
  ASSERT_TRUE(small.grow(64)) << std::strerror(errno);
  std::string tail;
  for (int i = 0; i < 100 && !contains(tail, "after-the-flood"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    tail = berth({"logs", "--tail", "2", "--no-log-prefix"}).out;
  }
  EXPECT_TRUE(contains(tail, "after-the-flood")) << tail;
  // The drops are reported in the log when a write works again (pages freed by other files of
  // the run dir may let some through while it is full, so not necessarily just before the end).
  std::string all = berth({"logs", "--no-log-prefix"}).err;  // a stderr entry, printed on stderr
  size_t report = all.find("log lines dropped (write log file");
  ASSERT_NE(report, std::string::npos) << all.substr(0, 300);
  EXPECT_TRUE(contains(all.substr(report, 300), "No space left on device")) << all.substr(report, 300);
  // The count is where a user looks: ps --format json, and a warning from `logs` (state.json is
  // saved again within a second once the disk has room).
  uint64_t dropped = 0;
  for (int i = 0; i < 50 && dropped == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto ps = berth({"ps", "-a", "--format", "json"});
    auto j = nlohmann::json::parse(ps.out.substr(0, ps.out.find('\n')), nullptr, false);
    if (j.is_object()) dropped = j.value("LogLinesDropped", uint64_t{0});
  }
  EXPECT_GT(dropped, 0u);
  auto warned = berth({"logs", "--tail", "1"});
  EXPECT_TRUE(contains(warned.err, "\"" + project() + "-app-1\": ")) << warned.err;
  EXPECT_TRUE(contains(warned.err, " log lines were dropped: its log could not be written")) << warned.err;
  EXPECT_EQ(states()[project() + "-app-1"], "running");
  ASSERT_EQ(berth({"down", "-t", "1"}).exit_code, 0);
}

}  // namespace berth::test
