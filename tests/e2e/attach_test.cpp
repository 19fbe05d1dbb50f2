// Interactive containers end to end, as root, with the fixture's busybox image: `run` with our
// stdin piped in (no terminal) and with a real pseudo-terminal (keystrokes, window size, exit
// code, --rm), and `attach` to a running `stdin_open` service. Every berth runs under
// timeout(1) and every read has a deadline, so a hang fails the test instead of the suite.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "engine_fixture.hpp"
#include "support/text.hpp"

using berth::test::CommandResult;
using berth::test::EngineFixture;
using namespace std::chrono_literals;

namespace {

using berth::test::contains;

}  // namespace

class Attach : public EngineFixture {
 protected:
  /// Runs berth on a new pseudo-terminal of `rows` x `cols`: writes `keys` once `prompt` was
  /// seen, reads until the terminal closes (30 s at most). Returns the exit code and output.
  CommandResult berth_on_terminal(const std::vector<std::string>& args, const std::string& prompt,
                                  const std::string& keys) {
    std::vector<std::string> argv = bounded_argv(60, args);
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : berth_env()) env_strings.push_back(k + "=" + v);
    env_strings.push_back("TERM=xterm");
    std::vector<char*> cargv, cenv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    for (auto& e : env_strings) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    const std::string cwd = dir();

    winsize ws{30, 100, 0, 0};
    int master = -1;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
    if (pid == 0) {
      if (::chdir(cwd.c_str()) == 0) ::execve(cargv[0], cargv.data(), cenv.data());
      ::_exit(127);
    }
    CommandResult r;
    if (pid < 0) return r;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    bool sent = false;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;  // EIO: every holder of the terminal is gone
      r.out.append(buf, static_cast<size_t>(n));
      if (!sent && contains(r.out, prompt)) {
        sent = ::write(master, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size());
      }
    }
    ::close(master);
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == 0) {  // still there after the deadline
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    remember();
    return r;
  }

  void SetUp() override {
    if (auto missing = berth::test::engine_e2e_missing(); !missing.empty()) GTEST_SKIP() << missing;
    EngineFixture::SetUp();
    write_compose(R"(services:
  box:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    stop_grace_period: 1s
  asker:
    image: busybox:e2e
    network_mode: none
    stdin_open: true
    command: ["sh", "-c", "read a; read b; echo got:$$a:$$b; exit 4"]
    stop_grace_period: 1s
)");
  }
};

TEST_F(Attach, RunPipesOurStdinToTheContainer) {
  auto r = berth_bounded(60, {"run", "--rm", "-T", "box", "sh", "-c", "cat; echo done"}, "first\nsecond\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "first\nsecond\ndone\n");

  std::string big(1 << 20, 'x');  // more than any pipe holds: the copy must keep flowing both ways
  auto counted = berth_bounded(60, {"run", "--rm", "-T", "box", "wc", "-c"}, big);
  EXPECT_EQ(counted.exit_code, 0) << counted.err;
  EXPECT_TRUE(contains(counted.out, "1048576")) << counted.out;

  // -i=false: the container reads EOF at once, whatever we have on stdin.
  auto closed =
      berth_bounded(60, {"run", "--rm", "-T", "--interactive=false", "box", "sh", "-c", "cat; echo eof"}, "ignored\n");
  EXPECT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_EQ(closed.out, "eof\n");
  for (const auto& [name, id] : container_ids()) EXPECT_FALSE(contains(name, "-run-")) << name << " was not removed";
}

TEST_F(Attach, RunOnATerminalIsInteractive) {
  auto r = berth_on_terminal({"run", "--rm", "box", "sh"}, "# ", "echo hi-$((6*7)); stty size; exit 5\r");
  EXPECT_EQ(r.exit_code, 5) << r.out;
  EXPECT_TRUE(contains(r.out, "hi-42\r\n")) << r.out;   // typed, run by the container's shell
  EXPECT_TRUE(contains(r.out, "30 100\r\n")) << r.out;  // our terminal's size from the start
  for (const auto& [name, id] : container_ids()) EXPECT_FALSE(contains(name, "-run-")) << name << " was not removed";
}

TEST_F(Attach, DetachKeysLeaveTheContainerRunning) {
  auto r = berth_on_terminal({"run", "box", "sh"}, "# ", "echo typed\r\x10\x11");  // Ctrl+P Ctrl+Q
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "Detached from " + project() + "-box-run-")) << r.out;
  auto ps = berth_bounded(30, {"ps", "-a", "--format", "json", "box"});
  EXPECT_TRUE(contains(ps.out, "-box-run-")) << ps.out;
  EXPECT_TRUE(contains(ps.out, "\"State\":\"running\"")) << ps.out;
  // What was typed before the detach keys reached the shell: its echo is in the log.
  std::string id;
  for (const auto& [name, cid] : container_ids())
    if (contains(name, "-box-run-")) id = cid;
  ASSERT_FALSE(id.empty());
  std::string log;
  for (int i = 0; i < 50 && !contains(log, R"({"log":"typed\r\n")"); ++i) {
    std::this_thread::sleep_for(100ms);
    log = berth::test::read_bytes(root() + "/containers/" + id + "/container.log");
  }
  EXPECT_TRUE(contains(log, R"({"log":"typed\r\n")")) << log;  // the shell ran it
}

TEST_F(Attach, AttachToARunningStdinOpenService) {
  auto up = berth_bounded(60, {"up", "-d", "asker"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto r = berth_bounded(60, {"attach", "asker"}, "one\ntwo\n");
  EXPECT_EQ(r.exit_code, 4) << r.err;  // the container's exit code
  EXPECT_EQ(r.out, "got:one:two\n");
  auto logs = berth_bounded(30, {"logs", "--no-log-prefix", "asker"});
  EXPECT_EQ(logs.out, "got:one:two\n");

  auto stopped = berth_bounded(30, {"attach", "asker"});  // it has exited: nothing to attach to
  EXPECT_NE(stopped.exit_code, 0);
  EXPECT_TRUE(contains(stopped.err, "not running")) << stopped.err;
}
