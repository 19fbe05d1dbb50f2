// OCI mount options -> mount(2) flags, Docker's default mounts, and creating mount points inside
// a rootfs without following its symlinks out of it (no root needed: only mkdir/open).
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
namespace fs = std::filesystem;

namespace {

TEST(MountOptionsTest, FlagsPropagationAndData) {
  MountOptions o = parse_mount_options({"rbind", "ro", "nosuid", "nodev", "rprivate"});
  EXPECT_TRUE(o.bind);
  EXPECT_EQ(o.flags, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV);
  EXPECT_EQ(o.propagation, MS_PRIVATE | MS_REC);
  EXPECT_EQ(o.data, "");

  o = parse_mount_options({"nosuid", "size=64m", "mode=1777", "rw", "noexec", "exec"});
  EXPECT_FALSE(o.bind);
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

class InRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base = m_tmp.path();
    fs::create_directories(base + "/root/etc");
    fs::create_directories(base + "/outside");
    root.reset(::open((base + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  berth::test::TempDir m_tmp{"berth-inroot"};
  std::string base;
  berth::UniqueFd root;
};

TEST_F(InRootTest, CreatesMissingDirectoriesAndFiles) {
  ensure_in_root(root.get(), "/a/b/c", NodeKind::Directory);
  EXPECT_TRUE(fs::is_directory(base + "/root/a/b/c"));
  ensure_in_root(root.get(), "/etc/resolv.conf", NodeKind::File);
  EXPECT_TRUE(fs::is_regular_file(base + "/root/etc/resolv.conf"));
  EXPECT_THROW(ensure_in_root(root.get(), "/etc/resolv.conf", NodeKind::Directory), berth::SysError);
}

TEST_F(InRootTest, AbsoluteAndClimbingSymlinksStayInside) {
  fs::create_symlink(base + "/outside", base + "/root/abs");     // absolute: means <root><target>
  fs::create_symlink("../../../../outside", base + "/root/up");  // climbs: stops at <root>
  ensure_in_root(root.get(), "/abs/x", NodeKind::Directory);
  ensure_in_root(root.get(), "/up/y", NodeKind::File);
  EXPECT_TRUE(fs::is_empty(base + "/outside"));
  EXPECT_TRUE(fs::is_directory(base + "/root" + base + "/outside/x"));
  EXPECT_TRUE(fs::is_regular_file(base + "/root/outside/y"));
}

TEST_F(InRootTest, DanglingSymlinkGetsItsTargetCreated) {
  fs::create_symlink("/run/resolv.conf", base + "/root/etc/resolv.conf");
  berth::UniqueFd fd = ensure_in_root(root.get(), "/etc/resolv.conf", NodeKind::File);
  EXPECT_TRUE(fd);
  EXPECT_TRUE(fs::is_regular_file(base + "/root/run/resolv.conf"));
}

TEST_F(InRootTest, SymlinkLoopsEnd) {
  fs::create_symlink("/loop2", base + "/root/loop1");
  fs::create_symlink("/loop1", base + "/root/loop2");
  try {
    ensure_in_root(root.get(), "/loop1/x", NodeKind::Directory);
    FAIL() << "no error";
  } catch (const berth::SysError& e) {
    EXPECT_EQ(e.code(), ELOOP);
  }
}

TEST(ErrnoHintTest, MisleadingErrnosGetAHint) {
  EXPECT_NE(errno_hint("pivot_root", EINVAL), "");
  EXPECT_NE(errno_hint("mount", ENOSPC), "");
  EXPECT_EQ(errno_hint("mount", EPERM), "");
}

}  // namespace
