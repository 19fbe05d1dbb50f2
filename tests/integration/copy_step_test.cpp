// COPY's destination rules on a plain directory root (the builder uses the same function on a
// step's overlay): a directory source copies its contents, a file lands on `dest` or inside it,
// --parents keeps the path, --chmod/--chown apply to everything copied, owners are 0:0 from the
// context and kept from a stage root, symlinks are copied as symlinks and a symlink in the
// destination root resolves inside it. Needs root (chown).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "common/unique_fd.hpp"
#include "compose/build/build_context.hpp"
#include "compose/build/copy_step.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace berth::build;
namespace bt = berth::test;
namespace fs = std::filesystem;

namespace {

class CopyStep : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown to the copied owners)";
    ctx_dir = m_tmp / "ctx";
    dst = m_tmp / "dst";
    fs::create_directories(ctx_dir + "/src/sub");
    fs::create_directories(dst + "/real");
    bt::write_bytes(ctx_dir + "/src/a.txt", "a\n");
    bt::write_bytes(ctx_dir + "/src/sub/b.txt", "b\n");
    bt::write_bytes(ctx_dir + "/top.txt", "top\n");
    ::chown((ctx_dir + "/top.txt").c_str(), 1000, 1000);
    fs::create_symlink("a.txt", ctx_dir + "/src/link");
    fs::create_symlink("/real", dst + "/via");  // absolute: means <dst>/real
    root.reset(::open(dst.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  void copy(CopyOptions o) {
    BuildContext ctx(ctx_dir, IgnoreMatcher::parse("src/sub/ignored*\n", ".dockerignore"));
    copy_into(root.get(), CopySource{&ctx, -1, "the build context"}, o);
  }
  static struct stat st(const std::string& p) {
    struct stat s {};
    EXPECT_EQ(::lstat(p.c_str(), &s), 0) << p;
    return s;
  }

  bt::TempDir m_tmp;
  std::string ctx_dir, dst;
  berth::UniqueFd root;
};

TEST_F(CopyStep, DirectoryContentsFilesIntoDirectoriesAndParents) {
  copy({.sources = {"src"}, .dest = "/app"});
  EXPECT_EQ(bt::read_bytes(dst + "/app/a.txt"), "a\n");
  EXPECT_EQ(bt::read_bytes(dst + "/app/sub/b.txt"), "b\n");
  EXPECT_EQ(fs::read_symlink(dst + "/app/link"), "a.txt");
  EXPECT_FALSE(fs::exists(dst + "/app/src"));

  copy({.sources = {"top.txt"}, .dest = "/file"});  // no '/': the file itself
  EXPECT_EQ(bt::read_bytes(dst + "/file"), "top\n");
  copy({.sources = {"top.txt"}, .dest = "/app", .dest_is_dir = false});  // an existing directory: into it
  EXPECT_EQ(bt::read_bytes(dst + "/app/top.txt"), "top\n");
  copy({.sources = {"top.txt", "src/a.txt"}, .dest = "/multi", .dest_is_dir = true});
  EXPECT_TRUE(fs::exists(dst + "/multi/top.txt") && fs::exists(dst + "/multi/a.txt"));
  copy({.sources = {"src/sub/b.txt"}, .dest = "/p", .dest_is_dir = true, .parents = true});
  EXPECT_EQ(bt::read_bytes(dst + "/p/src/sub/b.txt"), "b\n");
}

TEST_F(CopyStep, OwnersModesAndSymlinksInTheDestination) {
  copy({.sources = {"top.txt"}, .dest = "/plain"});
  EXPECT_EQ(st(dst + "/plain").st_uid, 0u);  // from the context: root
  copy({.sources = {"src"}, .dest = "/owned", .uid = 7, .gid = 8, .mode = 0600});
  EXPECT_EQ(st(dst + "/owned/sub/b.txt").st_uid, 7u);
  EXPECT_EQ(st(dst + "/owned/sub/b.txt").st_gid, 8u);
  EXPECT_EQ(st(dst + "/owned/sub/b.txt").st_mode & 07777, 0600u);
  EXPECT_EQ(st(dst + "/owned/sub").st_mode & 07777, 0600u);  // --chmod: directories too

  copy({.sources = {"top.txt"}, .dest = "/via/inside"});  // through the absolute symlink, inside the root
  EXPECT_EQ(bt::read_bytes(dst + "/real/inside"), "top\n");
}

TEST_F(CopyStep, FromAStageRootOwnersAreKept) {
  fs::create_directories(m_tmp / "stage/opt");
  bt::write_bytes(m_tmp / "stage/opt/tool", "t\n");
  ::chown((m_tmp / "stage/opt/tool").c_str(), 33, 44);
  berth::UniqueFd stage(::open((m_tmp / "stage").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  copy_into(root.get(), CopySource{nullptr, stage.get(), "stage"}, {.sources = {"/opt/tool"}, .dest = "/bin/tool"});
  EXPECT_EQ(st(dst + "/bin/tool").st_uid, 33u);
  EXPECT_EQ(st(dst + "/bin/tool").st_gid, 44u);
}

TEST_F(CopyStep, ExcludesAndHeredocFiles) {
  bt::write_bytes(ctx_dir + "/src/skip.me", "x\n");
  copy({.sources = {"src"}, .dest = "/e", .excludes = {"*.me"}});
  EXPECT_TRUE(fs::exists(dst + "/e/a.txt"));
  EXPECT_FALSE(fs::exists(dst + "/e/skip.me"));
  write_file_into(root.get(), "/etc/motd", "hi\n", std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(bt::read_bytes(dst + "/etc/motd"), "hi\n");
  EXPECT_EQ(st(dst + "/etc/motd").st_mode & 07777, 0644u);
}

TEST(CopyChmod, OctalOnly) {
  EXPECT_EQ(parse_chmod("755"), 0755u);
  EXPECT_EQ(parse_chmod("0640"), 0640u);
  EXPECT_THROW(parse_chmod("u+x"), std::invalid_argument);
  EXPECT_THROW(parse_chmod("9"), std::invalid_argument);
}

}  // namespace
