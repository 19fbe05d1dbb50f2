// The build context: COPY source resolution (cleaning, `..` clamped at the root, globs per
// element, symlinked parents resolved inside the context), the excluded-source and not-found
// errors, and the walk (parents first, byte order, symlinks reported not followed, excluded
// entries skipped, exceptions reached inside excluded directories, COPY --exclude).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose/build/build_context.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

using namespace berth::build;
using namespace berth::test;

namespace {

class BuildContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_bytes(m_dir / ".dockerignore", "*.log\nsecret\n!secret/public\n");
    write_bytes(m_dir / "a.txt", "a");
    write_bytes(m_dir / "b.txt", "b");
    write_bytes(m_dir / "app.log", "log");
    write_bytes(m_dir / "dir/x.txt", "x");
    write_bytes(m_dir / "dir/sub/y.txt", "y");
    write_bytes(m_dir / "secret/key", "k");
    write_bytes(m_dir / "secret/public", "p");
    write_bytes(m_dir / "secret/sub/k2", "k2");
    ASSERT_EQ(::symlink("secret", (m_dir / "hidden").c_str()), 0);
    ASSERT_EQ(::symlink("dir", (m_dir / "link").c_str()), 0);
    ASSERT_EQ(::symlink("../../../../../../../../etc", (m_dir / "escape").c_str()), 0);
  }
  BuildContext context() const { return BuildContext(m_dir.path(), load_dockerignore(m_dir.path(), "")); }
  std::vector<std::string> walked(const BuildContext& ctx, const std::string& rel,
                                  const IgnoreMatcher* extra = nullptr) const {
    std::vector<std::string> out;
    ctx.walk(
        rel,
        [&](const ContextEntry& e) {
          out.push_back(e.path);
          if (S_ISLNK(e.st.st_mode)) out.back() += " -> " + e.link_target;
        },
        extra);
    return out;
  }
  static std::string error_of(const BuildContext& ctx, const std::string& source) {
    try {
      ctx.resolve(source);
    } catch (const ContextError& e) {
      return e.what();
    }
    return "no error";
  }

  TempDir m_dir{"berth-context"};
};

using Paths = std::vector<std::string>;

TEST_F(BuildContextTest, ResolvesPlainPathsCleanedAndClampedAtTheRoot) {
  BuildContext ctx = context();
  EXPECT_EQ(ctx.resolve("a.txt"), Paths{"a.txt"});
  EXPECT_EQ(ctx.resolve("./a.txt"), Paths{"a.txt"});
  EXPECT_EQ(ctx.resolve("/a.txt"), Paths{"a.txt"});
  EXPECT_EQ(ctx.resolve("../../a.txt"), Paths{"a.txt"});
  EXPECT_EQ(ctx.resolve("dir/../a.txt"), Paths{"a.txt"});
  EXPECT_EQ(ctx.resolve("dir/"), Paths{"dir"});
  EXPECT_EQ(ctx.resolve("."), Paths{""});
  EXPECT_EQ(ctx.resolve(".."), Paths{""});
  EXPECT_EQ(ctx.resolve("link"), Paths{"link"});
}

TEST_F(BuildContextTest, ResolvesGlobsPerElementSorted) {
  BuildContext ctx = context();
  EXPECT_EQ(ctx.resolve("*.txt"), (Paths{"a.txt", "b.txt"}));
  EXPECT_EQ(ctx.resolve("[ab].txt"), (Paths{"a.txt", "b.txt"}));
  EXPECT_EQ(ctx.resolve("[^a].txt"), (Paths{"b.txt"}));
  EXPECT_EQ(ctx.resolve("d?r"), (Paths{"dir"}));
  EXPECT_EQ(ctx.resolve("dir/*/y.txt"), (Paths{"dir/sub/y.txt"}));
  EXPECT_EQ(ctx.resolve("*/x.txt"), (Paths{"dir/x.txt", "link/x.txt"}));
  EXPECT_EQ(ctx.resolve("*"),
            (Paths{".dockerignore", "a.txt", "b.txt", "dir", "escape", "hidden", "link"}));  // not app.log, secret
  EXPECT_EQ(ctx.resolve("secret/*"), (Paths{"secret/public"}));
  EXPECT_THROW(ctx.resolve("dir/[x"), ContextError);
}

TEST_F(BuildContextTest, SymlinkedParentsResolveInsideTheContext) {
  BuildContext ctx = context();
  EXPECT_EQ(ctx.resolve("link/x.txt"), Paths{"link/x.txt"});
  // `escape` points far above the context; resolved inside it, /etc/passwd is not there.
  EXPECT_EQ(error_of(ctx, "escape/passwd"), "\"escape/passwd\": not found in the build context");
  berth::UniqueFd fd = ctx.open_beneath("escape/passwd", O_RDONLY);
  EXPECT_FALSE(fd);
}

TEST_F(BuildContextTest, ExcludedSourceNamesTheDockerignoreLine) {
  BuildContext ctx = context();
  EXPECT_EQ(error_of(ctx, "app.log"), "\"app.log\" is excluded by .dockerignore line 1 (*.log)");
  EXPECT_EQ(error_of(ctx, "secret/key"), "\"secret/key\" is excluded by .dockerignore line 2 (secret)");
  EXPECT_EQ(error_of(ctx, "*.log"),
            "\"*.log\" matches only excluded files: \"app.log\" is excluded by .dockerignore line 1 (*.log)");
  EXPECT_EQ(ctx.resolve("secret/public"), Paths{"secret/public"});
}

TEST_F(BuildContextTest, ExclusionAppliesToWhatASymlinkedParentLeadsTo) {
  BuildContext ctx = context();
  EXPECT_EQ(error_of(ctx, "hidden/key"),
            "\"hidden/key\" is \"secret/key\" through a symlink, is excluded by .dockerignore line 2 (secret)");
  EXPECT_EQ(error_of(ctx, "hidden/sub"),
            "\"hidden/sub\" is \"secret/sub\" through a symlink, is excluded by .dockerignore line 2 (secret)");
  EXPECT_EQ(ctx.resolve("hidden/public"), Paths{"hidden/public"});
  EXPECT_EQ(ctx.resolve("hidden/*"), Paths{"hidden/public"});
  // A walk from such a path skips what the rules exclude at the real path.
  EXPECT_EQ(walked(ctx, "hidden/sub"), (Paths{"hidden/sub"}));
  EXPECT_EQ(walked(ctx, "link/sub"), (Paths{"link/sub", "link/sub/y.txt"}));
}

TEST_F(BuildContextTest, AbsentSourceIsNotFound) {
  BuildContext ctx = context();
  EXPECT_EQ(error_of(ctx, "missing.txt"), "\"missing.txt\": not found in the build context");
  EXPECT_EQ(error_of(ctx, "*.none"), "\"*.none\": not found in the build context");
  EXPECT_EQ(error_of(ctx, "a.txt/x"), "\"a.txt/x\": not found in the build context");
  EXPECT_THROW(BuildContext(m_dir / "nope", IgnoreMatcher()), std::runtime_error);
}

TEST_F(BuildContextTest, WalkIsParentsFirstSortedAndSkipsExcluded) {
  BuildContext ctx = context();
  EXPECT_EQ(walked(ctx, ""), (Paths{"", ".dockerignore", "a.txt", "b.txt", "dir", "dir/sub", "dir/sub/y.txt",
                                    "dir/x.txt", "escape -> ../../../../../../../../etc", "hidden -> secret",
                                    "link -> dir", "secret", "secret/public"}));
  EXPECT_EQ(walked(ctx, "dir"), (Paths{"dir", "dir/sub", "dir/sub/y.txt", "dir/x.txt"}));
  EXPECT_EQ(walked(ctx, "a.txt"), (Paths{"a.txt"}));
  EXPECT_THROW(walked(ctx, "missing"), ContextError);
}

TEST_F(BuildContextTest, WalkNeverFollowsSymlinks) {
  BuildContext ctx = context();
  EXPECT_EQ(walked(ctx, "link"), (Paths{"link -> dir"}));
  // A walk through a symlinked parent reports the path as named and the target's entries.
  EXPECT_EQ(walked(ctx, "link/sub"), (Paths{"link/sub", "link/sub/y.txt"}));
}

TEST_F(BuildContextTest, ExcludedDirectoryIsReportedOnlyWithSomethingKeptInside) {
  write_bytes(m_dir / ".dockerignore", "secret\n!secret/none\n");
  BuildContext ctx = context();
  Paths all = walked(ctx, "");
  EXPECT_EQ(std::count(all.begin(), all.end(), "secret"), 0);
  EXPECT_EQ(std::count(all.begin(), all.end(), "secret/public"), 0);
}

TEST_F(BuildContextTest, CopyExcludeIsRelativeToTheWalkedSource) {
  BuildContext ctx = context();
  IgnoreMatcher sub = IgnoreMatcher::from_patterns({"sub"}, "--exclude");
  EXPECT_EQ(walked(ctx, "dir", &sub), (Paths{"dir", "dir/x.txt"}));
  IgnoreMatcher txt = IgnoreMatcher::from_patterns({"*.txt"}, "--exclude");
  EXPECT_EQ(walked(ctx, "dir", &txt), (Paths{"dir", "dir/sub", "dir/sub/y.txt"}));
  IgnoreMatcher nested = IgnoreMatcher::from_patterns({"sub/*.txt"}, "--exclude");
  EXPECT_EQ(walked(ctx, "dir", &nested), (Paths{"dir", "dir/sub", "dir/x.txt"}));
  IgnoreMatcher keep = IgnoreMatcher::from_patterns({"*", "!sub/y.txt"}, "--exclude");
  EXPECT_EQ(walked(ctx, "dir", &keep), (Paths{"dir", "dir/sub", "dir/sub/y.txt"}));
}

TEST_F(BuildContextTest, WalkGivesTheParentDirectoryFd) {
  BuildContext ctx = context();
  int checked = 0;
  ctx.walk("dir", [&](const ContextEntry& e) {
    ASSERT_GE(e.dir_fd, 0) << e.path;
    struct stat st {};
    ASSERT_EQ(::fstatat(e.dir_fd, std::string(e.name()).c_str(), &st, AT_SYMLINK_NOFOLLOW), 0) << e.path;
    EXPECT_EQ(st.st_ino, e.st.st_ino) << e.path;
    ++checked;
  });
  EXPECT_EQ(checked, 4);
}

}  // namespace
