// resolve_user against a rootfs in a temp dir: names, ids, groups, and files reached through
// symlinks that must stay inside the rootfs.
#include "common/user_lookup.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/unique_fd.hpp"
#include "support/temp_dir.hpp"

using namespace berth;
namespace fs = std::filesystem;

namespace {

class UsersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = m_tmp.path();
    fs::create_directories(dir + "/etc");
    std::ofstream(dir + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                          "# comment\n"
                                          "app:x:1000:1000:App:/home/app:/bin/sh\n"
                                          "broken line\n"
                                          "svc:x:999:999::/:/bin/false\n";
    std::ofstream(dir + "/etc/group") << "root:x:0:\n"
                                         "audio:x:29:app\n"
                                         "video:x:44:svc,app\n"
                                         "staff:x:50:svc\n"
                                         "app:x:1000:\n";
    root.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }

  std::string error_of(const std::string& spec) {
    try {
      resolve_user(root.get(), spec, {});
    } catch (const std::exception& e) {
      return e.what();
    }
    return "(no error)";
  }

  berth::test::TempDir m_tmp{"berth-users"};
  std::string dir;
  berth::UniqueFd root;
};

TEST_F(UsersTest, NameGetsPrimaryAndSupplementaryGroups) {
  ResolvedUser u = resolve_user(root.get(), "app", {});
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_EQ(u.gid, 1000u);
  EXPECT_EQ(u.groups, (std::vector<uint32_t>{29, 44}));
  EXPECT_EQ(u.home, "/home/app");
  EXPECT_EQ(u.name, "app");
}

TEST_F(UsersTest, UidMatchingAnEntryActsLikeTheName) {
  ResolvedUser u = resolve_user(root.get(), "999", {7});
  EXPECT_EQ(u.uid, 999u);
  EXPECT_EQ(u.gid, 999u);
  EXPECT_EQ(u.groups, (std::vector<uint32_t>{44, 50, 7}));
}

TEST_F(UsersTest, ExplicitGroupReplacesMembershipLookup) {
  ResolvedUser u = resolve_user(root.get(), "app:video", {5});
  EXPECT_EQ(u.gid, 44u);
  EXPECT_EQ(u.groups, std::vector<uint32_t>{5});
  u = resolve_user(root.get(), "1000:4444", {});
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_EQ(u.gid, 4444u);
  EXPECT_TRUE(u.groups.empty());
}

TEST_F(UsersTest, NumericIdsNeedNoEntries) {
  fs::remove(dir + "/etc/passwd");
  fs::remove(dir + "/etc/group");
  ResolvedUser u = resolve_user(root.get(), "4242", {});
  EXPECT_EQ(u.uid, 4242u);
  EXPECT_EQ(u.gid, 0u);
  EXPECT_EQ(u.home, "/");
  u = resolve_user(root.get(), "4242:4343", {});
  EXPECT_EQ(u.gid, 4343u);
}

TEST_F(UsersTest, UnknownNamesAreErrors) {
  EXPECT_EQ(error_of("nobody"), "user \"nobody\": no matching entry in /etc/passwd");
  EXPECT_EQ(error_of("app:wheel"), "group \"wheel\": no matching entry in /etc/group");
  EXPECT_EQ(error_of(":5"), "user \":5\": empty user name");
  EXPECT_EQ(error_of("app:"), "user \"app:\": empty group name");
}

TEST_F(UsersTest, SymlinkedEtcResolvesInsideTheRootfs) {
  // /etc -> /real-etc (absolute: it must mean <rootfs>/real-etc, not the host's).
  fs::rename(dir + "/etc", dir + "/real-etc");
  fs::create_symlink("/real-etc", dir + "/etc");
  EXPECT_EQ(resolve_user(root.get(), "app", {}).uid, 1000u);

  // A passwd that points out of the rootfs, relatively or absolutely, finds nothing: it is
  // resolved as if the rootfs were "/", so the file beside the rootfs stays unread.
  const std::string outside = dir + "-outside";
  fs::create_directories(outside);
  std::ofstream(outside + "/passwd") << "evil:x:0:0::/:/bin/sh\n";
  fs::remove(dir + "/etc");
  fs::create_directories(dir + "/etc");
  const std::string name = fs::path(outside).filename();
  fs::create_symlink("../../" + name + "/passwd", dir + "/etc/passwd");
  EXPECT_EQ(error_of("evil"), "user \"evil\": no matching entry in /etc/passwd");
  fs::remove(dir + "/etc/passwd");
  fs::create_symlink(outside + "/passwd", dir + "/etc/passwd");
  EXPECT_EQ(error_of("evil"), "user \"evil\": no matching entry in /etc/passwd");
  fs::remove_all(outside);
}

}  // namespace
