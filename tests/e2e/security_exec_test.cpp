// Issue 10, item 2: a process in the container must not be able to seize the processes berth-shim
// forks into it (exec and healthcheck children), read the host's berth-shim through their
// /proc/PID/exe, or take the shim's fds from them; nor reach the host's berth-init through
// /proc/1/exe of an `init: true` container.
// The attacker is `probe race` (tests/probe/race.cpp), bind-mounted read-only into a busybox
// container and started with `berth exec`: for 8 s it races ns_last_pid while the test runs
// `berth exec` over and over and a 1 s healthcheck probes. It must have caught children before
// their execve (early_seen > 0), so no test passes because the race was simply lost.
// With Docker's default capabilities the children are not ptraceable at all (non-dumpable);
// with CAP_SYS_PTRACE they are, and then what it finds must be harmless: an exe that is a sealed
// memfd (not writable), and fds that are the child's own (stdio, its sync socket), none of the
// shim's (control socket, log, event loop, the container's output pipes).
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "engine_fixture.hpp"

using berth::test::CommandResult;
using berth::test::EngineFixture;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

/// The `target` service: sleeps, probes `true` every second, has the probe at /probe (read-only).
std::string compose_with(const std::string& extra) {
#ifdef BERTH_PROBE
  return std::string(R"(services:
  target:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      timeout: 5s
    volumes:
      - )") +
         BERTH_PROBE + R"(:/probe:ro
    stop_grace_period: 1s
)" + extra;
#else
  return extra;
#endif
}

/// Targets of every fd of `pid` (readlink of /proc/PID/fd/*).
std::set<std::string> fd_targets(int pid) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code link_ec;
    auto target = fs::read_symlink(e.path(), link_ec);
    if (!link_ec) out.insert(target.string());
  }
  return out;
}

}  // namespace

class SecurityExec : public EngineFixture {
 protected:
  void SetUp() override {
#ifndef BERTH_PROBE
    GTEST_SKIP() << "BERTH_PROBE (tests/probe) is not built";
#else
    EngineFixture::SetUp();
#endif
  }

  std::string state_dir() { return run() + "/containers/" + container_ids()[project() + "-target-1"]; }

  int shim_pid() {
    std::ifstream in(state_dir() + "/shim.pid");
    int pid = 0;
    in >> pid;
    return pid;
  }

  /// The shim's long-lived fds: what three snapshots 400 ms apart have in common (a probe's or
  /// an exec's pipe, which its child legitimately holds too, lives in one at most).
  std::set<std::string> stable_shim_fds() {
    std::set<std::string> common = fd_targets(shim_pid());
    for (int i = 0; i < 2; ++i) {
      std::this_thread::sleep_for(400ms);
      std::set<std::string> next = fd_targets(shim_pid()), both;
      for (const auto& t : common)
        if (next.count(t)) both.insert(t);
      common = both;
    }
    common.erase("/dev/null");  // a child's stdin may be /dev/null as well
    return common;
  }

  /// Runs the racer for 8 s while `berth exec` runs 8 times; the racer's JSON report.
  nlohmann::json race() {
    const auto argv = bounded_argv(60, {"exec", "-T", "target", "/probe", "race", "8"});
    const auto env = berth_env();
    auto racer = std::async(std::launch::async, [&] { return berth::test::run_command(argv, dir(), env); });
    std::this_thread::sleep_for(1s);  // the racer's own exec child has exec'd by now
    for (int i = 0; i < 8; ++i) {
      auto r = berth_bounded(30, {"exec", "-T", "target", "true"});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      std::this_thread::sleep_for(300ms);
    }
    CommandResult r = racer.get();
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto report = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(report.is_object()) << r.out << r.err;
    if (!report.is_object()) return nlohmann::json::object();
    // Not vacuous: children were seen, and caught before their execve.
    EXPECT_GT(report.value("pids_seen", 0), 0) << r.out;
    EXPECT_GT(report.value("early_seen", 0), 0) << r.out;
    return report;
  }
};

TEST_F(SecurityExec, DefaultCapabilitiesCannotTouchExecOrHealthcheckChildren) {
  write_compose(compose_with(""));
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  nlohmann::json report = race();
  const std::string text = report.dump();
  EXPECT_EQ(report.value("seized", -1), 0) << text;
  EXPECT_EQ(report.value("exe_opened", -1), 0) << text;
  EXPECT_EQ(report.value("exe_written", -1), 0) << text;
  EXPECT_EQ(report.value("exe_foreign", nlohmann::json::array()).size(), 0u) << text;
  EXPECT_EQ(report.value("fd_lists", -1), 0) << text;
}

TEST_F(SecurityExec, WithSysPtraceChildrenShowASealedCopyAndNoShimFd) {
  write_compose(compose_with("    cap_add: [SYS_PTRACE]\n"));
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  nlohmann::json report = race();
  const std::string text = report.dump();
  // CAP_SYS_PTRACE overrides non-dumpable: it may look, but only at a sealed anonymous copy.
  const auto exes = report.value("exe_foreign", nlohmann::json::array());
  EXPECT_FALSE(exes.empty()) << text;
  for (const auto& exe : exes) EXPECT_TRUE(starts_with(exe.get<std::string>(), "/memfd:berth-shim")) << text;
  EXPECT_EQ(report.value("exe_host_opened", -1), 0) << text;
  EXPECT_EQ(report.value("exe_written", -1), 0) << text;
  EXPECT_GT(report.value("fd_lists", 0), 0) << text;

  const std::set<std::string> shim_fds = stable_shim_fds();
  EXPECT_FALSE(shim_fds.empty());
  for (const auto& fd : report.value("fds_seen", nlohmann::json::array())) {
    const std::string target = fd.get<std::string>();
    EXPECT_EQ(shim_fds.count(target), 0u) << "the shim's fd " << target << " was open in a child: " << text;
    for (const char* part : {"container.log", "shim.log", "control.sock", "eventpoll", "state.json"})
      EXPECT_EQ(target.find(part), std::string::npos) << target << ": " << text;
  }
}

TEST_F(SecurityExec, InitAndShimRunFromSealedCopies) {
  write_compose(compose_with("    init: true\n"));
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;

  auto exe = berth({"exec", "-T", "target", "/probe", "readlink", "/proc/1/exe"});
  ASSERT_EQ(exe.exit_code, 0) << exe.out << exe.err;
  EXPECT_TRUE(starts_with(exe.out, "/memfd:berth-init")) << exe.out;
  auto write = berth({"exec", "-T", "target", "/probe", "write", "/proc/1/exe", "x"});
  EXPECT_TRUE(starts_with(write.out, "ERROR")) << write.out << write.err;
  auto dev = berth({"exec", "-T", "target", "/probe", "ls", "/dev"});
  EXPECT_EQ(dev.out.find("berth-init"), std::string::npos) << dev.out;
  // berth-init still runs the command as its child.
  auto cmdline = berth({"exec", "-T", "target", "cat", "/proc/1/cmdline"});
  EXPECT_NE(cmdline.out.find("sleep"), std::string::npos) << cmdline.out;

  std::error_code ec;
  auto shim_exe = fs::read_symlink("/proc/" + std::to_string(shim_pid()) + "/exe", ec);
  EXPECT_TRUE(starts_with(shim_exe.string(), "/memfd:berth-shim")) << shim_exe;

  // `berth run`: the same shim, the same sealed berth-init.
  auto run = berth_bounded(60, {"run", "--rm", "-T", "target", "/probe", "readlink", "/proc/1/exe"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(starts_with(run.out, "/memfd:berth-init")) << run.out << run.err;
}
