// berth-shim's lifecycle with real containers: detached start and readiness, state.json, exit
// codes, foreground runs, start errors, stop (grace period, then SIGKILL), kill, restart
// policies with their counts, pause/unpause, and a SIGKILLed shim taking its container with it.
// Each test checks in TearDown that no mount, cgroup or process is left.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <set>
#include <thread>

#include "common/atomic_file.hpp"
#include "shim_harness.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

using ShimLifecycle = ShimTest;

bool is_rfc3339_nano(const std::string& s) {
  static const std::regex re(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z)");
  return std::regex_match(s, re) && s.find("0Z") == std::string::npos;  // no trailing zeros
}

TEST_F(ShimLifecycle, StartStatusExitCodeAndLogs) {
  auto b = bundle({"sh", "-c", "echo hello; echo oops >&2; sleep 0.3; exit 3"});
  ShimContainer& c = start(b);
  ASSERT_TRUE(c.ready.value("ok", false));
  const pid_t pid = c.ready["pid"].get<pid_t>();
  EXPECT_GT(pid, 0);

  auto status = c.call({{"op", "status"}});
  ASSERT_TRUE(status.ok()) << status.body;
  EXPECT_EQ(status.body["state"]["status"], "running");
  EXPECT_EQ(status.body["state"]["pid"], pid);
  EXPECT_EQ(status.body["state"]["shim_pid"], c.shim_pid);
  EXPECT_EQ(c.state().status, "running");  // the same on disk
  EXPECT_TRUE(fs::exists(c.state_dir + "/shim.pid"));

  auto waited = c.call({{"op", "wait"}});
  ASSERT_TRUE(waited.ok());
  EXPECT_EQ(waited.body["exit_code"], 3);
  shim_protocol::State s = c.state();
  EXPECT_EQ(s.status, "exited");
  EXPECT_EQ(s.exit_code, 3);
  EXPECT_EQ(s.pid, 0);
  EXPECT_FALSE(s.oom_killed);
  EXPECT_EQ(s.restart_count, 0);
  EXPECT_TRUE(is_rfc3339_nano(s.started_at)) << s.started_at;
  EXPECT_TRUE(is_rfc3339_nano(s.finished_at)) << s.finished_at;
  EXPECT_LT(s.started_at, s.finished_at);
  EXPECT_FALSE(s.cgroup_v1.empty() && s.cgroup_v2.empty());
  for (const auto& d : s.cgroup_v1) EXPECT_FALSE(fs::exists(d)) << d;  // removed after the exit

  auto lines = c.log_lines();
  ASSERT_EQ(lines.size(), 2u);
  std::map<std::string, std::string> by_stream;
  for (const auto& l : lines) {
    by_stream[l["stream"]] = l["log"];
    EXPECT_TRUE(is_rfc3339_nano(l["time"])) << l;
  }
  EXPECT_EQ(by_stream["stdout"], "hello\n");
  EXPECT_EQ(by_stream["stderr"], "oops\n");

  // After the exit, a stop just reports the code; shutdown removes the socket and ends the shim.
  EXPECT_EQ(c.call({{"op", "stop"}}).body["exit_code"], 3);
  finish(c);
}

TEST_F(ShimLifecycle, ForegroundRunExitsWithTheContainersCode) {
  auto b = bundle({"sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 5"});
  RunResult r = run_foreground(b);
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_EQ(r.out, "to-stdout\n");
  EXPECT_EQ(r.err, "to-stderr\n");
  auto s = shim_protocol::read_state(fx->path("state-" + b.id));
  EXPECT_EQ(s.status, "exited");
  EXPECT_EQ(s.exit_code, 5);
  EXPECT_FALSE(fs::exists(fx->path("state-" + b.id + "/control.sock")));

  // Signals sent to a foreground shim go to the container, as with `runc run`.
  auto trapping = bundle({"sh", "-c", "trap 'exit 9' TERM; echo ready; while :; do sleep 0.1; done"});
  RunResult forwarded;
  std::thread runner([&] { forwarded = run_foreground(trapping); });
  const std::string state_dir = fx->path("state-" + trapping.id);
  bool running = eventually(
      [&] { return fs::exists(state_dir + "/container.log") && fs::file_size(state_dir + "/container.log") > 0; });
  if (running) ::kill(std::stoi(read_file(state_dir + "/shim.pid")), SIGTERM);
  runner.join();
  ASSERT_TRUE(running);
  EXPECT_EQ(forwarded.exit_code, 9) << forwarded.err;
  EXPECT_EQ(forwarded.out, "ready\n");
}

TEST_F(ShimLifecycle, StartErrorsAreReportedExactly) {
  auto missing = bundle({"/no/such/program"});
  RunResult fg = run_foreground(missing);
  EXPECT_EQ(fg.exit_code, 127);
  EXPECT_NE(fg.err.find("/no/such/program"), std::string::npos) << fg.err;
  EXPECT_NE(fg.err.find("No such file or directory"), std::string::npos) << fg.err;

  auto detached = bundle({"/no/such/program"});
  ShimContainer& c = start(detached, /*expect_ok=*/false);
  ASSERT_TRUE(c.ready.is_object());
  EXPECT_FALSE(c.ready.value("ok", true));
  EXPECT_NE(c.ready.value("error", "").find("exec `/no/such/program`"), std::string::npos) << c.ready;
  auto s = c.state();
  EXPECT_EQ(s.status, "exited");
  EXPECT_EQ(s.exit_code, 127);
  EXPECT_EQ(s.error, c.ready["error"]);
  EXPECT_FALSE(fs::exists(c.socket()));

  auto bad_restart = bundle({"true"});
  bad_restart.annotations["org.berth.restart"] = "sometimes";
  RunResult r = run_foreground(bad_restart);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("org.berth.restart"), std::string::npos) << r.err;
}

TEST_F(ShimLifecycle, StopWaitsTheGracePeriodThenKills) {
  // The shell ignores SIGTERM (prints and carries on): only the SIGKILL after 1 s ends it.
  auto b = bundle({"sh", "-c", "trap 'echo got-term' TERM; echo ready; while :; do sleep 0.1; done"});
  b.annotations["org.berth.stop-timeout"] = "30";
  ShimContainer& c = start(b);
  ASSERT_TRUE(eventually([&] { return c.log_lines().size() == 1; }));
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.call({{"op", "stop"}, {"timeout", 1}});  // the request's timeout wins
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r.ok()) << r.body;
  EXPECT_EQ(r.body["exit_code"], 137);
  EXPECT_GE(elapsed, 1s);
  EXPECT_LT(elapsed, 5s);
  auto lines = c.log_lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1]["log"], "got-term\n");
  EXPECT_EQ(c.state().status, "exited");
}

TEST_F(ShimLifecycle, StopEndsAGracefulContainerAtOnce) {
  auto b = bundle({"sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"});
  b.annotations["org.berth.restart"] = "always";  // stop must not restart it
  ShimContainer& c = start(b);
  std::this_thread::sleep_for(200ms);
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.call({{"op", "stop"}});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_EQ(r.body["exit_code"], 0);
  std::this_thread::sleep_for(300ms);
  auto s = c.state();
  EXPECT_EQ(s.status, "exited");
  EXPECT_EQ(s.restart_count, 0);
}

TEST_F(ShimLifecycle, KillSendsAnySignal) {
  auto b = bundle({"sh", "-c", "trap 'echo usr1' USR1; trap 'echo hup' HUP; while :; do sleep 0.1; done"});
  ShimContainer& c = start(b);
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(c.call({{"op", "kill"}, {"signal", "SIGUSR1"}}).ok());
  EXPECT_TRUE(c.call({{"op", "kill"}, {"signal", 1}}).ok());  // by number: SIGHUP
  ASSERT_TRUE(eventually([&] { return c.log_lines().size() == 2; }));
  std::set<std::string> got;  // both may be pending at once: the shell runs them in signal order
  for (const auto& l : c.log_lines()) got.insert(l["log"].get<std::string>());
  EXPECT_EQ(got, (std::set<std::string>{"usr1\n", "hup\n"}));
  auto bad = c.call({{"op", "kill"}, {"signal", "SIGNOPE"}});
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "invalid signal `SIGNOPE`");
  EXPECT_EQ(c.state().status, "running");
  EXPECT_TRUE(c.call({{"op", "kill"}, {"signal", "TERM"}}).ok());  // PID 1 traps nothing for TERM:
  std::this_thread::sleep_for(200ms);                              // ignored, as in Docker
  EXPECT_EQ(c.state().status, "running");
  EXPECT_TRUE(c.call({{"op", "kill"}}).ok());  // default SIGKILL
  EXPECT_EQ(c.call({{"op", "wait"}}).body["exit_code"], 137);
  auto late = c.call({{"op", "kill"}});
  EXPECT_FALSE(late.ok());
  EXPECT_NE(late.error().find("is not running"), std::string::npos);
}

TEST_F(ShimLifecycle, RestartOnFailureCountsRetries) {
  auto b = bundle({"sh", "-c", "echo run; exit 1"});
  b.annotations["org.berth.restart"] = "on-failure:2";
  ShimContainer& c = start(b);
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.call({{"op", "wait"}});
  ASSERT_TRUE(r.ok());
  // Two restarts after 100 ms and 200 ms of back-off.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
  EXPECT_EQ(r.body["exit_code"], 1);
  EXPECT_EQ(r.body["state"]["restart_count"], 2);
  EXPECT_EQ(c.state().restart_count, 2);
  EXPECT_EQ(c.log_lines().size(), 3u);
}

TEST_F(ShimLifecycle, KillCancelsRestartAlways) {
  auto b = bundle({"sh", "-c", "echo run; sleep 100"});
  b.annotations["org.berth.restart"] = "always";
  ShimContainer& c = start(b);
  ASSERT_TRUE(eventually([&] { return c.log_lines().size() == 1; }));
  ASSERT_TRUE(c.call({{"op", "kill"}, {"signal", "KILL"}}).ok());
  auto r = c.call({{"op", "wait"}});
  EXPECT_EQ(r.body["exit_code"], 137);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(c.state().status, "exited");
  EXPECT_EQ(c.state().restart_count, 0);
  EXPECT_EQ(c.log_lines().size(), 1u);

  // An exit of its own restarts an `always` container; the restart keeps the log.
  auto b2 = bundle({"sh", "-c", "echo run; sleep 0.2"});
  b2.annotations["org.berth.restart"] = "always";
  ShimContainer& c2 = start(b2);
  ASSERT_TRUE(eventually([&] { return c2.state().restart_count >= 2; }));
  EXPECT_TRUE(c2.call({{"op", "stop"}, {"timeout", 0}}).ok());
  EXPECT_GE(c2.log_lines().size(), 2u);
}

TEST_F(ShimLifecycle, OomKillIsRecorded) {
  // PID 1 itself grows past the 16 MiB limit (a 64 MB shell variable).
  auto b = bundle({"sh", "-c", "echo start; x=$(head -c 64000000 /dev/zero | tr '\\0' a); echo survived"});
  b.resources.memory_limit = 16 << 20;
  ShimContainer& c = start(b);
  auto r = c.call({{"op", "wait"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.body["exit_code"], 137);
  EXPECT_TRUE(r.body["state"]["oom_killed"].get<bool>()) << r.body;
  EXPECT_TRUE(c.state().oom_killed);

  auto fine = bundle({"sh", "-c", "exit 0"});
  fine.resources.memory_limit = 16 << 20;
  ShimContainer& f = start(fine);
  EXPECT_FALSE(f.call({{"op", "wait"}}).body["state"]["oom_killed"].get<bool>());
}

TEST_F(ShimLifecycle, PauseFreezesAndUnpauseThaws) {
  auto b = bundle({"sh", "-c", "i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done"});
  ShimContainer& c = start(b);
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(c.call({{"op", "pause"}}).ok());
  EXPECT_EQ(c.state().status, "paused");
  EXPECT_FALSE(c.call({{"op", "pause"}}).ok());
  auto exec = c.call({{"op", "exec"}, {"args", {"true"}}});
  EXPECT_FALSE(exec.ok());
  std::this_thread::sleep_for(100ms);
  size_t frozen = c.log_lines().size();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(c.log_lines().size(), frozen);  // nothing printed while frozen
  ASSERT_TRUE(c.call({{"op", "unpause"}}).ok());
  EXPECT_FALSE(c.call({{"op", "unpause"}}).ok());
  EXPECT_TRUE(eventually([&] { return c.log_lines().size() > frozen; }));
  EXPECT_EQ(c.state().status, "running");
  // Stopping a paused container works: it is thawed so the signal lands.
  ASSERT_TRUE(c.call({{"op", "pause"}}).ok());
  EXPECT_EQ(c.call({{"op", "stop"}, {"timeout", 1}}).body["exit_code"], 137);
}

TEST_F(ShimLifecycle, KilledShimTakesTheContainerAndLeavesCleanableState) {
  auto b = bundle({"sleep", "1000"});
  ShimContainer& c = start(b);
  const pid_t pid = c.ready["pid"].get<pid_t>();
  ASSERT_EQ(::kill(pid, 0), 0);
  ASSERT_EQ(::kill(c.shim_pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(c.shim_pid, &status, 0), c.shim_pid);
  c.shim_pid = 0;
  // PR_SET_PDEATHSIG: the container's PID 1 dies with its shim, and its pid namespace with it.
  // It re-parents to this test process (a child subreaper), which reaps it.
  EXPECT_TRUE(eventually([&] { return ::waitpid(pid, nullptr, WNOHANG) == pid || ::kill(pid, 0) != 0; }, 5s));
  // What the next berth command finds: the last state, naming the cgroups to remove.
  shim_protocol::State s = c.state();
  EXPECT_EQ(s.status, "running");
  EXPECT_EQ(s.pid, pid);
  ASSERT_FALSE(s.cgroup_v1.empty() && s.cgroup_v2.empty());
  EXPECT_THROW(c.call({{"op", "status"}}), SysError);  // a stale socket: nobody listens
  std::vector<std::string> dirs = s.cgroup_v1;
  if (!s.cgroup_v2.empty()) dirs.push_back(s.cgroup_v2);
  for (const auto& d : dirs) {  // empty now: removable without killing anything
    EXPECT_TRUE(eventually([&] { return ::rmdir(d.c_str()) == 0 || errno == ENOENT; }, 5s)) << d;
    // The shared `berth` parent too, as destroy_cgroups() would (it stays while another test uses it).
    ::rmdir(fs::path(d).parent_path().c_str());
  }
  fs::remove(c.socket());
}

}  // namespace
}  // namespace berth::testing
