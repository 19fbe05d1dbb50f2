// logs, exec, run, top, port, events and images end to end, as root, with the fixture's busybox
// image in a temporary root. Commands that could block (logs -f, run attached) run under
// timeout(1) so a hang fails the test instead of the suite. Every test ends with the
// fixture's `down -v` and its leftover check.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "common/unique_fd.hpp"
#include "engine_fixture.hpp"
#include "support/files.hpp"
#include "support/ports.hpp"
#include "support/text.hpp"

using berth::test::CommandResult;
using berth::test::EngineFixture;
using namespace std::chrono_literals;

namespace {

using berth::test::contains;

}  // namespace

class Commands : public EngineFixture {
 protected:
  void SetUp() override {
    if (auto missing = berth::test::engine_e2e_missing(); !missing.empty()) GTEST_SKIP() << missing;
    EngineFixture::SetUp();
  }
};

TEST_F(Commands, LogsOfAServicePrintingKnownLines) {
  write_compose(R"(services:
  talker:
    image: busybox:e2e
    network_mode: none
    # pauses: stdout and stderr reach the log through two pipes, the order across them is fixed
    # only by time
    command: ["sh", "-c", "echo one; echo two; sleep 0.3; echo three >&2; sleep 0.3; echo four"]
)");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  // -f ends by itself once the container has exited and its log is drained.
  auto follow = berth_bounded(30, {"logs", "-f", "--no-color", "talker"});
  EXPECT_EQ(follow.exit_code, 0) << follow.err;
  EXPECT_EQ(follow.out, "talker-1  | one\ntalker-1  | two\ntalker-1  | four\n");
  EXPECT_EQ(follow.err, "talker-1  | three\n");

  auto all = berth({"logs", "--no-color"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "talker-1  | one\ntalker-1  | two\ntalker-1  | four\n");

  auto tail = berth({"logs", "--no-color", "--tail", "1", "talker"});
  EXPECT_EQ(tail.out, "talker-1  | four\n");
  EXPECT_EQ(tail.err, "");
  auto tail2 = berth({"logs", "--no-color", "--tail", "2", "talker"});
  EXPECT_EQ(tail2.out, "talker-1  | four\n");
  EXPECT_EQ(tail2.err, "talker-1  | three\n");

  auto bare = berth({"logs", "--no-log-prefix", "talker"});
  EXPECT_EQ(bare.out, "one\ntwo\nfour\n");

  auto stamped = berth({"logs", "--no-color", "-t", "talker"});
  EXPECT_TRUE(
      std::regex_search(stamped.out, std::regex(R"(^talker-1  \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z one\n)")))
      << stamped.out;

  auto future = berth({"logs", "--no-color", "--since", "2099-01-01T00:00:00Z", "talker"});
  EXPECT_EQ(future.out, "");
  auto bad = berth({"logs", "--since", "whenever"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(contains(bad.err, "since")) << bad.err;
}

TEST_F(Commands, LogsFollowEndsWhenTheContainerExits) {
  write_compose(R"(services:
  slow:
    image: busybox:e2e
    network_mode: none
    command: ["sh", "-c", "echo start; sleep 2; echo end"]
)");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  auto t0 = std::chrono::steady_clock::now();
  auto follow = berth_bounded(30, {"logs", "-f", "--no-log-prefix"});
  EXPECT_EQ(follow.exit_code, 0) << follow.err;
  EXPECT_EQ(follow.out, "start\nend\n");
  EXPECT_GT(std::chrono::steady_clock::now() - t0, 1s);  // it did wait for "end"
}

TEST_F(Commands, ExecTopEvents) {
  write_compose(R"(services:
  box:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    environment:
      FROM_SERVICE: yes
    stop_grace_period: 1s
)");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);

  auto echo = berth({"exec", "-T", "box", "echo", "hello", "-n"});
  EXPECT_EQ(echo.exit_code, 0) << echo.err;
  EXPECT_EQ(echo.out, "hello -n\n");
  EXPECT_EQ(berth({"exec", "-T", "box", "sh", "-c", "exit 3"}).exit_code, 3);
  EXPECT_EQ(berth({"exec", "-T", "-e", "FOO=bar", "box", "sh", "-c", "echo $FOO $FROM_SERVICE"}).out, "bar yes\n");
  EXPECT_EQ(berth({"exec", "-T", "-w", "/tmp", "box", "pwd"}).out, "/tmp\n");
  // An absolute path: berth-shim's PATH lookup runs access(2) as the user, and the container's
  // "/" is 0700 here, so `id` alone is "not found" for uid 1000 (reported to the shim's owner).
  EXPECT_EQ(berth({"exec", "-T", "-u", "1000", "box", "/bin/id", "-u"}).out, "1000\n");
  EXPECT_EQ(berth({"exec", "-T", "box", "cat"}, {}).out, "");
  auto piped = berth_bounded(30, {"exec", "-T", "box", "cat"}, "piped input\n");
  EXPECT_EQ(piped.out, "piped input\n");
  auto missing = berth({"exec", "-T", "box", "no-such-command"});
  EXPECT_EQ(missing.exit_code, 127) << missing.err;
  EXPECT_TRUE(contains(missing.err, "no-such-command")) << missing.err;

  // With a terminal on stdin (script(1) gives it one) exec allocates a pty by default.
  std::string line =
      std::string(BERTH_BINARY) + " --root " + root() + " -p " + project() + " exec box sh -c 'tty; exit 5'";
  std::map<std::string, std::string> env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}, {"BERTH_RUN", run()}};
  auto tty = berth::test::run_command(
      {"/usr/bin/timeout", "-s", "KILL", "30", "/usr/bin/script", "-qec", line, "/dev/null"}, dir(), env);
  EXPECT_EQ(tty.exit_code, 5) << tty.out << tty.err;
  EXPECT_TRUE(contains(tty.out, "/dev/pts/")) << tty.out;
  auto no_tty = berth({"exec", "-T", "box", "sh", "-c", "tty || true"});
  EXPECT_EQ(no_tty.out, "not a tty\n");

  auto top = berth({"top", "box"});
  EXPECT_EQ(top.exit_code, 0) << top.err;
  EXPECT_TRUE(std::regex_search(top.out, std::regex("UID +PID +PPID +C +STIME +TTY +TIME +CMD"))) << top.out;
  EXPECT_TRUE(std::regex_search(top.out, std::regex(R"(\nroot +\d+ +\d+ +\d+ +\S+ +\? +\d\d:\d\d:\d\d +sleep 300\n)")))
      << top.out;
  EXPECT_TRUE(contains(top.out, project() + "-box-1\n")) << top.out;

  // events: a restart shows as die + start of the same container.
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::setenv("BERTH_RUN", run().c_str(), 1);
    std::vector<std::string> args = {BERTH_BINARY, "--root", root(), "-p", project(), "events", "--json"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::chdir(dir().c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  berth::UniqueFd events_out(out[0]);
  std::this_thread::sleep_for(1s);  // its first snapshot
  auto restart = berth({"restart", "-t", "1", "box"});
  EXPECT_EQ(restart.exit_code, 0) << restart.err;
  std::string events;
  for (auto end = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < end && !contains(events, "\"action\":\"start\"");) {
    pollfd p{events_out.get(), POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(events_out.get(), buf, sizeof buf);
    if (n <= 0) break;
    events.append(buf, static_cast<size_t>(n));
  }
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status)) << "events did not end on SIGINT";
  EXPECT_TRUE(contains(events, "\"action\":\"die\"")) << events;
  EXPECT_TRUE(contains(events, "\"action\":\"start\"")) << events;
  EXPECT_TRUE(contains(events, "\"service\":\"box\"")) << events;

  ASSERT_EQ(berth({"stop", "-t", "1"}).exit_code, 0);
  auto stopped = berth({"exec", "-T", "box", "echo", "x"});
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_TRUE(contains(stopped.err, "service \"box\" is not running")) << stopped.err;
}

TEST_F(Commands, RunEnvWithoutValueTakesTheProjectEnvironment) {
  // docker compose resolves `-e VAR` against the project environment: the shell, then .env.
  berth::test::write_bytes(dir() + "/.env", "FROM_DOTENV=dotenv\nSHADOWED=dotenv\n");
  write_compose(R"(services:
  box:
    image: busybox:e2e
    network_mode: none
    environment: [NOWHERE_SET]
)");
  auto r = berth_bounded(60, {"run", "--rm", "-T", "-e", "FROM_DOTENV", "-e", "UNSET_EVERYWHERE", "box", "sh", "-c",
                              "echo \"$FROM_DOTENV ${UNSET_EVERYWHERE-unset} ${NOWHERE_SET-unset}\""});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "dotenv unset unset\n");
}

TEST_F(Commands, StartIntervalWithoutStartPeriodIsRefusedBeforeAnythingIsCreated) {
  write_compose(R"(services:
  ok:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
  checked:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    healthcheck:
      test: ["CMD", "true"]
      start_interval: 1s
)");
  EXPECT_EQ(berth({"config", "-q"}).exit_code, 0);  // docker compose's config accepts it too
  auto up = berth({"up", "-d"});
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_TRUE(contains(up.err, "healthcheck.start_interval requires healthcheck.start_period to be set")) << up.err;
  EXPECT_TRUE(container_ids().empty());
}

TEST_F(Commands, RunOneOffContainers) {
  write_compose(R"(services:
  box:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    stop_grace_period: 1s
)");
  auto rm = berth_bounded(
      60, {"run", "--rm", "-e", "GREETING=hi", "box", "sh", "-c", "echo $GREETING; echo err >&2; exit 7"});
  EXPECT_EQ(rm.exit_code, 7) << rm.err;
  EXPECT_EQ(rm.out, "hi\n");
  EXPECT_TRUE(contains(rm.err, "err\n")) << rm.err;
  for (const auto& [name, id] : container_ids()) EXPECT_FALSE(contains(name, "-run-")) << name << " was not removed";

  auto detached = berth_bounded(60, {"run", "-d", "box", "sleep", "300"});
  ASSERT_EQ(detached.exit_code, 0) << detached.err;
  EXPECT_TRUE(std::regex_match(detached.out, std::regex(project() + "-box-run-[0-9a-f]{12}\n"))) << detached.out;
  std::string name = detached.out.substr(0, detached.out.size() - 1);
  auto ids = container_ids();
  ASSERT_TRUE(ids.count(name)) << name;
  auto state = nlohmann::json::parse(berth::test::read_bytes(root() + "/projects/" + project() + "/state.json"));
  bool oneoff = false;
  for (const auto& c : state["containers"])
    if (c.value("name", "") == name) oneoff = c.value("oneoff", false);
  EXPECT_TRUE(oneoff);

  auto exit_code = berth_bounded(60, {"run", "--rm", "--no-deps", "--entrypoint", "sh -c", "box", "exit 0"});
  EXPECT_EQ(exit_code.exit_code, 0) << exit_code.err;
}

TEST_F(Commands, PortPrintsThePublishedAddress) {
  unsigned port = berth::test::free_loopback_port();
  ASSERT_NE(port, 0u);
  write_compose(R"(services:
  web:
    image: busybox:e2e
    command: ["sleep", "300"]
    stop_grace_period: 1s
    ports:
      - "127.0.0.1:)" +
                std::to_string(port) + R"(:80"
)");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto p = berth({"port", "web", "80"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.out, "127.0.0.1:" + std::to_string(port) + "\n");
  auto none = berth({"port", "web", "81"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_TRUE(contains(none.err, "no port 81/tcp")) << none.err;
  EXPECT_NE(berth({"port", "--protocol", "udp", "web", "80"}).exit_code, 0);
}

TEST_F(Commands, ImagesListsTheProjectsImages) {
  write_compose(R"(services:
  box:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    stop_grace_period: 1s
)");
  ASSERT_EQ(berth({"up", "-d"}).exit_code, 0);
  auto images = berth({"images"});
  EXPECT_EQ(images.exit_code, 0) << images.err;
  EXPECT_TRUE(contains(images.out, "CONTAINER")) << images.out;
  EXPECT_TRUE(std::regex_search(images.out, std::regex(project() + R"(-box-1 +busybox +e2e +[0-9a-f]{12} +\S+)")))
      << images.out;
  auto quiet = berth({"images", "-q"});
  EXPECT_TRUE(std::regex_match(quiet.out, std::regex("[0-9a-f]{12}\n"))) << quiet.out;
  auto json = nlohmann::json::parse(berth({"images", "--format", "json"}).out);
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["ContainerName"], project() + "-box-1");
  EXPECT_EQ(json[0]["Repository"], "busybox");
}
