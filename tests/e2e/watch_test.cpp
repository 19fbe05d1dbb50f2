// `berth watch` and `up --watch` end to end: `berth watch` runs as a child process this test
// owns (its pid only is signalled), its output goes to a file the test reads. Covered: sync of
// an edit, a new directory and a deletion, owned by the container's user; an ignored file that
// stays out; a container's symlinks at and above the target that must not lead a sync onto the
// host; sync+exec; rebuild recreating the container from the new image; the errors for a
// project without develop.watch; SIGTERM ending watch cleanly (exit 0, no process left).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "e2e/engine_fixture.hpp"
#include "support/files.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// Polls `done` every 100 ms for at most `limit`.
bool eventually(const std::function<bool()>& done, std::chrono::seconds limit) {
  for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

class Watch : public EngineFixture {
 protected:
  void TearDown() override {
    stop_child(SIGKILL);
    EngineFixture::TearDown();
  }

  void file(const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(dir() + "/" + rel).parent_path());
    write_bytes(dir() + "/" + rel, text);
  }

  /// Starts `berth <args>` (e.g. watch) in the project dir; stdout+stderr go to a file.
  void start_child(const std::vector<std::string>& args) {
    m_output = dir() + "/../watch.out";
    std::vector<std::string> argv = {BERTH_BINARY, "--root", root(), "-p", project(), "--progress", "plain"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    auto env = berth_env();
    std::vector<std::string> env_text;
    for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
    std::vector<char*> cenv;
    for (auto& e : env_text) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    m_pid = ::fork();
    ASSERT_GE(m_pid, 0);
    if (m_pid == 0) {
      const int fd = ::open(m_output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || ::chdir(dir().c_str()) != 0) ::_exit(126);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
      ::execve(cargv[0], cargv.data(), cenv.data());
      ::_exit(127);
    }
  }

  std::string output() const { return m_output.empty() ? "" : read_bytes(m_output); }

  /// Waits (bounded) for `text` in the child's output.
  bool wait_output(const std::string& text, std::chrono::seconds limit = 120s) {
    return eventually([&] { return contains(output(), text); }, limit);
  }

  /// Sends `sig` to the child and reaps it (SIGKILL after 15 s); returns its wait status.
  int stop_child(int sig) {
    if (m_pid <= 0) return -1;
    ::kill(m_pid, sig);
    int status = -1;
    bool reaped = eventually([&] { return ::waitpid(m_pid, &status, WNOHANG) == m_pid; }, 15s);
    if (!reaped) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, &status, 0);
    }
    m_pid = -1;
    remember();
    return reaped ? status : -1;
  }

  /// `exec -T app sh -c script` → stdout.
  std::string in_app(const std::string& script) {
    auto r = berth_bounded(30, {"exec", "-T", "app", "sh", "-c", script});
    return r.out;
  }

  /// Processes whose command line names this test's root and `watch` (none once it ended).
  std::vector<std::string> processes_of_this_watch() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator("/proc")) {
      const std::string name = e.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string cmdline;
      try {
        cmdline = read_bytes(e.path().string() + "/cmdline");
      } catch (const std::exception&) {
        continue;
      }
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      if (contains(cmdline, root()) && contains(cmdline, " watch")) out.push_back(name + ": " + cmdline);
    }
    return out;
  }

  pid_t m_pid = -1;
  std::string m_output;
};

TEST_F(Watch, SyncCopiesEditsNewDirectoriesAndDeletionsAsTheContainerUserButNotIgnoredFiles) {
  write_compose(R"(services:
  app:
    image: busybox:e2e
    network_mode: none
    user: "1234:1234"
    command: ["sleep", "300"]
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app
          ignore: ["*.tmp"]
)");
  file("src/keep.txt", "old\n");
  start_child({"watch"});
  ASSERT_TRUE(wait_output("Watch enabled")) << output();

  file("src/a.txt", "one\n");
  ASSERT_TRUE(eventually([&] { return in_app("cat /app/a.txt") == "one\n"; }, 30s)) << output();
  EXPECT_EQ(in_app("stat -c %u:%g /app/a.txt"), "1234:1234\n");
  EXPECT_TRUE(contains(output(), "Syncing service \"app\" after 1 changes were detected")) << output();

  file("src/skip.tmp", "no\n");
  file("src/sub/b.txt", "two\n");
  ASSERT_TRUE(eventually([&] { return in_app("cat /app/sub/b.txt") == "two\n"; }, 30s)) << output();
  EXPECT_EQ(in_app("test -e /app/skip.tmp && echo there || echo absent"), "absent\n");
  EXPECT_EQ(in_app("test -e /app/keep.txt && echo there || echo absent"), "absent\n");  // no initial_sync

  fs::remove(dir() + "/src/a.txt");
  EXPECT_TRUE(eventually([&] { return in_app("test -e /app/a.txt && echo there || echo absent") == "absent\n"; }, 30s))
      << output();

  const pid_t watch_pid = m_pid;
  EXPECT_FALSE(processes_of_this_watch().empty());  // the check below sees a running watch
  const int status = stop_child(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << "\n" << output();
  EXPECT_EQ(processes_of_this_watch(), std::vector<std::string>{}) << "watch pid was " << watch_pid;
  EXPECT_EQ(states()[project() + "-app-1"], "running");  // watch leaves the containers as they are
}

TEST_F(Watch, InitialSyncAndSyncExecRunTheCommandAfterTheCopy) {
  write_compose(R"(services:
  app:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    develop:
      watch:
        - path: ./static
          action: sync
          target: /srv
          initial_sync: true
        - path: ./conf
          action: sync+exec
          target: /etc/app
          exec:
            command: sh -c 'cat /etc/app/value > /tmp/reloaded; echo "$$MODE" >> /tmp/reloaded'
            environment:
              MODE: reload
)");
  file("static/index.html", "hello\n");
  file("static/Dockerfile", "not synced initially\n");
  file("conf/value", "first\n");
  auto up = berth_bounded(120, {"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  start_child({"watch", "--no-up"});
  ASSERT_TRUE(wait_output("Watch enabled")) << output();
  // initial_sync (sync actions only, as docker compose): copied before "Watch enabled"
  EXPECT_EQ(in_app("cat /srv/index.html"), "hello\n");
  EXPECT_EQ(in_app("test -e /srv/Dockerfile && echo there || echo absent"), "absent\n");
  EXPECT_EQ(in_app("test -e /etc/app/value && echo there || echo absent"), "absent\n");

  file("conf/value", "second\n");
  EXPECT_TRUE(eventually([&] { return in_app("cat /tmp/reloaded 2>/dev/null") == "second\nreload\n"; }, 30s))
      << output();
  EXPECT_EQ(stop_child(SIGINT) >> 8, 0) << output();
}

TEST_F(Watch, AContainerSymlinkAtOrAboveTheTargetCannotLeadASyncOntoTheHost) {
  const std::string host_dir = dir() + "/../hostside";
  fs::create_directories(host_dir);
  write_bytes(host_dir + "/canary", "untouched\n");
  const std::string abs_host = fs::canonical(host_dir).string();
  // In the container: /app/out -> the host directory's path, /app/up -> far too many "..",
  // /app/file.txt -> the host canary's path. Each rule syncs through one of them.
  write_compose(R"(services:
  app:
    image: busybox:e2e
    network_mode: none
    command: ["sh", "-c", "mkdir -p /app && ln -s )" +
                abs_host + R"( /app/out && ln -s )" + abs_host +
                R"(/canary /app/file.txt && ln -s ../../../../../../.. /app/up && sleep 300"]
    develop:
      watch:
        - path: ./one
          action: sync
          target: /app/out
        - path: ./two
          action: sync
          target: /app/up)" +
                abs_host + R"(
        - path: ./three
          action: sync
          target: /app
)");
  fs::create_directories(dir() + "/one");
  fs::create_directories(dir() + "/two");
  fs::create_directories(dir() + "/three");
  start_child({"watch"});
  ASSERT_TRUE(wait_output("Watch enabled")) << output();
  ASSERT_TRUE(eventually([&] { return in_app("test -L /app/up && echo yes") == "yes\n"; }, 30s));

  file("one/canary", "through the directory link\n");
  file("two/c2", "through dot-dots\n");
  file("three/file.txt", "replaced\n");
  ASSERT_TRUE(eventually([&] { return in_app("cat /app/file.txt 2>/dev/null") == "replaced\n"; }, 30s)) << output();
  EXPECT_EQ(in_app("test -L /app/file.txt && echo link || echo file"), "file\n");
  // The links resolved inside the container: what they name was made there.
  EXPECT_EQ(in_app("cat " + abs_host + "/canary"), "through the directory link\n");
  EXPECT_EQ(in_app("cat " + abs_host + "/c2"), "through dot-dots\n");
  EXPECT_EQ(read_bytes(host_dir + "/canary"), "untouched\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(host_dir), fs::directory_iterator()), 1);
  EXPECT_EQ(stop_child(SIGTERM) >> 8, 0) << output();
}

TEST_F(Watch, SyncRestartCopiesThenRestartsTheContainer) {
  write_compose(R"(services:
  app:
    image: busybox:e2e
    network_mode: none
    command: ["sh", "-c", "echo start >> /tmp/starts; exec sleep 300"]
    stop_signal: SIGKILL
    develop:
      watch:
        - path: ./src
          action: sync+restart
          target: /app
)");
  fs::create_directories(dir() + "/src");
  start_child({"watch"});
  ASSERT_TRUE(wait_output("Watch enabled")) << output();
  ASSERT_TRUE(eventually([&] { return in_app("cat /tmp/starts 2>/dev/null") == "start\n"; }, 30s));
  const std::string id = container_ids()[project() + "-app-1"];
  file("src/a.txt", "one\n");
  ASSERT_TRUE(wait_output("service(s) [\"app\"] restarted", 60s)) << output();
  EXPECT_TRUE(eventually([&] { return in_app("cat /tmp/starts 2>/dev/null") == "start\nstart\n"; }, 30s));
  EXPECT_EQ(in_app("cat /app/a.txt"), "one\n");
  EXPECT_EQ(container_ids()[project() + "-app-1"], id);  // the same container, restarted
  EXPECT_EQ(stop_child(SIGTERM) >> 8, 0) << output();
}

TEST_F(Watch, RebuildRecreatesTheContainerFromTheNewImage) {
  file("ctx/Dockerfile", "FROM busybox:e2e\nCOPY version /version\nCMD [\"sleep\", \"300\"]\n");
  file("ctx/version", "1\n");
  write_compose(R"(services:
  app:
    build: ./ctx
    network_mode: none
    develop:
      watch:
        - path: ./ctx
          action: rebuild
)");
  start_child({"watch", "--quiet"});
  ASSERT_TRUE(wait_output("Watch enabled", 300s)) << output();
  EXPECT_EQ(in_app("cat /version"), "1\n");
  const std::string first_id = container_ids()[project() + "-app-1"];

  file("ctx/version", "2\n");
  ASSERT_TRUE(wait_output("service(s) [\"app\"] successfully built", 300s)) << output();
  ASSERT_TRUE(eventually([&] { return in_app("cat /version 2>/dev/null") == "2\n"; }, 60s)) << output();
  EXPECT_NE(container_ids()[project() + "-app-1"], first_id);
  EXPECT_TRUE(contains(output(), "Rebuilding service(s) [\"app\"] after changes were detected...")) << output();
  // --prune (the default): the image the rebuild replaced is gone, not left dangling
  auto images = berth({"image", "ls"});
  EXPECT_FALSE(contains(images.out, "<none>")) << images.out;
  EXPECT_TRUE(contains(images.out, project() + "-app")) << images.out;
  EXPECT_EQ(stop_child(SIGTERM) >> 8, 0) << output();
  auto prune = berth({"builder", "prune", "-f"});
  EXPECT_EQ(prune.exit_code, 0) << prune.err;
}

TEST_F(Watch, RebuildsKeepTheGlobalParallelLimit) {
  // Two services rebuilt by one change batch under --parallel 1: their containers are recreated
  // one at a time (each one's progress lines in one run), as the first `up` made them.
  file("ctx/Dockerfile", "FROM busybox:e2e\nCOPY version /version\nCMD [\"sleep\", \"300\"]\n");
  file("ctx/version", "1\n");
  write_compose(R"(services:
  a:
    build: ./ctx
    network_mode: none
    scale: 2
    develop:
      watch:
        - path: ./ctx
          action: rebuild
  b:
    build: ./ctx
    network_mode: none
    scale: 2
    develop:
      watch:
        - path: ./ctx
          action: rebuild
)");
  start_child({"--parallel", "1", "watch", "--quiet"});
  ASSERT_TRUE(wait_output("Watch enabled", 300s)) << output();
  file("ctx/version", "2\n");
  ASSERT_TRUE(wait_output("successfully built", 300s)) << output();
  const std::string p = project();
  const std::vector<std::string> names = {p + "-a-1", p + "-a-2", p + "-b-1", p + "-b-2"};
  ASSERT_TRUE(eventually(
      [&] {
        const std::string out = output();
        const size_t built = out.find("successfully built");
        return std::all_of(names.begin(), names.end(), [&](const std::string& n) {
          const size_t started = out.rfind("Container " + n + " Started");
          return started != std::string::npos && started > built;
        });
      },
      60s))
      << output();
  const std::string after = output().substr(output().find("successfully built"));
  EXPECT_FALSE(container_lines_interleave(after, names)) << after;
  EXPECT_EQ(stop_child(SIGTERM) >> 8, 0) << output();
  EXPECT_EQ(berth({"builder", "prune", "-f"}).exit_code, 0);
}

TEST_F(Watch, ProjectsWithoutWatchRulesAreRefusedWithComposesWords) {
  write_compose(R"(services:
  app:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
)");
  auto watch = berth_bounded(60, {"watch", "--no-up"});
  EXPECT_EQ(watch.exit_code, 1);
  EXPECT_TRUE(contains(watch.err,
                       "none of the selected services is configured for watch, consider setting a "
                       "'develop' section"))
      << watch.err;
  auto up = berth_bounded(60, {"up", "--watch"});
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_TRUE(contains(up.err,
                       "none of the selected services is configured for watch, see "
                       "https://docs.docker.com/compose/how-tos/file-watch/"))
      << up.err;
  auto detach = berth_bounded(60, {"up", "-d", "--watch"});
  EXPECT_TRUE(contains(detach.err, "--detach cannot be combined with")) << detach.err;

  write_compose(R"(services:
  app:
    image: busybox:e2e
    develop:
      watch:
        - path: .
          action: rebuild
)");
  auto rebuild = berth_bounded(60, {"watch", "--no-up"});
  EXPECT_TRUE(contains(rebuild.err, "can't watch service \"app\" with action rebuild without a build context"))
      << rebuild.err;
}

TEST_F(Watch, UpWatchPrintsThroughTheLogPrefixAndSyncs) {
  write_compose(R"(services:
  app:
    image: busybox:e2e
    network_mode: none
    init: true
    command: ["sleep", "300"]
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app
)");
  start_child({"up", "--watch"});
  ASSERT_TRUE(wait_output("\xe2\xa6\xbf Watch enabled")) << output();
  ASSERT_TRUE(eventually([&] { return states()[project() + "-app-1"] == "running"; }, 60s));
  file("src/a.txt", "one\n");
  EXPECT_TRUE(eventually([&] { return in_app("cat /app/a.txt 2>/dev/null") == "one\n"; }, 30s)) << output();
  const int status = stop_child(SIGINT);
  EXPECT_TRUE(WIFEXITED(status)) << output();
  EXPECT_NE(states()[project() + "-app-1"], "running");  // attached up stops what it started
}

}  // namespace
}  // namespace berth::test
