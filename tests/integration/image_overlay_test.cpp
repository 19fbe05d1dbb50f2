// Unpacked layers are real overlayfs lower dirs: OCI whiteouts become overlay whiteouts (0/0
// character devices) and opaque directories (trusted.overlay.opaque=y), which an overlay mount
// of the layers honours; ownership, set-id modes, device nodes and file capabilities survive.
// Needs root (mknod, chown, trusted.* xattrs, mount); mounts happen in a forked child's private
// mount namespace, so nothing outlives the test.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "compose/image/store.hpp"
#include "support/files.hpp"
#include "support/image_archive.hpp"

using namespace berth::image;
using namespace berth::test;
namespace fs = std::filesystem;

namespace {

bool has_overlayfs() {
  std::ifstream in("/proc/filesystems");
  std::string line;
  while (std::getline(in, line))
    if (line.find("overlay") != std::string::npos) return true;
  return false;
}

/// Runs `body` in a forked child with a private mount namespace; returns what it reported
/// ("" for success). The child never returns into GoogleTest.
std::string in_mount_namespace(const std::function<std::string()>& body) {
  int p[2];
  if (::pipe(p) != 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    std::string report;
    if (::unshare(CLONE_NEWNS) != 0)
      report = std::string("SKIP unshare(CLONE_NEWNS): ") + std::strerror(errno);
    else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      report = std::string("make / private: ") + std::strerror(errno);
    else
      report = body();
    (void)!::write(p[1], report.data(), report.size());
    ::_exit(0);
  }
  ::close(p[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status)) out += " (child died)";
  return out;
}

class ImageOverlay : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (mknod, chown, trusted.* xattrs, mount)";
    if (!has_overlayfs()) GTEST_SKIP() << "the kernel has no overlayfs";
  }
  LayerInfo add(const std::vector<TarEntry>& entries, const std::optional<Digest>& parent = {}) {
    Digest blob = m_store.put_blob(make_tar(entries));
    berth::UniqueFd fd = m_store.open_blob(blob);
    StoreLock lock = m_store.lock();
    return m_store.add_layer(lock, fd.get(), parent, std::nullopt, blob.str());
  }
  TempDir m_dir;
  ImageStore m_store{m_dir / "root"};
};

TEST_F(ImageOverlay, WhiteoutsAndOpaqueDirsHideLowerContent) {
  LayerInfo base = add({tar_dir("etc"), tar_file("etc/keep", "k"), tar_file("etc/gone", "g"), tar_dir("opq"),
                        tar_file("opq/old", "o"), tar_file("opq/sub/deep", "d"), tar_dir("replaced"),
                        tar_file("replaced/x", "x"), tar_file("same", "lower")});
  LayerInfo top = add({tar_file("etc/.wh.gone", ""), tar_dir("opq"), tar_file("opq/.wh..wh..opq", ""),
                       tar_file("opq/new", "n"), tar_file(".wh.replaced", ""), tar_dir("replaced"),
                       tar_file("replaced/y", "y"), tar_file("same", "upper"), tar_file(".wh.same", "")},
                      base.chain_id);
  std::string upper = m_store.layer_dir(top.chain_id), lower = m_store.layer_dir(base.chain_id);

  struct stat st {};
  ASSERT_EQ(::lstat((upper + "/etc/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, ::makedev(0, 0));
  EXPECT_FALSE(fs::exists(upper + "/etc/.wh.gone"));
  EXPECT_EQ(read_xattr(upper + "/opq", "trusted.overlay.opaque"), "y");
  EXPECT_FALSE(fs::exists(upper + "/opq/.wh..wh..opq"));
  // A whiteout next to an entry of the same name in the same layer: the entry wins, and a
  // directory that replaces a lower one becomes opaque.
  ASSERT_EQ(::lstat((upper + "/replaced").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(read_xattr(upper + "/replaced", "trusted.overlay.opaque"), "y");
  EXPECT_EQ(read_bytes(upper + "/same"), "upper");

  std::string mnt = m_dir / "mnt";
  fs::create_directories(mnt);
  std::string report = in_mount_namespace([&]() -> std::string {
    std::string opts = "lowerdir=" + upper + ":" + lower;
    if (::mount("overlay", mnt.c_str(), "overlay", MS_RDONLY, opts.c_str()) != 0)
      return std::string("SKIP mount overlay: ") + std::strerror(errno);
    std::string bad;
    auto expect = [&](const std::string& rel, bool present) {
      if (fs::exists(fs::symlink_status(mnt + "/" + rel)) != present)
        bad += rel + (present ? " missing; " : " visible; ");
    };
    expect("etc/keep", true);
    expect("etc/gone", false);
    expect("opq/new", true);
    expect("opq/old", false);
    expect("opq/sub", false);
    expect("replaced/y", true);
    expect("replaced/x", false);
    if (read_bytes(mnt + "/same") != "upper") bad += "same is not the upper file; ";
    ::umount2(mnt.c_str(), MNT_DETACH);
    return bad;
  });
  if (report.rfind("SKIP ", 0) == 0) GTEST_SKIP() << report.substr(5);
  EXPECT_EQ(report, "");
}

TEST_F(ImageOverlay, OwnershipModesNodesAndCapabilitiesSurvive) {
  // struct vfs_cap_data, revision 2, effective: cap_net_bind_service (10) permitted.
  std::string cap = {'\x01', '\x00', '\x00', '\x02', '\x00', '\x04', '\x00', '\x00', '\x00', '\x00',
                     '\x00', '\x00', '\x00', '\x00', '\x00', '\x00', '\x00', '\x00', '\x00', '\x00'};
  TarEntry ping = tar_file("bin/ping", "ELF", 0755);
  ping.xattrs = {{"security.capability", cap}, {"user.note", "kept"}, {"trusted.overlay.redirect", "/etc"}};
  TarEntry suid = tar_file("bin/su", "ELF", 04750);
  suid.uid = 0;
  suid.gid = 42;
  TarEntry owned = tar_file("home/app/data", "d", 0600);
  owned.uid = 1234;
  owned.gid = 5678;
  TarEntry home = tar_dir("home/app", 0700);
  home.uid = 1234;
  home.gid = 5678;
  TarEntry link = tar_symlink("home/app/link", "data");
  link.uid = 1234;
  link.gid = 5678;
  TarEntry null = tar_entry("dev/null", TarEntry::Char, {}, {}, 0666);
  null.major = 1;
  null.minor = 3;
  TarEntry loop = tar_entry("dev/loop9", TarEntry::Block, {}, {}, 0660);
  loop.major = 7;
  loop.minor = 9;
  loop.gid = 6;
  LayerInfo l = add({ping, suid, home, owned, link, null, loop});
  std::string root = m_store.layer_dir(l.chain_id);

  struct stat st {};
  ASSERT_EQ(::lstat((root + "/bin/ping").c_str(), &st), 0);
  EXPECT_EQ(read_xattr(root + "/bin/ping", "security.capability"), cap);
  EXPECT_EQ(read_xattr(root + "/bin/ping", "user.note"), "kept");
  EXPECT_EQ(read_xattr(root + "/bin/ping", "trusted.overlay.redirect"), "");  // never taken from an archive
  ASSERT_EQ(::lstat((root + "/bin/su").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04750u);
  EXPECT_EQ(st.st_gid, 42u);
  ASSERT_EQ(::lstat((root + "/home/app/data").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
  ASSERT_EQ(::lstat((root + "/home/app").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::lstat((root + "/home/app/link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(st.st_uid, 1234u);
  ASSERT_EQ(::lstat((root + "/dev/null").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, ::makedev(1, 3));
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  ASSERT_EQ(::lstat((root + "/dev/loop9").c_str(), &st), 0);
  EXPECT_TRUE(S_ISBLK(st.st_mode));
  EXPECT_EQ(st.st_rdev, ::makedev(7, 9));
  EXPECT_EQ(st.st_gid, 6u);

  // The same through an overlay mount of the layer, as a container would see it.
  std::string mnt = m_dir / "mnt", upper = m_dir / "upper", work = m_dir / "work";
  for (const auto& d : {mnt, upper, work}) fs::create_directories(d);
  std::string report = in_mount_namespace([&]() -> std::string {
    std::string opts = "lowerdir=" + root + ",upperdir=" + upper + ",workdir=" + work;
    if (::mount("overlay", mnt.c_str(), "overlay", 0, opts.c_str()) != 0)
      return std::string("SKIP mount overlay: ") + std::strerror(errno);
    std::string bad;
    struct stat s {};
    if (::lstat((mnt + "/home/app/data").c_str(), &s) != 0 || s.st_uid != 1234) bad += "owner lost; ";
    if (read_xattr(mnt + "/bin/ping", "security.capability") != cap) bad += "capability lost; ";
    ::umount2(mnt.c_str(), MNT_DETACH);
    return bad;
  });
  if (report.rfind("SKIP ", 0) == 0) GTEST_SKIP() << report.substr(5);
  EXPECT_EQ(report, "");
}

}  // namespace
