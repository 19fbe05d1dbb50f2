// .dockerignore parsing and matching as Docker does it (moby/patternmatcher + ignorefile.ReadAll):
// one table of (file content, path, expected rule line or 0 for included) covering the glob
// syntax, `**`, exceptions, last match wins, cleaning, comments and blank lines; the patterns Go
// refuses; walk pruning; the Dockerfile-specific ignore file; and Go's own filepath.Match table.
#include <gtest/gtest.h>

#include <stdexcept>

#include "compose/build/dockerignore.hpp"
#include "compose/build/go_match.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

using namespace berth::build;
using namespace berth::test;

namespace {

struct IgnoreCase {
  const char* file;  ///< .dockerignore content
  const char* path;
  int line;  ///< the excluding rule's line, 0 = included
};

const IgnoreCase kIgnoreCases[] = {
    // `*` stays inside one path element; `?` is one character (a rune), never '/'.
    {"*.log", "app.log", 1},
    {"*.log", "dir/app.log", 0},
    {"*.log", "app.log.1", 0},
    {"?.txt", "a.txt", 1},
    {"?.txt", "ab.txt", 0},
    {"?.txt", "\xC3\xBC.txt", 1},
    {"a?c", "a/c", 0},
    {"*/temp*", "a/temporary", 1},
    {"*/temp*", "temp", 0},
    {"*/temp*", "a/b/temp", 0},
    // Classes, negated classes, escapes.
    {"[a-c].txt", "b.txt", 1},
    {"[a-c].txt", "d.txt", 0},
    {"[^x].txt", "y.txt", 1},
    {"[^x].txt", "x.txt", 0},
    {"[\\]]x", "]x", 1},
    {"\\*.txt", "*.txt", 1},
    {"\\*.txt", "a.txt", 0},
    {"a\\?", "a?", 1},
    {"a\\?", "ab", 0},
    // Regexp characters are literal, in exact and in glob patterns.
    {"a+b(c).txt", "a+b(c).txt", 1},
    {"a+b(c).txt", "aab(c).txt", 0},
    {"*.t+t", "x.t+t", 1},
    {"*.t+t", "x.ttt", 0},
    {"a.c", "abc", 0},
    // `**` at the start, in the middle, at the end, alone.
    {"**/*.go", "main.go", 1},
    {"**/*.go", "a/b/main.go", 1},
    {"**/*.go", "main.go.bak", 0},
    {"**/node_modules", "node_modules", 1},
    {"**/node_modules", "a/b/node_modules", 1},
    {"**/node_modules", "a/node_modules/x/y", 1},
    {"**/node_modules", "xnode_modules", 0},
    {"**node_modules", "xnode_modules", 1},  // moby: a plain string suffix
    {"a/**/b", "a/b", 1},
    {"a/**/b", "a/x/y/b", 1},
    {"a/**/b", "a/xb", 0},
    {"a/**/*.o", "a/x/y.o", 1},
    {"a/**", "a/x/y", 1},
    {"a/**", "a", 0},
    {"**", "anything/at/all", 1},
    {"**/a/**", "x/a/y", 1},
    {"**/a/**", "x/ba/y", 0},
    // A rule matching a parent directory excludes everything below it.
    {"docs", "docs/a/b.md", 1},
    {"docs", "docsx", 0},
    // Exceptions: re-including inside an excluded directory, last match wins.
    {"dir\n!dir/keep", "dir/keep", 0},
    {"dir\n!dir/keep", "dir/keep/inner", 0},
    {"dir\n!dir/keep", "dir/other", 1},
    {"dir\n!dir/keep", "dir", 1},
    {"dir/*\n!dir/*.md", "dir/a.md", 0},
    {"dir/*\n!dir/*.md", "dir/a.txt", 1},
    {"*.md\n!README.md", "README.md", 0},
    {"*.md\n!README.md\nREADME.md", "README.md", 3},
    {"!README.md\n*.md", "README.md", 2},
    {"*.md\n!*.md\n*.md", "x.md", 3},
    {"a\n!a/b\na/b/c", "a/b/c", 3},
    {"a\n!a/b\na/b/c", "a/b/d", 0},
    {"! keep\n*", "keep", 2},
    {"*\n! keep", "keep", 0},
    // Cleaning: a leading `/`, `./`, a trailing `/`, `..` and `.` elements.
    {"/build", "build", 1},
    {"/build", "x/build", 0},
    {"!/build\n", "build", 0},
    {"./build", "build", 1},
    {"build/", "build/x", 1},
    {"a/../b", "b", 1},
    {"a/./b//c", "a/b/c", 1},
    // Comments only at the very start of a line, blank lines, whitespace, CRLF, a BOM.
    {"# comment\n*.tmp", "a.tmp", 2},
    {"# x", "# x", 0},
    {" #notcomment", "#notcomment", 1},
    {"\n\n  \n\t\n*.tmp", "a.tmp", 5},
    {"  *.log  ", "x.log", 1},
    {"a\r\nb\r\n", "b", 2},
    {"\xEF\xBB\xBF*.log", "a.log", 1},
    // The context root itself is never excluded.
    {"*", "", 0},
};

class DockerignoreTable : public ::testing::TestWithParam<IgnoreCase> {};

TEST_P(DockerignoreTable, ExcludesAsDockerDoes) {
  const IgnoreCase& c = GetParam();
  IgnoreMatcher m = IgnoreMatcher::parse(c.file, ".dockerignore");
  const IgnoreRule* rule = m.excluded_by(c.path);
  if (c.line == 0) {
    EXPECT_EQ(rule, nullptr) << "file:\n" << c.file << "\npath: " << c.path << "\nexcluded by line " << rule->line;
  } else {
    ASSERT_NE(rule, nullptr) << "file:\n" << c.file << "\npath: " << c.path;
    EXPECT_EQ(rule->line, c.line) << "file:\n" << c.file << "\npath: " << c.path;
    EXPECT_EQ(rule->file, ".dockerignore");
    EXPECT_FALSE(rule->exception);
  }
  EXPECT_EQ(m.excluded(c.path), c.line != 0);
}

INSTANTIATE_TEST_SUITE_P(Cases, DockerignoreTable, ::testing::ValuesIn(kIgnoreCases));

TEST(Dockerignore, RulesKeepCleanedPatternExceptionAndText) {
  IgnoreMatcher m = IgnoreMatcher::parse("# c\n  /a/b/  \n!./c\n", "x.dockerignore");
  ASSERT_EQ(m.rules().size(), 2u);
  EXPECT_EQ(m.rules()[0].pattern, "a/b");
  EXPECT_FALSE(m.rules()[0].exception);
  EXPECT_EQ(m.rules()[0].line, 2);
  EXPECT_EQ(m.rules()[0].text, "  /a/b/  ");
  EXPECT_EQ(m.rules()[1].pattern, "c");
  EXPECT_TRUE(m.rules()[1].exception);
  EXPECT_EQ(m.rules()[1].line, 3);
  EXPECT_EQ(m.rules()[1].file, "x.dockerignore");
}

TEST(Dockerignore, EmptyMatcherIgnoresNothing) {
  IgnoreMatcher m;
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(m.excluded("a"));
  EXPECT_FALSE(m.may_include_below("a"));
  EXPECT_TRUE(IgnoreMatcher::parse("# only a comment\n\n", ".dockerignore").empty());
}

TEST(Dockerignore, InvalidPatternsNameFileAndLine) {
  for (const char* bad : {"[", "[a", "[]", "[^]", "a\\", "[a-]", "[-a]", "[a-b-c]", "x/[", "*[", "!", "! "}) {
    std::string text = std::string("ok\n") + bad + "\n";
    try {
      IgnoreMatcher::parse(text, ".dockerignore");
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_TRUE(contains(e.what(), ".dockerignore:2: ")) << e.what();
    }
  }
  EXPECT_THROW(IgnoreMatcher::from_patterns({"a", "[z"}, "--exclude"), std::invalid_argument);
}

TEST(Dockerignore, FromPatternsNumbersEachPattern) {
  IgnoreMatcher m = IgnoreMatcher::from_patterns({"*.tmp", "!keep.tmp", "  "}, "--exclude");
  ASSERT_EQ(m.rules().size(), 2u);
  const IgnoreRule* r = m.excluded_by("a.tmp");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->file, "--exclude");
  EXPECT_EQ(r->line, 1);
  EXPECT_FALSE(m.excluded("keep.tmp"));
}

TEST(Dockerignore, MayIncludeBelowOnlyWhereAnExceptionCouldMatch) {
  auto m = [](const char* text) { return IgnoreMatcher::parse(text, ".dockerignore"); };
  EXPECT_FALSE(m("dir").may_include_below("dir"));
  EXPECT_TRUE(m("dir\n!dir/keep").may_include_below("dir"));
  EXPECT_FALSE(m("dir\n!dir/keep").may_include_below("dir/other"));
  EXPECT_TRUE(m("dir\n!dir/keep/x").may_include_below("dir/keep"));
  EXPECT_FALSE(m("dir\n!other/keep").may_include_below("dir"));
  EXPECT_FALSE(m("dir\n!dirx/keep").may_include_below("dir"));
  EXPECT_TRUE(m("dir\n!dir/sub/*").may_include_below("dir"));
  EXPECT_TRUE(m("dir\n!dir/**").may_include_below("dir"));
  EXPECT_TRUE(m("dir\n!*/keep").may_include_below("dir"));
  EXPECT_TRUE(m("dir\n!**/keep").may_include_below("deep/dir"));
}

TEST(Dockerignore, DockerfileSpecificFileWins) {
  TempDir dir("berth-ignore");
  write_bytes(dir / ".dockerignore", "*.a\n");
  write_bytes(dir / "docker/app.Dockerfile.dockerignore", "\n*.b\n");
  IgnoreMatcher specific = load_dockerignore(dir.path(), "docker/app.Dockerfile");
  EXPECT_TRUE(specific.excluded("x.b"));
  EXPECT_FALSE(specific.excluded("x.a"));
  ASSERT_NE(specific.excluded_by("x.b"), nullptr);
  EXPECT_EQ(specific.excluded_by("x.b")->file, "docker/app.Dockerfile.dockerignore");
  EXPECT_EQ(specific.excluded_by("x.b")->line, 2);

  IgnoreMatcher absolute = load_dockerignore(dir.path(), dir / "docker/app.Dockerfile");
  EXPECT_TRUE(absolute.excluded("x.b"));

  IgnoreMatcher fallback = load_dockerignore(dir.path(), "Dockerfile");
  EXPECT_TRUE(fallback.excluded("x.a"));
  EXPECT_FALSE(fallback.excluded("x.b"));
  EXPECT_EQ(fallback.excluded_by("x.a")->file, ".dockerignore");
  EXPECT_TRUE(load_dockerignore(dir.path(), "").excluded("x.a"));

  TempDir empty("berth-ignore");
  EXPECT_TRUE(load_dockerignore(empty.path(), "Dockerfile").empty());
}

// Go's path/filepath match_test.go table (Linux).
struct GoMatchCase {
  const char* pattern;
  const char* name;
  GoMatch want;
};

const GoMatchCase kGoMatchCases[] = {
    {"abc", "abc", GoMatch::yes},
    {"*", "abc", GoMatch::yes},
    {"*c", "abc", GoMatch::yes},
    {"a*", "a", GoMatch::yes},
    {"a*", "abc", GoMatch::yes},
    {"a*", "ab/c", GoMatch::no},
    {"a*/b", "abc/b", GoMatch::yes},
    {"a*/b", "a/c/b", GoMatch::no},
    {"a*b*c*d*e*/f", "axbxcxdxe/f", GoMatch::yes},
    {"a*b*c*d*e*/f", "axbxcxdxexxx/f", GoMatch::yes},
    {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", GoMatch::no},
    {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", GoMatch::no},
    {"a*b?c*x", "abxbbxdbxebxczzx", GoMatch::yes},
    {"a*b?c*x", "abxbbxdbxebxczzy", GoMatch::no},
    {"ab[c]", "abc", GoMatch::yes},
    {"ab[b-d]", "abc", GoMatch::yes},
    {"ab[e-g]", "abc", GoMatch::no},
    {"ab[^c]", "abc", GoMatch::no},
    {"ab[^b-d]", "abc", GoMatch::no},
    {"ab[^e-g]", "abc", GoMatch::yes},
    {"a\\*b", "a*b", GoMatch::yes},
    {"a\\*b", "ab", GoMatch::no},
    {"a?b",
     "a\xE2\x98\xBA"
     "b",
     GoMatch::yes},
    {"a[^a]b",
     "a\xE2\x98\xBA"
     "b",
     GoMatch::yes},
    {"a???b",
     "a\xE2\x98\xBA"
     "b",
     GoMatch::no},
    {"a[^a][^a][^a]b",
     "a\xE2\x98\xBA"
     "b",
     GoMatch::no},
    {"[a-\xCE\xB6]*", "\xCE\xB1", GoMatch::yes},
    {"*[a-\xCE\xB6]", "A", GoMatch::no},
    {"a?b", "a/b", GoMatch::no},
    {"a*b", "a/b", GoMatch::no},
    {"[\\]a]", "]", GoMatch::yes},
    {"[\\-]", "-", GoMatch::yes},
    {"[x\\-]", "x", GoMatch::yes},
    {"[x\\-]", "-", GoMatch::yes},
    {"[x\\-]", "z", GoMatch::no},
    {"[\\-x]", "x", GoMatch::yes},
    {"[\\-x]", "-", GoMatch::yes},
    {"[\\-x]", "a", GoMatch::no},
    {"[]a]", "]", GoMatch::bad_pattern},
    {"[-]", "-", GoMatch::bad_pattern},
    {"[x-]", "x", GoMatch::bad_pattern},
    {"[x-]", "-", GoMatch::bad_pattern},
    {"[x-]", "z", GoMatch::bad_pattern},
    {"[-x]", "x", GoMatch::bad_pattern},
    {"[-x]", "-", GoMatch::bad_pattern},
    {"[-x]", "a", GoMatch::bad_pattern},
    {"\\", "a", GoMatch::bad_pattern},
    {"[a-b-c]", "a", GoMatch::bad_pattern},
    {"[", "a", GoMatch::bad_pattern},
    {"[^", "a", GoMatch::bad_pattern},
    {"[^bc", "a", GoMatch::bad_pattern},
    {"a[", "a", GoMatch::bad_pattern},
    {"a[", "ab", GoMatch::bad_pattern},
    {"a[", "x", GoMatch::bad_pattern},
    {"a/b[", "x", GoMatch::bad_pattern},
    {"*x", "xxx", GoMatch::yes},
};

class DockerignoreGoMatch : public ::testing::TestWithParam<GoMatchCase> {};

TEST_P(DockerignoreGoMatch, AsGoFilepathMatch) {
  const GoMatchCase& c = GetParam();
  EXPECT_EQ(go_match(c.pattern, c.name), c.want) << "pattern " << c.pattern << " name " << c.name;
}

INSTANTIATE_TEST_SUITE_P(GoTable, DockerignoreGoMatch, ::testing::ValuesIn(kGoMatchCases));

}  // namespace
