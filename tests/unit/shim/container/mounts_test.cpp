// OCI mount options -> mount(2) flags, Docker's default mounts, errno hints.
#include "runtime-shim/container/mounts.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/sys_error.hpp"
#include "runtime-shim/container/fsutil.hpp"
#include "support/temp_dir.hpp"

using namespace berth::shim;
using berth::MountOptions;
namespace fs = std::filesystem;

namespace {

TEST(MountOptionsTest, FlagsPropagationAndData) {
  MountOptions o = parse_mount_options({"rbind", "ro", "nosuid", "nodev", "rprivate"});
  EXPECT_TRUE(o.flags & MS_BIND);
  EXPECT_EQ(o.flags, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV);
  EXPECT_EQ(o.propagation, MS_PRIVATE | MS_REC);
  EXPECT_EQ(o.data, "");

  o = parse_mount_options({"nosuid", "size=64m", "mode=1777", "rw", "noexec", "exec"});
  EXPECT_FALSE(o.flags & MS_BIND);
  EXPECT_EQ(o.flags, MS_NOSUID);
  EXPECT_EQ(o.data, "size=64m,mode=1777");

  o = parse_mount_options({"newinstance", "ptmxmode=0666", "gid=5", "slave"});
  EXPECT_EQ(o.data, "newinstance,ptmxmode=0666,gid=5");
  EXPECT_EQ(o.propagation, MS_SLAVE);
}

TEST(DefaultMountsTest, BundleMountsReplaceDefaultsAtTheSameDestination) {
  std::vector<Mount> mine = {{"/dev/shm", "tmpfs", "shm", {"size=1g"}}, {"/data", "bind", "/srv", {"rbind"}}};
  std::vector<Mount> all = with_default_mounts(mine);
  std::vector<std::string> dests;
  for (const Mount& m : all) dests.push_back(m.destination);
  EXPECT_EQ(dests, (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/dev/shm", "/data"}));
  EXPECT_EQ(all[5].options, std::vector<std::string>{"size=1g"});
  for (const Mount& m : all) {
    if (m.destination == "/sys") {
      EXPECT_NE(std::find(m.options.begin(), m.options.end(), "ro"), m.options.end());
    }
  }
}

TEST(ErrnoHintTest, MisleadingErrnosGetAHint) {
  EXPECT_NE(errno_hint("pivot_root", EINVAL), "");
  EXPECT_NE(errno_hint("mount", ENOSPC), "");
  EXPECT_EQ(errno_hint("mount", EPERM), "");
}

}  // namespace
