// The device policy on real kernel objects, as root.
//  - DeviceFilter: the cgroup v2 BPF program (device_filter.cpp) attached to a temp cgroup in the
//    unified hierarchy, a forked child moved in, open(2) of host device nodes from there: /dev/null
//    opens, loop-control/tty0/kvm/fuse/hwrng fail with EPERM; another rule set lets one through;
//    re-applying replaces the program. On this project's hybrid hosts the BPF hook still runs
//    for the unified tree, which is what makes it testable here.
//  - ContainerTest: a container made by the shim (v1 devices controller on a hybrid host, the
//    BPF program on pure v2): mknod works, open of the node does not, unless a rule allows it.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/scope_exit.hpp"
#include "container_fixture.hpp"
#include "runtime-shim/container/cgroups.hpp"
#include "runtime-shim/container/device_filter.hpp"

namespace berth::shim::test {
namespace {

/// The host devices of issue 10 that exist here, with their numbers.
struct HostDevice {
  const char* path;
  unsigned major, minor;
};
std::vector<HostDevice> present_attack_devices() {
  std::vector<HostDevice> out;
  for (const char* p : {"/dev/loop-control", "/dev/kvm", "/dev/fuse", "/dev/tty0", "/dev/hwrng"}) {
    struct stat st {};
    if (::stat(p, &st) == 0 && S_ISCHR(st.st_mode)) out.push_back({p, major(st.st_rdev), minor(st.st_rdev)});
  }
  return out;
}

/// errno of open(2) of each path (0 = opened) in a child forked into `cgroup` (the v2 directory).
std::vector<int> open_errnos_in(const std::string& cgroup, const std::vector<std::string>& paths) {
  int go[2], report[2];
  EXPECT_EQ(::pipe2(go, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(report, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(go[1]);
    ::close(report[0]);
    char c;
    if (::read(go[0], &c, 1) != 1) ::_exit(2);
    for (const std::string& p : paths) {
      // Read-only: enough for the device cgroup's check, and hwrng refuses O_RDWR (EINVAL).
      int fd = ::open(p.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
      int err = fd >= 0 ? 0 : errno;
      if (fd >= 0) ::close(fd);
      if (::write(report[1], &err, sizeof err) != sizeof err) ::_exit(3);
    }
    ::_exit(0);
  }
  ::close(go[0]);
  ::close(report[1]);
  std::vector<int> out;
  try {
    const std::string procs = cgroup + "/cgroup.procs";
    std::ofstream(procs) << pid << std::flush;
    bool moved = false;
    for (pid_t p : cgroups::procs(cgroup)) moved = moved || p == pid;
    EXPECT_TRUE(moved) << "child " << pid << " not in " << procs;
    if (::write(go[1], "g", 1) != 1) ADD_FAILURE() << "go pipe";
    int err = 0;
    while (out.size() < paths.size() && ::read(report[0], &err, sizeof err) == sizeof err) out.push_back(err);
  } catch (...) {
  }
  ::close(go[1]);
  ::close(report[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  return out;
}

class DeviceFilter : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (cgroups, bpf)";
    const cgroups::Layout layout = cgroups::detect();
    if (layout.v2.empty()) GTEST_SKIP() << "no cgroup2 file system mounted";
    const std::string dir = layout.v2 + "/berth-devfilter-" + std::to_string(::getpid());
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0) << dir << ": " << std::strerror(errno);
    m_dir = dir;  // removed by TearDown, with the programs attached to it
    m_devices = present_attack_devices();
    if (m_devices.empty()) GTEST_SKIP() << "none of loop-control, kvm, fuse, tty0, hwrng exists here";
  }
  void TearDown() override {
    if (!m_dir.empty()) {
      EXPECT_EQ(::rmdir(m_dir.c_str()), 0) << m_dir << ": " << std::strerror(errno);
    }
  }

  std::vector<std::string> paths() const {
    std::vector<std::string> out = {"/dev/null", "/dev/zero", "/dev/urandom"};
    for (const HostDevice& d : m_devices) out.push_back(d.path);
    return out;
  }

  std::string m_dir;
  std::vector<HostDevice> m_devices;
};

TEST_F(DeviceFilter, DefaultPolicyOpensOnlyTheAllowList) {
  // Without a program the child opens everything (what the test could not tell apart otherwise).
  for (int err : open_errnos_in(m_dir, paths())) EXPECT_EQ(err, 0) << std::strerror(err);

  apply_device_filter(m_dir, container_device_rules({}));
  const std::vector<int> errs = open_errnos_in(m_dir, paths());
  ASSERT_EQ(errs.size(), paths().size());
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(errs[i], 0) << paths()[i] << ": " << std::strerror(errs[i]);
  for (size_t i = 3; i < errs.size(); ++i) EXPECT_EQ(errs[i], EPERM) << paths()[i] << ": " << std::strerror(errs[i]);
}

TEST_F(DeviceFilter, ARuleLetsOneDeviceThroughAndReapplyingReplacesTheProgram) {
  const HostDevice& first = m_devices.front();
  apply_device_filter(m_dir, container_device_rules({{true, 'c', first.major, first.minor, "rw"}}));
  std::vector<int> errs = open_errnos_in(m_dir, paths());
  ASSERT_EQ(errs.size(), paths().size());
  EXPECT_EQ(errs[3], 0) << first.path << ": " << std::strerror(errs[3]);
  for (size_t i = 4; i < errs.size(); ++i) EXPECT_EQ(errs[i], EPERM) << paths()[i];

  // Privileged: allow everything. The old program is detached, or it would still refuse.
  apply_device_filter(m_dir, container_device_rules({{true, 'a', -1, -1, "rwm"}}));
  for (int err : open_errnos_in(m_dir, paths())) EXPECT_EQ(err, 0) << std::strerror(err);

  // And back to the default: one program again, the allow-all one gone.
  apply_device_filter(m_dir, container_device_rules({}));
  errs = open_errnos_in(m_dir, paths());
  ASSERT_EQ(errs.size(), paths().size());
  for (size_t i = 3; i < errs.size(); ++i) EXPECT_EQ(errs[i], EPERM) << paths()[i];
}

/// `sh -c` in a container: mknod each device of the issue as /dev/xN, then open it read-only.
/// busybox's sh reports a failed redirection as "<argv0>: can't open <path>: <strerror>".
std::string mknod_and_open_script() {
  std::string script;
  int n = 0;
  for (auto [major, minor] : {std::pair{10, 237}, {10, 232}, {10, 229}, {4, 0}, {10, 183}}) {
    const std::string node = "/dev/x" + std::to_string(n++);
    script += "mknod " + node + " c " + std::to_string(major) + " " + std::to_string(minor) + " && (exec 3<" + node +
              ") && echo opened " + node + "; ";
  }
  return script + "(exec 3<>/dev/null) && echo opened /dev/null";
}

std::string refused(const std::string& node) { return "/bin/sh: can't open " + node + ": Operation not permitted\n"; }

TEST_F(ContainerTest, DeviceCgroupAllowsMknodButNotOpen) {
  Result r = run(bundle({"/bin/sh", "-c", mknod_and_open_script()}));
  EXPECT_EQ(r.output, refused("/dev/x0") + refused("/dev/x1") + refused("/dev/x2") + refused("/dev/x3") +
                          refused("/dev/x4") + "opened /dev/null\n");

  // A rule for major 10 (as device_cgroup_rules: ['c 10:* r'] writes it) lets those through.
  Bundle allowed = bundle({"/bin/sh", "-c", mknod_and_open_script()});
  allowed.resources.devices = {{true, 'c', 10, -1, "r"}};
  r = run(allowed);
  std::string want;
  const char* host_paths[] = {"/dev/loop-control", "/dev/kvm", "/dev/fuse", "/dev/tty0", "/dev/hwrng"};
  for (int i = 0; i < 5; ++i) {
    const std::string node = "/dev/x" + std::to_string(i);
    if (i == 3)
      want += refused(node);  // 4:0, not major 10
    else if (::access(host_paths[i], F_OK) == 0)
      want += "opened " + node + "\n";
    else
      want += "/bin/sh: can't open " + node + ": No such device\n";  // no driver: past the cgroup
  }
  EXPECT_EQ(r.output, want + "opened /dev/null\n");
}

}  // namespace
}  // namespace berth::shim::test
