// Creating paths inside a root without following its symlinks out of it (no root needed: only
// mkdir/open).
#include "common/in_root.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/sys_error.hpp"
#include "support/temp_dir.hpp"

using namespace berth;
namespace fs = std::filesystem;

namespace {

class InRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base = m_tmp.path();
    fs::create_directories(base + "/root/etc");
    fs::create_directories(base + "/outside");
    root.reset(::open((base + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  test::TempDir m_tmp{"berth-inroot"};
  std::string base;
  UniqueFd root;
};

TEST_F(InRootTest, CreatesMissingDirectoriesAndFiles) {
  ensure_in_root(root.get(), "/a/b/c", NodeKind::Directory);
  EXPECT_TRUE(fs::is_directory(base + "/root/a/b/c"));
  ensure_in_root(root.get(), "/etc/resolv.conf", NodeKind::File);
  EXPECT_TRUE(fs::is_regular_file(base + "/root/etc/resolv.conf"));
  EXPECT_THROW(ensure_in_root(root.get(), "/etc/resolv.conf", NodeKind::Directory), SysError);
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
  UniqueFd fd = ensure_in_root(root.get(), "/etc/resolv.conf", NodeKind::File);
  EXPECT_TRUE(fd);
  EXPECT_TRUE(fs::is_regular_file(base + "/root/run/resolv.conf"));
}

TEST_F(InRootTest, SymlinkLoopsEnd) {
  fs::create_symlink("/loop2", base + "/root/loop1");
  fs::create_symlink("/loop1", base + "/root/loop2");
  try {
    ensure_in_root(root.get(), "/loop1/x", NodeKind::Directory);
    FAIL() << "no error";
  } catch (const SysError& e) {
    EXPECT_EQ(e.code(), ELOOP);
  }
}

}  // namespace
