// docker cp's side of the layer code: unpack_tar into an existing tree with LayerWriterOptions
// (names replaced, directories merged, `.wh.` names kept as files, type conflicts refused with
// docker's messages, the existing root left alone), and write_entry_tar naming the entry it
// writes (as itself, renamed, or its children alone for "dir/.").
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/unique_fd.hpp"
#include "compose/image/layer_tar.hpp"
#include "compose/image/unpack.hpp"
#include "support/files.hpp"
#include "support/image_archive.hpp"

using namespace berth::image;
using namespace berth::test;
namespace fs = std::filesystem;

namespace {

LayerWriterOptions cp_writer_options(const std::string& shown) {
  LayerWriterOptions o;
  o.whiteouts = false;
  o.replace = true;
  o.shown_root = shown;
  return o;
}

berth::UniqueFd open_test_dir(const std::string& path) {
  berth::UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  EXPECT_TRUE(fd) << path;
  return fd;
}

void extract_cp_tar(const std::string& tar, const std::string& dir) {
  berth::UniqueFd in = memfd_with(tar);
  berth::UniqueFd root = open_test_dir(dir);
  unpack_tar(in.get(), root.get(), {}, cp_writer_options("/dest"));
}

TEST(CopyMode, ReplacesFilesMergesDirectoriesAndKeepsWhiteoutNames) {
  TempDir d;
  fs::create_directories(d / "sub");
  std::ofstream(d / "sub/old") << "old";
  std::ofstream(d / "file") << "before";
  ::chmod((d / "").c_str(), 0711);
  extract_cp_tar(make_tar({tar_dir("./", 0700), tar_file("file", "after"), tar_dir("sub/"), tar_file("sub/new", "new"),
                           tar_file(".wh.name", "kept")}),
                 d.path());
  EXPECT_EQ(read_bytes(d / "file"), "after");
  EXPECT_EQ(read_bytes(d / "sub/old"), "old");
  EXPECT_EQ(read_bytes(d / "sub/new"), "new");
  EXPECT_EQ(read_bytes(d / ".wh.name"), "kept");
  struct stat st {};
  ASSERT_EQ(::stat(d.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0711u) << "the existing root keeps its mode";
}

TEST(CopyMode, RefusesTypeConflictsAsDocker) {
  TempDir d;
  fs::create_directories(d / "dir");
  std::ofstream(d / "file") << "x";
  try {
    extract_cp_tar(make_tar({tar_file("dir", "data")}), d.path());
    FAIL() << "a file replaced a directory";
  } catch (const UnpackError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot overwrite directory \"/dest/dir\" with non-directory \"/dest\""),
              std::string::npos)
        << e.what();
  }
  try {
    extract_cp_tar(make_tar({tar_dir("file/")}), d.path());
    FAIL() << "a directory replaced a file";
  } catch (const UnpackError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot overwrite non-directory \"/dest/file\" with directory \"/dest\""),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(fs::is_directory(d / "dir"));
  EXPECT_EQ(read_bytes(d / "file"), "x");
}

TEST(CopyMode, ASymlinkInTheDestinationIsNeverFollowed) {
  TempDir d, outside;
  fs::create_symlink(outside.path(), d / "link");
  EXPECT_THROW(extract_cp_tar(make_tar({tar_file("link/escaped", "x")}), d.path()), UnpackError);
  EXPECT_TRUE(fs::is_empty(outside.path()));
  // A file named like the link replaces the link itself.
  extract_cp_tar(make_tar({tar_file("link", "plain")}), d.path());
  EXPECT_FALSE(fs::is_symlink(d / "link"));
  EXPECT_TRUE(fs::is_empty(outside.path()));
}

TEST(CopyMode, WriteEntryTarNamesTheEntry) {
  TempDir src, a, b, c;
  fs::create_directories(src / "dir/sub");
  std::ofstream(src / "dir/sub/f") << "f";
  std::ofstream(src / "dir/g") << "g";
  berth::UniqueFd parent = open_test_dir(src.path());
  TreeTarOptions plain;
  plain.overlay_form = false;
  auto tar_of = [&](const std::string& as) {
    std::string out;
    write_entry_tar(
        parent.get(), "dir", as, [&](const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); },
        plain);
    return out;
  };
  extract_cp_tar(tar_of("dir"), a.path());
  EXPECT_EQ(read_bytes(a / "dir/sub/f"), "f");
  extract_cp_tar(tar_of("renamed"), b.path());
  EXPECT_EQ(read_bytes(b / "renamed/g"), "g");
  extract_cp_tar(tar_of(""), c.path());
  EXPECT_EQ(read_bytes(c / "sub/f"), "f");
  EXPECT_FALSE(fs::exists(c / "dir"));
}

}  // namespace
