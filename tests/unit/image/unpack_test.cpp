// Layer unpacking: what a well-formed layer becomes on disk (modes, times, links, nodes, diff
// id, compression by content), and the hostile layers that must be refused whole, naming the
// entry, leaving no temporary or layer directory and no file outside the layer root.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "common/unique_fd.hpp"
#include "compose/image/store.hpp"
#include "support/files.hpp"
#include "support/image_archive.hpp"
#include "support/text.hpp"

using namespace berth::image;
using namespace berth::test;
namespace fs = std::filesystem;

namespace {

class ImageUnpack : public ::testing::Test {
 protected:
  LayerInfo add(const std::string& tar, const std::optional<Digest>& parent = {},
                const std::optional<Digest>& expected = {}) {
    berth::UniqueFd fd = memfd_with(tar);
    StoreLock lock = m_store.lock();
    return m_store.add_layer(lock, fd.get(), parent, expected, "test-layer");
  }
  std::string diff(const LayerInfo& l, const std::string& rel = "") {
    return m_store.layer_dir(l.chain_id) + (rel.empty() ? "" : "/" + rel);
  }
  /// Unpacks `entries`, expects a refusal, checks nothing is left and returns the message.
  std::string refused(const std::vector<TarEntry>& entries) {
    std::string message;
    try {
      add(make_tar(entries));
      ADD_FAILURE() << "layer was accepted";
    } catch (const UnpackError& e) {
      message = e.what();
    }
    EXPECT_TRUE(fs::is_empty(m_dir / "store/tmp")) << "staging left behind";
    EXPECT_TRUE(fs::is_empty(m_dir / "store/layers")) << "a layer was recorded";
    EXPECT_EQ(message.rfind("unpack layer test-layer: ", 0), 0u) << message;
    return message;
  }
  static struct stat lstat_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
  }

  TempDir m_dir;
  ImageStore m_store{m_dir / "store"};
};

TEST_F(ImageUnpack, WritesTheTreeWithModesTimesAndLinks) {
  TarEntry root = tar_dir("./", 0750);
  root.mtime = 1600000000;
  TarEntry etc = tar_dir("./etc/", 0755);
  etc.mtime = 1600000001;
  TarEntry hosts = tar_file("./etc/hosts", "127.0.0.1 localhost\n", 0640);
  hosts.mtime = 1600000002;
  TarEntry suid = tar_file("usr/bin/su", "#!", 04755);
  TarEntry fifo = tar_entry("run/fifo", TarEntry::Fifo, {}, {}, 0600);
  std::string tar =
      make_tar({root, etc, hosts, tar_hardlink("etc/hosts.bak", "./etc/hosts"), tar_symlink("bin/sh", "busybox"),
                tar_symlink("abs", "/etc/passwd"), suid, fifo, tar_dir("ro", 0555), tar_file("ro/inside", "x")});
  LayerInfo l = add(tar);

  EXPECT_EQ(l.diff_id, sha256_of(tar));
  EXPECT_EQ(l.chain_id, l.diff_id);
  EXPECT_FALSE(l.parent);
  EXPECT_EQ(l.size, 20u + 2u + 1u);
  EXPECT_EQ(read_bytes(diff(l, "etc/hosts")), "127.0.0.1 localhost\n");
  EXPECT_EQ(lstat_of(diff(l)).st_mode & 07777, 0750u);
  EXPECT_EQ(lstat_of(diff(l)).st_mtime, 1600000000);
  EXPECT_EQ(lstat_of(diff(l, "etc")).st_mtime, 1600000001);  // after its children were made
  EXPECT_EQ(lstat_of(diff(l, "etc/hosts")).st_mode & 07777, 0640u);
  EXPECT_EQ(lstat_of(diff(l, "etc/hosts")).st_mtime, 1600000002);
  EXPECT_EQ(lstat_of(diff(l, "etc/hosts.bak")).st_ino, lstat_of(diff(l, "etc/hosts")).st_ino);
  EXPECT_EQ(lstat_of(diff(l, "etc/hosts")).st_nlink, 2u);
  EXPECT_EQ(fs::read_symlink(diff(l, "bin/sh")), "busybox");
  EXPECT_EQ(fs::read_symlink(diff(l, "abs")), "/etc/passwd");
  EXPECT_EQ(lstat_of(diff(l, "bin")).st_mode & 07777, 0755u);  // made for bin/sh, not in the archive
  EXPECT_TRUE(S_ISFIFO(lstat_of(diff(l, "run/fifo")).st_mode));
  EXPECT_EQ(lstat_of(diff(l, "ro")).st_mode & 07777, 0555u);
  EXPECT_EQ(read_bytes(diff(l, "ro/inside")), "x");
  if (::geteuid() == 0) {
    EXPECT_EQ(lstat_of(diff(l, "usr/bin/su")).st_mode & 07777, 04755u);
  }

  auto info = m_store.layer_info(l.chain_id);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->diff_id, l.diff_id);
  EXPECT_EQ(info->size, l.size);
  EXPECT_TRUE(fs::is_empty(m_dir / "store/tmp"));
}

TEST_F(ImageUnpack, DetectsCompressionByContentAndHashesTheUncompressedStream) {
  std::vector<TarEntry> entries = {tar_file("a", std::string(100000, 'a')), tar_file("b/c", "c")};
  std::string plain = make_tar(entries);
  for (auto c : {TarCompression::Gzip, TarCompression::Zstd, TarCompression::Xz, TarCompression::Bzip2}) {
    std::string packed = make_tar(entries, c);
    ASSERT_NE(packed, plain);
    LayerInfo l = add(packed);
    EXPECT_EQ(l.diff_id, sha256_of(plain));
    EXPECT_EQ(read_bytes(diff(l, "a")), std::string(100000, 'a'));
  }
}

TEST_F(ImageUnpack, ChecksTheExpectedDiffIdAndChainsOnAParent) {
  std::string base = make_tar({tar_file("a", "1")});
  std::string top = make_tar({tar_file("b", "2")});
  LayerInfo l0 = add(base);
  LayerInfo l1 = add(top, l0.chain_id, sha256_of(top));
  EXPECT_EQ(l1.parent, l0.chain_id);
  EXPECT_EQ(l1.chain_id, sha256_of(l0.chain_id.str() + " " + sha256_of(top).str()));
  // Already there: nothing is read (the fd is empty).
  berth::UniqueFd empty = memfd_with("");
  StoreLock lock = m_store.lock();
  EXPECT_EQ(m_store.add_layer(lock, empty.get(), l0.chain_id, sha256_of(top), "again").chain_id, l1.chain_id);

  try {
    m_store.add_layer(lock, memfd_with(make_tar({tar_file("c", "3")})).get(), std::nullopt, sha256_of(top),
                      "test-layer");
    FAIL();
  } catch (const UnpackError& e) {
    EXPECT_NE(std::string(e.what()).find("but the image config says"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(m_dir / "store/tmp"));
}

TEST_F(ImageUnpack, EmptyLayerAndGarbage) {
  LayerInfo l = add(make_tar({}));
  EXPECT_TRUE(fs::is_empty(diff(l)));
  EXPECT_THROW(add(std::string(3000, 'z')), UnpackError);
  std::string truncated = make_tar({tar_file("a", std::string(5000, 'a'))}).substr(0, 2048);
  EXPECT_THROW(add(truncated), UnpackError);
  EXPECT_TRUE(fs::is_empty(m_dir / "store/tmp"));
}

// ---- hostile layers ----

using berth::test::contains;

TEST_F(ImageUnpack, RefusesDotDotAndAbsolutePaths) {
  std::string m = refused({tar_file("ok", "1"), tar_file("../escape", "x")});
  EXPECT_TRUE(contains(m, "entry `../escape`: path escapes the layer root")) << m;
  EXPECT_FALSE(fs::exists(m_dir / "escape"));
  EXPECT_FALSE(fs::exists(m_dir / "store/escape"));
  m = refused({tar_file("a/../../escape", "x")});
  EXPECT_TRUE(contains(m, "entry `a/../../escape`")) << m;
  m = refused({tar_file("/abs", "x")});
  EXPECT_TRUE(contains(m, "entry `/abs`: absolute path")) << m;
}

TEST_F(ImageUnpack, RefusesWritingThroughSymlinks) {
  fs::create_directories(m_dir / "outside");
  std::string m = refused({tar_symlink("a", m_dir / "outside"), tar_file("a/passwd", "root::0:0::/:/bin/sh\n")});
  EXPECT_TRUE(contains(m, "entry `a/passwd`: path goes through the symbolic link `a`")) << m;
  EXPECT_FALSE(fs::exists(m_dir / "outside/passwd"));

  const std::string probe = "/etc/berth-unpack-test-must-not-exist";
  m = refused({tar_symlink("a", "/etc"), tar_file("a/berth-unpack-test-must-not-exist", "x")});
  EXPECT_TRUE(contains(m, "symbolic link `a`")) << m;
  EXPECT_FALSE(fs::exists(probe));
  fs::remove(probe);

  m = refused({tar_symlink("up", ".."), tar_file("up/x", "x")});
  EXPECT_TRUE(contains(m, "entry `up/x`: path goes through the symbolic link `up`")) << m;
  EXPECT_FALSE(fs::exists(m_dir / "store/x"));

  m = refused({tar_dir("d"), tar_symlink("d/l", "../.."), tar_dir("d/l/sub"), tar_file("d/l/sub/x", "x")});
  EXPECT_TRUE(contains(m, "entry `d/l/sub/`: path goes through the symbolic link `d/l`")) << m;
  EXPECT_FALSE(fs::exists(m_dir / "sub"));

  // A symlink to a directory inside the layer is still not followed.
  m = refused({tar_dir("real"), tar_symlink("link", "real"), tar_file("link/f", "x")});
  EXPECT_TRUE(contains(m, "symbolic link `link`")) << m;
}

TEST_F(ImageUnpack, RefusesHardlinksOutOfTheRoot) {
  std::string m = refused({tar_hardlink("h", "/etc/passwd")});
  EXPECT_TRUE(contains(m, "entry `h`: hardlink target `/etc/passwd`: absolute path")) << m;
  write_bytes(m_dir / "x", "secret");
  m = refused({tar_hardlink("h", "../x")});
  EXPECT_TRUE(contains(m, "hardlink target `../x`: path escapes the layer root")) << m;

  write_bytes(m_dir / "outside/secret", "secret");
  m = refused({tar_symlink("l", m_dir / "outside"), tar_hardlink("h", "l/secret")});
  EXPECT_TRUE(contains(m, "entry `h`: hardlink target `l/secret`: path goes through the symbolic link `l`")) << m;
  EXPECT_EQ(lstat_of(m_dir / "outside/secret").st_nlink, 1u);

  m = refused({tar_hardlink("h", "missing")});
  EXPECT_TRUE(contains(m, "does not exist in this layer")) << m;
}

TEST_F(ImageUnpack, RefusesOverlongNames) {
  std::string m = refused({tar_file(std::string(300, 'n'), "x")});
  EXPECT_TRUE(contains(m, "name too long (a component of 300 bytes")) << m;
  std::string deep;
  for (int i = 0; i < 50; ++i) deep += std::string(100, 'd') + "/";
  m = refused({tar_file(deep + "f", "x")});
  EXPECT_TRUE(contains(m, "name too long (5051 bytes")) << m;
}

TEST_F(ImageUnpack, RefusesDuplicateAndReplacingEntries) {
  std::string m = refused({tar_file("a", "1"), tar_file("a", "2")});
  EXPECT_TRUE(contains(m, "entry `a`: duplicate entry")) << m;
  m = refused({tar_dir("d"), tar_symlink("d", "/etc")});
  EXPECT_TRUE(contains(m, "entry `d`: duplicate entry")) << m;
  m = refused({tar_file("./x", "1"), tar_symlink("x", "/etc")});
  EXPECT_TRUE(contains(m, "duplicate entry")) << m;
  // d exists as a directory only because d/f needed it: d may not become a symlink later.
  m = refused({tar_file("d/f", "1"), tar_symlink("d", "/etc"), tar_file("d/g", "2")});
  EXPECT_TRUE(contains(m, "entry `d`: the name already exists")) << m;
  m = refused({tar_file("a/.wh.b/c", "1")});
  EXPECT_TRUE(contains(m, "whiteout name `.wh.b` used as a directory")) << m;
}

}  // namespace

// ---- what real layers contain that is odd but valid ----

TEST_F(ImageUnpack, RootDirectoryEntriesAreAccepted) {
  for (const char* root : {"./", "/", "."}) {
    LayerInfo l = add(make_tar({tar_dir(root, 0755), tar_file("a", "1")}));
    EXPECT_EQ(read_bytes(diff(l, "a")), "1") << root;
  }
}

TEST_F(ImageUnpack, ATarWithoutItsEndBlocksEndsAtTheLastEntry) {
  // What some layer writers leave: the entries, and no two zero blocks after them.
  std::string whole = make_tar({tar_file("a", std::string(700, 'a')), tar_file("b", "bb")});
  std::string bare = whole;
  while (bare.size() >= 512 && bare.compare(bare.size() - 512, 512, std::string(512, '\0')) == 0)
    bare.resize(bare.size() - 512);
  ASSERT_LT(bare.size(), whole.size());
  LayerInfo l = add(bare);
  EXPECT_EQ(read_bytes(diff(l, "a")), std::string(700, 'a'));
  EXPECT_EQ(read_bytes(diff(l, "b")), "bb");
  EXPECT_EQ(l.diff_id, sha256_of(bare));
}
