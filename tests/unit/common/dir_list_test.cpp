// berth::list_dir and berth::DirReader: names only, "." and ".." left out, list_dir sorted,
// opendir failures as SysError with the path and errno, and no descriptor left open.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/dir_list.hpp"
#include "common/sys_error.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

TEST(CommonDirList, SortedWithoutDotEntries) {
  TempDir t;
  for (const char* name : {"zeta", "Alpha", "b", ".hidden", "a"}) std::ofstream(t.path() + "/" + name) << "x";
  fs::create_directory(t.path() + "/dir");
  EXPECT_EQ(list_dir(t.path()), (std::vector<std::string>{".hidden", "Alpha", "a", "b", "dir", "zeta"}));
}

TEST(CommonDirList, EmptyDirectory) {
  TempDir t;
  EXPECT_TRUE(list_dir(t.path()).empty());
  EXPECT_FALSE(DirReader(t.path()).next());
}

TEST(CommonDirList, MissingDirectoryIsSysErrorWithPath) {
  TempDir t;
  const std::string missing = t.path() + "/nope";
  try {
    list_dir(missing);
    FAIL() << "no exception";
  } catch (const SysError& e) {
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_EQ(std::string(e.what()), "opendir `" + missing + "`: No such file or directory");
  }
  EXPECT_THROW(DirReader{missing}, SysError);
}

TEST(CommonDirList, NotADirectory) {
  TempDir t;
  std::ofstream(t.path() + "/file") << "x";
  try {
    list_dir(t.path() + "/file");
    FAIL() << "no exception";
  } catch (const SysError& e) {
    EXPECT_EQ(e.code(), ENOTDIR);
  }
}

TEST(CommonDirList, ReaderYieldsEveryEntryOnce) {
  TempDir t;
  for (int i = 0; i < 300; ++i) std::ofstream(t.path() + "/f" + std::to_string(i)) << "x";
  DirReader dir(t.path());
  std::set<std::string> seen;
  size_t count = 0;
  while (auto name = dir.next()) {
    ++count;
    seen.insert(*name);
  }
  EXPECT_EQ(count, 300u);
  EXPECT_EQ(seen.size(), 300u);
  EXPECT_FALSE(seen.count(".") || seen.count(".."));
  EXPECT_FALSE(dir.next());  // stays at the end
}

TEST(CommonDirList, ClosesItsDescriptor) {
  TempDir t;
  std::ofstream(t.path() + "/a") << "x";
  const size_t before = test::open_fd_count();
  for (int i = 0; i < 20; ++i) list_dir(t.path());
  {
    DirReader early(t.path());  // stopped before the end
    ASSERT_TRUE(early.next());
    DirReader moved(std::move(early));
    EXPECT_FALSE(moved.next());
    EXPECT_FALSE(early.next());  // NOLINT(bugprone-use-after-move): a moved-from reader is empty
  }
  for (int i = 0; i < 5; ++i) EXPECT_THROW(list_dir(t.path() + "/missing"), SysError);
  EXPECT_EQ(test::open_fd_count(), before);
}

}  // namespace
}  // namespace berth
