// Around a running container: exec into it, pause/resume, a killed shim, and failures that
// must report the exact error and leave nothing behind.
#include "container_fixture.hpp"

namespace berth::shim::test {
namespace {

TEST_F(ContainerTest, ExecRunsInTheContainersNamespacesAndCgroup) {
  Bundle b = probe({"sleep", "60"});
  b.user = "app";
  Created c = start(b);

  auto ns_of = [](pid_t pid, const char* ns) {
    char buf[256] = "";
    std::string link = "/proc/" + std::to_string(pid) + "/ns/" + ns;
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
  };
  ExecSpec spec;
  spec.args = {testing_fixture::probe, "sleep", "60"};
  spec.user = "root";
  CreateOptions io;
  pid_t e = exec_in_container(c, b, spec, io);
  for (const char* ns : {"pid", "mnt", "net", "ipc", "uts", "cgroup"}) EXPECT_EQ(ns_of(e, ns), ns_of(c.pid, ns)) << ns;
  EXPECT_NE(read_bytes("/proc/" + std::to_string(e) + "/cgroup").find("/berth/" + b.id), std::string::npos);
  ::kill(e, SIGKILL);
  ::waitpid(e, nullptr, 0);

  const std::string out = fx->path("exec.out");
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  io.stdout_fd = io.stderr_fd = fd;
  spec.args = {testing_fixture::probe, "status"};
  spec.user = "";  // the container's user
  spec.cwd = "/tmp";
  e = exec_in_container(c, b, spec, io);
  ::close(fd);
  int st = 0;
  ASSERT_EQ(::waitpid(e, &st, 0), e);
  json s = json::parse(read_bytes(out));
  EXPECT_EQ(s["uid"], 1000);
  EXPECT_EQ(s["hostname"], "berth-test");
  EXPECT_EQ(s["cwd"], "/tmp");
  EXPECT_EQ(s["ppid"], 0);  // its parent, the shim, is outside the pid namespace
  EXPECT_EQ(s["pids"].front(), 1);
  EXPECT_EQ(s["Seccomp"], "2");

  // privileged: every capability the shim has (this host lacks CAP_SYS_RESOURCE), no seccomp.
  fd = ::open(out.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  io.stdout_fd = io.stderr_fd = fd;
  spec.user = "root";
  spec.privileged = true;
  e = exec_in_container(c, b, spec, io);
  ::close(fd);
  ASSERT_EQ(::waitpid(e, &st, 0), e);
  s = json::parse(read_bytes(out));
  const std::string own = [] {
    std::istringstream status(read_bytes("/proc/self/status"));
    for (std::string line; std::getline(status, line);)
      if (line.rfind("CapBnd:\t", 0) == 0) return line.substr(8);
    return std::string();
  }();
  EXPECT_EQ(s["CapEff"], own);
  EXPECT_EQ(s["Seccomp"], "0");

  kill_all(c);
  wait(c, b);
}

TEST_F(ContainerTest, PauseAndResume) {
  Bundle b = probe({"sleep", "60"});
  Created c = start(b);
  set_frozen(c, true);
  set_frozen(c, false);
  EXPECT_EQ(::waitpid(c.pid, nullptr, WNOHANG), 0);  // still running
  kill_all(c);
  wait(c, b);
}

TEST_F(ContainerTest, KilledShimTakesTheContainerDown) {
  Bundle b = probe({"sleep", "60"});
  int pipefd[2];
  ASSERT_EQ(::pipe2(pipefd, O_CLOEXEC), 0);
  pid_t shim = ::fork();
  if (shim == 0) {  // a stand-in for berth-shim: creates the container, reports, waits
    try {
      Created c = create_container(b, CreateOptions{});
      std::string report = std::to_string(c.pid) + "\n" + c.cgroup_v2_dir + "\n";
      for (const std::string& d : c.cgroup_v1_dirs) report += d + "\n";
      (void)!::write(pipefd[1], report.data(), report.size());
    } catch (...) {
    }
    ::close(pipefd[1]);  // EOF for the test, whatever happened
    ::pause();
    ::_exit(0);
  }
  ::close(pipefd[1]);
  std::string report;
  char buf[4096];
  for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<size_t>(n));
  ::close(pipefd[0]);
  std::istringstream in(report);
  Created c;
  std::string line;
  ASSERT_TRUE(std::getline(in, line)) << "the stand-in shim failed to create the container";
  c.pid = std::stoi(line);
  std::getline(in, c.cgroup_v2_dir);
  while (std::getline(in, line)) c.cgroup_v1_dirs.push_back(line);

  ::kill(shim, SIGKILL);
  ::waitpid(shim, nullptr, 0);
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = ::kill(c.pid, 0) != 0 ||
           read_bytes("/proc/" + std::to_string(c.pid) + "/stat").find(") Z") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the container outlived its shim";
  // With a child subreaper (the shim harness makes this test process one) the dead container
  // is re-parented to us: reap it. Otherwise init does, and this finds nothing.
  ::waitpid(c.pid, nullptr, WNOHANG);
  destroy_cgroups(c);
}

TEST_F(ContainerTest, FailingStepReportsTheExactErrorAndLeavesNothing) {
  const std::string merged = fx->make_dir("merged");
  Bundle b = probe({"status"});
  b.lower_dirs = {fx->path("no-such-layer")};
  b.upper_dir = fx->make_dir("upper");
  b.work_dir = fx->make_dir("work");
  b.rootfs = merged;
  try {
    start(b);
    ADD_FAILURE() << "created a container on a missing layer";
  } catch (const ContainerError& e) {
    EXPECT_EQ(e.step(), "rootfs");
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_STREQ(e.what(), ("rootfs: mount overlay on `" + merged +
                            "`: No such file or directory (a source, target or overlay layer directory does not exist)")
                               .c_str());
  }

  Bundle missing = bundle({"no-such-command", "arg"});
  try {
    start(missing);
    ADD_FAILURE() << "started a missing command";
  } catch (const ContainerError& e) {
    EXPECT_STREQ(e.what(), "exec: exec `no-such-command`: executable file not found in $PATH");
    EXPECT_EQ(e.code(), ENOENT);
  }
}

}  // namespace
}  // namespace berth::shim::test
