// Both ends of a readiness line: berth::spawn_ready (the caller: spawn, read the pipe to EOF,
// reap) and berth::daemonize (the helper: double fork into its own session). The daemon side
// runs in this test process: the branch that returns in the daemon writes what it observed to
// the readiness pipe and _exits at once.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/daemonize.hpp"
#include "common/spawn_ready.hpp"
#include "common/sys_error.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

/// An executable shell script named `name` in `dir`.
std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
  std::string p = dir / name;
  std::ofstream(p) << "#!/bin/sh\n" << body;
  fs::permissions(p, fs::perms::owner_all);
  return p;
}

TEST(CommonSpawnReady, ReadsTheReadinessLineAndReaps) {
  TempDir t;
  auto bin = script(t, "helper", "echo $$\necho second line\n");
  auto out = spawn_ready("helper", {bin});
  const pid_t pid = std::stoi(out.first_line());
  EXPECT_EQ(out.output, std::to_string(pid) + "\nsecond line\n");
  ASSERT_TRUE(WIFEXITED(out.status));
  EXPECT_EQ(WEXITSTATUS(out.status), 0);
  EXPECT_EQ(::kill(pid, 0), -1);  // reaped: not even a zombie is left
  EXPECT_EQ(errno, ESRCH);
}

TEST(CommonSpawnReady, PassesArgumentsAndStdinIsDevNull) {
  TempDir t;
  auto bin = script(t, "args", "echo \"$1|$2\"\nreadlink /proc/self/fd/0\n");
  auto out = spawn_ready("args", {bin, "a b", ""});
  EXPECT_EQ(out.output, "a b|\n/dev/null\n");
}

TEST(CommonSpawnReady, ExitWithoutALineIsEmptyOutputWithStatus) {
  TempDir t;
  auto bin = script(t, "silent", "exit 3\n");
  auto out = spawn_ready("silent", {bin});
  EXPECT_EQ(out.output, "");
  EXPECT_EQ(out.first_line(), "");
  ASSERT_TRUE(WIFEXITED(out.status));
  EXPECT_EQ(WEXITSTATUS(out.status), 3);
}

TEST(CommonSpawnReady, WaitsForADetachedWriterToClose) {
  // The spawned process exits at once; its background child holds stdout and reports later,
  // as a daemonizing helper's grandchild does.
  TempDir t;
  auto bin = script(t, "detach", "(sleep 0.2; echo ready) &\nexit 0\n");
  auto out = spawn_ready("detach", {bin});
  EXPECT_EQ(out.output, "ready\n");
}

TEST(CommonSpawnReady, MissingBinaryNamesIt) {
  TempDir t;
  const std::string bin = t.path() + "/no-such-helper";
  try {
    spawn_ready("no-such-helper", {bin});
    FAIL() << "no exception";
  } catch (const SysError& e) {
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_EQ(std::string(e.what()), "run `" + bin + "`: No such file or directory");
  }
}

TEST(CommonSpawnReady, LeavesNoDescriptorOpen) {
  TempDir t;
  auto ok = script(t, "ok", "echo '{\"ok\":true}'\n");
  auto silent = script(t, "silent", "exit 1\n");
  const size_t before = test::open_fd_count();
  for (int i = 0; i < 10; ++i) {
    spawn_ready("ok", {ok});
    spawn_ready("silent", {silent});
    EXPECT_THROW(spawn_ready("missing", {t.path() + "/missing"}), SysError);
  }
  EXPECT_EQ(test::open_fd_count(), before);
}

TEST(CommonDaemonize, DaemonRunsInItsOwnSessionAndReports) {
  TempDir t;
  const std::string log = t.path() + "/daemon.log";
  const pid_t caller_sid = ::getsid(0);
  Daemonized d = daemonize(log);
  if (d.in_daemon) {
    char cwd[PATH_MAX] = {};
    if (!::getcwd(cwd, sizeof cwd)) ::_exit(1);
    char in[PATH_MAX] = {}, out[PATH_MAX] = {};
    (void)!::readlink("/proc/self/fd/0", in, sizeof in - 1);
    (void)!::readlink("/proc/self/fd/1", out, sizeof out - 1);
    std::ostringstream line;
    line << ::getpid() << ' ' << ::getsid(0) << ' ' << cwd << ' ' << in << ' ' << out << '\n';
    std::string text = line.str();
    (void)!::write(STDERR_FILENO, "to the log\n", 11);
    (void)!::write(d.ready.get(), text.data(), text.size());
    ::_exit(0);
  }
  std::istringstream in(d.readiness);
  pid_t pid = 0, sid = 0;
  std::string cwd, stdin_target, stdout_target;
  ASSERT_TRUE(in >> pid >> sid >> cwd >> stdin_target >> stdout_target) << d.readiness;
  EXPECT_NE(pid, ::getpid());
  EXPECT_NE(sid, caller_sid);  // a new session...
  EXPECT_NE(sid, pid);         // ...that the daemon does not lead (the intermediate did)
  EXPECT_EQ(cwd, "/");
  EXPECT_EQ(stdin_target, "/dev/null");
  EXPECT_EQ(stdout_target, "/dev/null");
  // The pipe reached EOF only when the daemon exited, so its stderr line is in the log.
  EXPECT_EQ(read_file(log), "to the log\n");
  EXPECT_EQ(::kill(sid, 0), -1);  // the intermediate process (the session's id) was reaped
  EXPECT_EQ(errno, ESRCH);
}

TEST(CommonDaemonize, DaemonThatNeverReportsGivesEmptyReadiness) {
  const size_t before = test::open_fd_count();
  Daemonized d = daemonize();
  if (d.in_daemon) ::_exit(0);
  EXPECT_EQ(d.readiness, "");
  EXPECT_FALSE(d.ready);
  EXPECT_EQ(test::open_fd_count(), before);
}

}  // namespace
}  // namespace berth
