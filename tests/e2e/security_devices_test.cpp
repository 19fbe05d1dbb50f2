// Issue 10 item 1, the attack end to end: a container with Docker's default capabilities (CAP_MKNOD
// among them) mknods host devices — loop-control 10:237, kvm 10:232, fuse 10:229, tty0 4:0, hwrng
// 10:183 — and tries to open them. Docker's device policy lets the mknod through and refuses the
// open with EPERM, in the container's main process (`run`) and in `exec`; /dev/null still works. A
// `devices:` mapping, a `device_cgroup_rules:` entry and `privileged: true` each open what they
// grant. Opens are read-only (`3<`): enough for the device cgroup, and hwrng refuses O_RDWR.
#include <sys/stat.h>

#include <string>
#include <vector>

#include "engine_fixture.hpp"

using berth::test::EngineFixture;

namespace {

struct Node {
  int major, minor;
  const char* host;  ///< the host's node of that number (for the `devices:` mapping)
};
const Node kAttack[] = {{10, 237, "/dev/loop-control"},
                        {10, 232, "/dev/kvm"},
                        {10, 229, "/dev/fuse"},
                        {4, 0, "/dev/tty0"},
                        {10, 183, "/dev/hwrng"}};

/// mknod /tmp/dN for each attack device, then open each: "opened /tmp/dN" or busybox's "sh: can't
/// open /tmp/dN: <strerror>"; a failed mknod shows as "mknod-failed N".
std::string attack_script() {
  std::string s;
  for (size_t i = 0; i < std::size(kAttack); ++i) {
    const std::string node = "/tmp/d" + std::to_string(i);
    s += "mknod " + node + " c " + std::to_string(kAttack[i].major) + " " + std::to_string(kAttack[i].minor) +
         " || echo mknod-failed " + std::to_string(i) + "; (exec 3<" + node + ") 2>&1 && echo opened " + node + "; ";
  }
  return s + "(exec 3<>/dev/null) 2>&1 && echo opened /dev/null";
}

std::string refused(size_t i) { return "sh: can't open /tmp/d" + std::to_string(i) + ": Operation not permitted\n"; }
std::string opened(size_t i) { return "opened /tmp/d" + std::to_string(i) + "\n"; }

/// What the script prints when the devices `allowed` returns true for open and the others don't.
template <class F>
std::string expected(F allowed) {
  std::string out;
  for (size_t i = 0; i < std::size(kAttack); ++i) out += allowed(i) ? opened(i) : refused(i);
  return out + "opened /dev/null\n";
}

bool exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

}  // namespace

class SecurityDevices : public EngineFixture {};

TEST_F(SecurityDevices, MknodOfHostDevicesCannotBeOpened) {
  write_compose(R"(services:
  box:
    image: busybox:e2e
    command: ["sleep", "300"]
    stop_grace_period: 1s
)");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string none = expected([](size_t) { return false; });

  auto in_exec = berth_bounded(60, {"exec", "-T", "box", "sh", "-c", attack_script()});
  EXPECT_EQ(in_exec.out, none) << in_exec.err;
  auto in_run = berth_bounded(60, {"run", "--rm", "-T", "box", "sh", "-c", attack_script()});
  EXPECT_EQ(in_run.out, none) << in_run.err;
  // The container's own /dev nodes and ptys still work.
  auto dev = berth_bounded(60, {"exec", "-T", "box", "sh", "-c",
                                "head -c 4 /dev/zero | wc -c; head -c 4 "
                                "/dev/urandom | wc -c; echo x >/dev/full; "
                                "echo ok >/dev/null && echo null-ok"});
  EXPECT_EQ(dev.out, "4\n4\nnull-ok\n") << dev.err;
  EXPECT_NE(dev.err.find("No space left on device"), std::string::npos) << dev.err;  // /dev/full opened
}

TEST_F(SecurityDevices, DevicesRulesAndPrivilegedOpenWhatTheyGrant) {
  const Node* mapped = nullptr;
  for (const Node& n : kAttack)
    if (!mapped && exists(n.host) && n.major == 10) mapped = &n;
  if (!mapped) GTEST_SKIP() << "none of loop-control, kvm, fuse, hwrng exists here to map";
  write_compose(std::string(R"(services:
  mapped:
    image: busybox:e2e
    command: ["sleep", "300"]
    stop_grace_period: 1s
    devices: [")") +
                mapped->host + ":" + mapped->host + R"("]
  ruled:
    image: busybox:e2e
    command: ["sleep", "300"]
    stop_grace_period: 1s
    device_cgroup_rules: ['c 10:237 rm', 'c 4:0 r']
  privileged:
    image: busybox:e2e
    command: ["sleep", "300"]
    stop_grace_period: 1s
    privileged: true
)");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;

  // The mapped device opens at its path and through a mknod'ed node of the same number.
  auto m = berth_bounded(60, {"exec", "-T", "mapped", "sh", "-c",
                              std::string("(exec 3<") + mapped->host + ") && echo mapped-ok; " + attack_script()});
  EXPECT_EQ(m.out, "mapped-ok\n" + expected([&](size_t i) { return &kAttack[i] == mapped; })) << m.err;

  auto r = berth_bounded(60, {"exec", "-T", "ruled", "sh", "-c", attack_script()});
  EXPECT_EQ(r.out, expected([](size_t i) { return (i == 0 || i == 3) && exists(kAttack[i].host); })) << r.err;

  auto p = berth_bounded(60, {"exec", "-T", "privileged", "sh", "-c", attack_script()});
  EXPECT_EQ(p.out, expected([](size_t i) { return exists(kAttack[i].host); })) << p.err;
}

TEST_F(SecurityDevices, ABadDeviceCgroupRuleNamesTheServiceAndKey) {
  write_compose(R"(services:
  box:
    image: busybox:e2e
    command: ["sleep", "300"]
    device_cgroup_rules: ['c 10:237 rwx']
)");
  auto up = berth({"up", "-d"});
  EXPECT_NE(up.exit_code, 0);
  EXPECT_NE(up.err.find("service \"box\": device_cgroup_rules[0]: \"c 10:237 "
                        "rwx\": access \"rwx\" is not made of r, w and m"),
            std::string::npos)
      << up.err;
}
