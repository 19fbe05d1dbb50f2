// VolumeStore (create/exists/list/inspect/remove) and copy_up from merged image layers:
// whiteouts, opaque directories, files hiding directories, symlinks in the path resolved inside
// the image, hard links, modes, times and xattrs kept.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "compose/storage/volumes.hpp"
#include "support/temp_dir.hpp"

using namespace berth::storage;

namespace berth::engine {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

void write(const std::string& path, const std::string& content, mode_t mode = 0644) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << content;
  ::chmod(path.c_str(), mode);
}

std::string slurp(const std::string& path) { return read_file(path); }

TEST(VolumeStore, CreateIsIdempotentAndKeepsMetadata) {
  TempDir root;
  storage::VolumeStore store(root.path());
  EXPECT_FALSE(store.exists("app_data"));
  EXPECT_TRUE(store.create("app_data", {{"com.docker.compose.project", "app"}}, "app"));
  EXPECT_FALSE(store.create("app_data", {{"other", "x"}}, "other"));
  EXPECT_TRUE(store.exists("app_data"));
  EXPECT_EQ(store.path("app_data"), root.path() + "/volumes/app_data/_data");
  EXPECT_TRUE(fs::is_directory(store.path("app_data")));
  auto info = store.inspect("app_data");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->project, "app");
  EXPECT_EQ(info->labels, (std::map<std::string, std::string>{{"com.docker.compose.project", "app"}}));
  EXPECT_FALSE(info->created.empty());
  EXPECT_TRUE(store.is_empty("app_data"));
  auto meta = nlohmann::json::parse(slurp(root.path() + "/volumes/app_data/volume.json"));
  EXPECT_EQ(meta["name"], "app_data");
}

TEST(VolumeStore, ListRemoveAndBadNames) {
  TempDir root;
  storage::VolumeStore store(root.path());
  EXPECT_TRUE(store.list().empty());
  store.create("b_vol");
  store.create("a_vol");
  write(store.path("a_vol") + "/sub/file", "x");
  EXPECT_FALSE(store.is_empty("a_vol"));
  auto all = store.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "a_vol");
  EXPECT_EQ(all[1].name, "b_vol");
  EXPECT_TRUE(store.remove("a_vol"));
  EXPECT_FALSE(store.remove("a_vol"));
  EXPECT_FALSE(fs::exists(root.path() + "/volumes/a_vol"));
  EXPECT_EQ(store.list().size(), 1u);
  EXPECT_THROW(store.create("../x"), std::invalid_argument);
  EXPECT_THROW(store.create("a"), std::invalid_argument);
  EXPECT_THROW(store.create("-x"), std::invalid_argument);
  EXPECT_FALSE(store.exists("../volumes"));
}

TEST(CopyUp, MergesLayersTopDown) {
  TempDir t;
  const std::string lower = t.path() + "/l0", upper = t.path() + "/l1", dst = t.path() + "/dst";
  write(lower + "/data/a.txt", "lower a");
  write(lower + "/data/b.txt", "lower b", 0600);
  write(lower + "/data/sub/deep.txt", "deep");
  write(upper + "/data/a.txt", "upper a");
  write(upper + "/data/c.txt", "upper c");
  // A file in the upper layer hides a directory of the same name below it.
  write(lower + "/data/hidden/x", "x");
  write(upper + "/data/hidden", "now a file");
  ::chmod((lower + "/data").c_str(), 0750);
  fs::create_directories(dst);
  ASSERT_TRUE(storage::copy_up({upper, lower}, "/data", dst));
  EXPECT_EQ(slurp(dst + "/a.txt"), "upper a");
  EXPECT_EQ(slurp(dst + "/b.txt"), "lower b");
  EXPECT_EQ(slurp(dst + "/c.txt"), "upper c");
  EXPECT_EQ(slurp(dst + "/sub/deep.txt"), "deep");
  EXPECT_EQ(slurp(dst + "/hidden"), "now a file");
  struct stat st {};
  ASSERT_EQ(::stat((dst + "/b.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The volume root takes the mode of the topmost image directory (upper's, made by write()).
  struct stat up {};
  ::stat((upper + "/data").c_str(), &up);
  ASSERT_EQ(::stat(dst.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, up.st_mode & 07777);
}

TEST(CopyUp, KeepsSymlinksHardlinksTimesAndXattrs) {
  TempDir t;
  const std::string layer = t.path() + "/l0", dst = t.path() + "/dst";
  write(layer + "/d/file", "content");
  ASSERT_EQ(::symlink("file", (layer + "/d/link").c_str()), 0);
  ASSERT_EQ(::link((layer + "/d/file").c_str(), (layer + "/d/hard").c_str()), 0);
  struct timespec times[2] = {{1000, 0}, {1700000000, 5}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (layer + "/d/file").c_str(), times, 0), 0);
  bool xattr = ::lsetxattr((layer + "/d/file").c_str(), "user.berth", "v", 1, 0) == 0;
  fs::create_directories(dst);
  ASSERT_TRUE(storage::copy_up({layer}, "/d", dst));
  EXPECT_EQ(fs::read_symlink(dst + "/link"), "file");
  struct stat a {
  }, b{};
  ASSERT_EQ(::stat((dst + "/file").c_str(), &a), 0);
  ASSERT_EQ(::stat((dst + "/hard").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_mtim.tv_sec, 1700000000);
  if (xattr) {
    char v[4] = {};
    EXPECT_EQ(::lgetxattr((dst + "/file").c_str(), "user.berth", v, sizeof v), 1);
    EXPECT_EQ(v[0], 'v');
  }
}

TEST(CopyUp, ResolvesSymlinksInsideTheImage) {
  TempDir t;
  const std::string layer = t.path() + "/l0", dst = t.path() + "/dst";
  write(layer + "/real/data/x", "x");
  fs::create_directories(layer + "/var");
  // Absolute link: must resolve against the image root, not the host's /real.
  ASSERT_EQ(::symlink("/real/data", (layer + "/var/lib").c_str()), 0);
  ASSERT_EQ(::symlink("../real", (layer + "/rel").c_str()), 0);
  fs::create_directories(dst);
  ASSERT_TRUE(storage::copy_up({layer}, "/var/lib", dst));
  EXPECT_EQ(slurp(dst + "/x"), "x");
  fs::remove_all(dst);
  fs::create_directories(dst);
  ASSERT_TRUE(storage::copy_up({layer}, "/rel/data/", dst));
  EXPECT_EQ(slurp(dst + "/x"), "x");
  EXPECT_FALSE(storage::copy_up({layer}, "/missing", dst));
  EXPECT_FALSE(storage::copy_up({layer}, "/real/data/x", dst));  // not a directory
  EXPECT_FALSE(storage::copy_up({}, "/real", dst));
}

TEST(CopyUp, HonoursWhiteoutsAndOpaqueDirectories) {
  TempDir t;
  const std::string lower = t.path() + "/l0", upper = t.path() + "/l1", dst = t.path() + "/dst";
  write(lower + "/data/gone", "gone");
  write(lower + "/data/opq/old", "old");
  write(lower + "/data/kept", "kept");
  fs::create_directories(upper + "/data/opq");
  write(upper + "/data/opq/new", "new");
  if (::mknod((upper + "/data/gone").c_str(), S_IFCHR | 0, ::makedev(0, 0)) != 0)
    GTEST_SKIP() << "mknod of an overlay whiteout (0/0 char device) needs CAP_MKNOD";
  if (::setxattr((upper + "/data/opq").c_str(), "trusted.overlay.opaque", "y", 1, 0) != 0)
    GTEST_SKIP() << "trusted.* xattrs need CAP_SYS_ADMIN and a file system that has them";
  fs::create_directories(dst);
  ASSERT_TRUE(storage::copy_up({upper, lower}, "/data", dst));
  EXPECT_FALSE(fs::exists(fs::symlink_status(dst + "/gone")));
  EXPECT_EQ(slurp(dst + "/kept"), "kept");
  EXPECT_EQ(slurp(dst + "/opq/new"), "new");
  EXPECT_FALSE(fs::exists(dst + "/opq/old"));
  char v[4];
  EXPECT_LT(::getxattr((dst + "/opq").c_str(), "trusted.overlay.opaque", v, sizeof v), 0);
  // A whiteout of the path itself: nothing to copy.
  EXPECT_FALSE(storage::copy_up({upper, lower}, "/data/gone", dst));
}

}  // namespace
}  // namespace berth::engine
