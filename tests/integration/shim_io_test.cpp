// berth-shim's I/O with real containers: a 100 MB output burst logged without losing or
// mangling a line, Docker's 16 KiB split, tty mode, exec (attached with passed fds, detached,
// tty, env/cwd/user, errors), healthchecks (healthy, unhealthy, timeout) and `init: true`
// (berth-init as PID 1 reaping zombies and forwarding SIGTERM).
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "shim_harness.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using ShimIo = ShimTest;

json health_of(const ShimContainer& c) { return c.call({{"op", "health"}}).body["health"]; }

TEST_F(ShimIo, HundredMegabyteBurstLosesNoLine) {
  const std::string a(99, 'A'), e(99, 'E');
  // 1,000,000 lines of 100 bytes on stdout (100 MB) while 200,000 go to stderr, then a line
  // longer than Docker's 16 KiB buffer.
  auto b = bundle({"sh", "-c",
                   "yes " + e + " | head -n 200000 >&2 & yes " + a +
                       " | head -n 1000000; wait; head -c 40000 /dev/zero | tr '\\0' x; echo"});
  ShimContainer& c = start(b);
  auto r = c.call({{"op", "wait"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.body["exit_code"], 0);

  std::ifstream in(c.log_path());
  size_t out_lines = 0, err_lines = 0, out_bytes = 0, bad = 0;
  std::vector<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    const std::string head = "{\"log\":\"";
    auto end = line.find("\",\"stream\":\"");
    if (line.rfind(head, 0) != 0 || end == std::string::npos) {
      ++bad;
      continue;
    }
    std::string log = line.substr(head.size(), end - head.size());
    std::string stream = line.substr(end + 12, 6);
    if (stream == "stderr") {
      ++err_lines;
      bad += log != e + "\\n";
    } else if (log == a + "\\n") {
      ++out_lines;
      out_bytes += 100;
    } else {
      tail.push_back(log);
    }
  }
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(out_lines, 1'000'000u);
  EXPECT_EQ(out_bytes, 100'000'000u);
  EXPECT_EQ(err_lines, 200'000u);
  ASSERT_EQ(tail.size(), 3u);  // 40000 x's: 16384 + 16384 (partial, no newline) + 7232 + "\n"
  EXPECT_EQ(tail[0], std::string(16384, 'x'));
  EXPECT_EQ(tail[1], std::string(16384, 'x'));
  EXPECT_EQ(tail[2], std::string(40000 - 2 * 16384, 'x') + "\\n");
}

TEST_F(ShimIo, TtyModeLogsThePtyAsStdout) {
  auto b = bundle({"sh", "-c", "test -t 0 && test -t 1 && echo is-a-tty; echo err >&2; exit 2"});
  b.terminal = true;
  ShimContainer& c = start(b);
  EXPECT_EQ(c.call({{"op", "wait"}}).body["exit_code"], 2);
  std::string all;
  for (const auto& l : c.log_lines()) {
    EXPECT_EQ(l["stream"], "stdout");
    all += l["log"].get<std::string>();
  }
  EXPECT_EQ(all, "is-a-tty\r\nerr\r\n");  // the pty's default onlcr, as in Docker's tty logs

  // `resize` sets the window size the container sees.
  auto sized = bundle({"sh", "-c", "sleep 0.5; stty size"});
  sized.terminal = true;
  ShimContainer& s = start(sized);
  ASSERT_TRUE(s.call({{"op", "resize"}, {"rows", 33}, {"cols", 101}}).ok());
  EXPECT_EQ(s.call({{"op", "wait"}}).body["exit_code"], 0);
  ASSERT_EQ(s.log_lines().size(), 1u);
  EXPECT_EQ(s.log_lines()[0]["log"], "33 101\r\n");
  auto plain = bundle({"sleep", "1000"});
  EXPECT_FALSE(start(plain).call({{"op", "resize"}, {"rows", 1}, {"cols", 1}}).ok());  // no terminal
}

TEST_F(ShimIo, ExecAttachedDetachedAndTty) {
  auto b = bundle({"sleep", "1000"});
  ShimContainer& c = start(b);

  auto r = c.call({{"op", "exec"},
                   {"args", {"sh", "-c", "read line; echo \"out:$line:$FOO:$(pwd):$(id -u)\"; echo err >&2; exit 7"}},
                   {"env", {"FOO=bar"}},
                   {"cwd", "/tmp"},
                   {"user", "app"}});
  ASSERT_TRUE(r.ok()) << r.body;
  EXPECT_EQ(r.body["fds"], json({"stdin", "stdout", "stderr"}));
  ASSERT_EQ(r.fds.size(), 3u);
  ASSERT_EQ(::write(r.fds[0].get(), "hi\n", 3), 3);
  r.fds[0].reset();
  EXPECT_EQ(read_to_eof(r.fds[1].get()), "out:hi:bar:/tmp:1000\n");
  EXPECT_EQ(read_to_eof(r.fds[2].get()), "err\n");
  auto w = c.call({{"op", "exec-wait"}, {"exec_id", r.body["exec_id"]}});
  ASSERT_TRUE(w.ok()) << w.body;
  EXPECT_EQ(w.body["exit_code"], 7);
  EXPECT_FALSE(c.call({{"op", "exec-wait"}, {"exec_id", r.body["exec_id"]}}).ok());  // reported once

  auto d = c.call({{"op", "exec"}, {"args", {"sh", "-c", "echo made > /tmp/detached"}}, {"detach", true}});
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d.fds.empty());
  EXPECT_EQ(c.call({{"op", "exec-wait"}, {"exec_id", d.body["exec_id"]}}).body["exit_code"], 0);
  std::ifstream made(fx->rootfs() + "/tmp/detached");
  std::string text;
  std::getline(made, text);
  EXPECT_EQ(text, "made");

  auto t = c.call({{"op", "exec"}, {"args", {"sh", "-c", "tty; exit 4"}}, {"tty", true}});
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t.fds.size(), 1u);
  EXPECT_EQ(t.body["fds"], json({"pty"}));
  std::string out = read_to_eof(t.fds[0].get());  // EIO once the process is gone ends the read
  EXPECT_EQ(out.substr(0, 9), "/dev/pts/") << out;
  EXPECT_EQ(c.call({{"op", "exec-wait"}, {"exec_id", t.body["exec_id"]}}).body["exit_code"], 4);

  auto missing = c.call({{"op", "exec"}, {"args", {"no-such-command"}}});
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.body["exit_code"], 127);
  EXPECT_NE(missing.error().find("no-such-command"), std::string::npos);
  EXPECT_FALSE(c.call({{"op", "exec"}}).ok());  // args are required
  EXPECT_FALSE(c.call({{"op", "exec-wait"}, {"exec_id", "999"}}).ok());
}

TEST_F(ShimIo, HealthcheckBecomesHealthyThenUnhealthy) {
  auto b = bundle({"sh", "-c", "sleep 0.5; touch /tmp/ok; exec sleep 1000"});
  b.annotations["org.berth.healthcheck"] = json({{"test", {"CMD-SHELL", "test -f /tmp/ok && echo fine"}},
                                                 {"interval_ns", 200'000'000},
                                                 {"timeout_ns", 2'000'000'000},
                                                 {"retries", 2},
                                                 {"start_period_ns", 10'000'000'000},
                                                 {"start_interval_ns", 100'000'000}})
                                               .dump();
  ShimContainer& c = start(b);
  EXPECT_EQ(health_of(c)["status"], "starting");
  // Failures inside the start period don't count: starting, then healthy once the file exists.
  ASSERT_TRUE(eventually([&] { return health_of(c)["status"] == "healthy"; })) << health_of(c);
  json h = health_of(c);
  EXPECT_EQ(h["failing_streak"], 0);
  EXPECT_EQ(h["log"].back()["output"], "fine\n");
  EXPECT_EQ(h["log"].back()["exit_code"], 0);
  EXPECT_LE(h["log"].size(), 5u);
  EXPECT_EQ(c.state().health->status, "healthy");  // state.json carries it too

  auto rm = c.call({{"op", "exec"}, {"args", {"rm", "/tmp/ok"}}, {"detach", true}});
  ASSERT_TRUE(rm.ok());
  // Once healthy, failures count even inside the start period: 2 retries -> unhealthy.
  ASSERT_TRUE(eventually([&] { return health_of(c)["status"] == "unhealthy"; })) << health_of(c);
  h = health_of(c);
  EXPECT_GE(h["failing_streak"], 2);
  EXPECT_EQ(h["log"].back()["exit_code"], 1);
  EXPECT_TRUE(eventually([&] { return health_of(c)["log"].size() == 5u; }));
}

TEST_F(ShimIo, HealthcheckTimeoutKillsTheProbe) {
  auto b = bundle({"sleep", "1000"});
  b.annotations["org.berth.healthcheck"] =
      json(
          {{"test", {"CMD", "sleep", "30"}}, {"interval_ns", 100'000'000}, {"timeout_ns", 300'000'000}, {"retries", 1}})
          .dump();
  ShimContainer& c = start(b);
  ASSERT_TRUE(eventually([&] { return health_of(c)["status"] == "unhealthy"; })) << health_of(c);
  json last = health_of(c)["log"].back();
  EXPECT_EQ(last["exit_code"], -1);
  EXPECT_EQ(last["output"], "Health check exceeded timeout (300ms)");

  auto none = bundle({"sleep", "1000"});
  none.annotations["org.berth.healthcheck"] = json({{"test", {"NONE"}}}).dump();
  ShimContainer& n = start(none);
  EXPECT_FALSE(n.call({{"op", "health"}}).ok());
  EXPECT_FALSE(n.state().health.has_value());
}

TEST_F(ShimIo, InitReapsZombiesAndForwardsSignals) {
  auto b = bundle({"sh", "-c",
                   "trap 'exit 7' TERM; for i in 1 2 3 4; do (sleep 0.1 &); done; "
                   "while :; do sleep 0.1; done"});
  b.annotations["org.berth.init"] = "true";
  ShimContainer& c = start(b);
  std::this_thread::sleep_for(800ms);  // the orphaned sleeps have exited and were re-parented
  auto r = c.call(
      {{"op", "exec"}, {"args", {"sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; cat /proc/[0-9]*/stat"}}});
  ASSERT_TRUE(r.ok()) << r.body;
  r.fds[0].reset();
  std::string out = read_to_eof(r.fds[1].get());
  EXPECT_EQ(out.substr(0, out.find('\n')), "/dev/berth-init -- sh -c " + b.args[2] + " ");
  size_t zombies = 0, processes = 0;
  for (size_t pos = out.find('\n'); pos != std::string::npos && pos + 1 < out.size(); pos = out.find('\n', pos + 1)) {
    ++processes;
    auto close = out.find(") ", pos);
    if (close != std::string::npos && out[close + 2] == 'Z') ++zombies;
  }
  EXPECT_GE(processes, 3u);  // init, sh, the exec'd shell...
  EXPECT_EQ(zombies, 0u) << out;
  // SIGTERM reaches the shell through berth-init; the exit code comes back through it.
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c.call({{"op", "stop"}, {"timeout", 10}}).body["exit_code"], 7);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

}  // namespace
}  // namespace berth::testing
