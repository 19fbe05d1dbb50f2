// Resource limits and kernel settings: memory (OOM kill recorded), pids, rlimits (clamped to
// the hard limit without CAP_SYS_RESOURCE), namespaced sysctls.
#include "container_fixture.hpp"

namespace berth::shim::test {
namespace {

TEST_F(ContainerTest, MemoryLimitOomKillIsRecorded) {
  Bundle b = probe({"alloc", "256"});
  b.resources.memory_limit = 32 << 20;
  b.resources.memory_swap = 32 << 20;
  Created c = start(b);
  int status = 0;
  ASSERT_EQ(::waitpid(c.pid, &status, 0), c.pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  EXPECT_GE(oom_kill_count(c), 1);
  finish(c);
}

TEST_F(ContainerTest, PidsLimitIsEnforced) {
  Bundle b = probe({"fork", "20"});
  b.resources.pids_limit = 8;
  Result r = run(b);
  EXPECT_EQ(r.output, "forked 7 errno=11\n");  // PID 1 counts; EAGAIN after that
}

TEST_F(ContainerTest, RlimitsAreSetAndClampedToTheHardLimit) {
  Bundle b = probe({"status"});
  b.rlimits.push_back({"RLIMIT_NOFILE", 1024, 4096});
  EXPECT_EQ(status(b)["nofile"], json::array({1024, 4096}));

  rlimit current{};
  ::getrlimit(RLIMIT_NOFILE, &current);
  Bundle big = probe({"status"});
  big.rlimits.push_back({"RLIMIT_NOFILE", 1048576, 1048576});
  Created c = start(big);
  Result r = wait(c, big);
  json s = json::parse(r.output);
  if (current.rlim_max < 1048576) {
    EXPECT_EQ(s["nofile"],
              json::array({static_cast<uint64_t>(current.rlim_max), static_cast<uint64_t>(current.rlim_max)}));
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_NE(c.warnings[0].find("clamped"), std::string::npos) << c.warnings[0];
  } else {
    EXPECT_EQ(s["nofile"], json::array({1048576, 1048576}));
  }
}

TEST_F(ContainerTest, CgroupNamespaceShowsOnlyTheContainersOwnTree) {
  Bundle b = probe({"read", "/proc/self/cgroup"});
  Result r = run(b);
  std::istringstream lines(r.output);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count)
    EXPECT_EQ(line.substr(line.rfind(':')), ":/") << r.output;  // the container's cgroup is its root
  EXPECT_GT(count, 0);

  Bundle m = probe({"ls", "/sys/fs/cgroup"});
  m.mounts.push_back({"/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "nodev", "noexec"}});
  r = run(m);
  EXPECT_NE(r.output.find("cgroup.procs\n"), std::string::npos) << r.output;
}

TEST_F(ContainerTest, NamespacedSysctlIsSetOthersRefused) {
  const std::string host_before = read_bytes("/proc/sys/kernel/shmmax");
  Bundle b = probe({"read", "/proc/sys/kernel/shmmax"});
  b.sysctl["kernel.shmmax"] = "123456789";
  EXPECT_EQ(run(b).output, "123456789\n");
  EXPECT_EQ(read_bytes("/proc/sys/kernel/shmmax"), host_before);

  Bundle bad = probe({"status"});
  bad.sysctl["kernel.panic"] = "1";
  try {
    start(bad);
    ADD_FAILURE() << "kernel.panic was accepted";
  } catch (const ContainerError& e) {
    EXPECT_EQ(e.step(), "prepare");
    EXPECT_STREQ(e.what(),
                 "prepare: sysctl `kernel.panic`: not namespaced: it would change the host (allowed: kernel.msg*, "
                 "kernel.sem, kernel.shm*, fs.mqueue.*, net.*)");
  }
}

}  // namespace
}  // namespace berth::shim::test
