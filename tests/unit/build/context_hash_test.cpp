// The COPY/ADD content hash and its stat cache: the hash moves exactly when something a copy
// would carry changes (content, mode, owner, symlink target, a name, an xattr, what --exclude
// leaves out) and not on `touch`; the stat cache answers for unchanged files without reading
// them, leaves racily-new files out, and persists across instances.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "compose/build/context_hash.hpp"
#include "compose/gocompat/sha256.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace berth::build;
using namespace berth::test;

namespace {

class ContextHash : public ::testing::Test {
 protected:
  void SetUp() override {
    write_bytes(m_dir / "a.txt", "alpha");
    write_bytes(m_dir / "b.txt", "bravo");
    write_bytes(m_dir / "dir/c.txt", "charlie");
    ASSERT_EQ(::symlink("a.txt", (m_dir / "link").c_str()), 0);
  }
  std::string hash(StatCache& cache, const std::vector<std::string>& excludes = {}) const {
    BuildContext ctx(m_dir.path(), IgnoreMatcher());
    return hash_sources(ctx, ctx.resolve("."), excludes, cache);
  }
  std::string hash() const {
    StatCache cache;
    return hash(cache);
  }
  /// Files written just now are too new for the stat cache; let them age past its margin.
  static void age() { std::this_thread::sleep_for(std::chrono::milliseconds(150)); }

  TempDir m_dir{"berth-hash"};
};

TEST_F(ContextHash, StableAndNotMovedByTouch) {
  std::string h = hash();
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(hash(), h);
  struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (m_dir / "a.txt").c_str(), times, 0), 0);
  ASSERT_EQ(::utimensat(AT_FDCWD, (m_dir / "dir").c_str(), times, 0), 0);
  EXPECT_EQ(hash(), h);
}

TEST_F(ContextHash, MovesWithContentOfTheSameSize) {
  std::string h = hash();
  write_bytes(m_dir / "a.txt", "alphA");
  EXPECT_NE(hash(), h);
  write_bytes(m_dir / "a.txt", "alpha");
  EXPECT_EQ(hash(), h);
}

TEST_F(ContextHash, MovesWithMode) {
  std::string h = hash();
  ASSERT_EQ(::chmod((m_dir / "b.txt").c_str(), 0600), 0);
  EXPECT_NE(hash(), h);
  std::string h600 = hash();
  ASSERT_EQ(::chmod((m_dir / "dir").c_str(), 0700), 0);
  EXPECT_NE(hash(), h600);
}

TEST_F(ContextHash, MovesWithOwner) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown needs root";
  std::string h = hash();
  ASSERT_EQ(::lchown((m_dir / "b.txt").c_str(), 1234, static_cast<gid_t>(-1)), 0);
  std::string uid_changed = hash();
  EXPECT_NE(uid_changed, h);
  ASSERT_EQ(::lchown((m_dir / "b.txt").c_str(), static_cast<uid_t>(-1), 4321), 0);
  EXPECT_NE(hash(), uid_changed);
}

TEST_F(ContextHash, MovesWithSymlinkTarget) {
  std::string h = hash();
  ASSERT_EQ(::unlink((m_dir / "link").c_str()), 0);
  ASSERT_EQ(::symlink("b.txt", (m_dir / "link").c_str()), 0);
  EXPECT_NE(hash(), h);
}

TEST_F(ContextHash, MovesWithAName) {
  std::string h = hash();
  ASSERT_EQ(::rename((m_dir / "dir/c.txt").c_str(), (m_dir / "dir/d.txt").c_str()), 0);
  EXPECT_NE(hash(), h);
  ASSERT_EQ(::rename((m_dir / "dir/d.txt").c_str(), (m_dir / "dir/c.txt").c_str()), 0);
  EXPECT_EQ(hash(), h);
}

TEST_F(ContextHash, MovesWithAnXattr) {
  age();
  StatCache cache;  // one cache throughout: a cached entry must not hide an xattr change
  std::string h = hash(cache);
  EXPECT_EQ(hash(cache), h);
  if (::setxattr((m_dir / "a.txt").c_str(), "user.berth", "1", 1, 0) != 0)
    GTEST_SKIP() << "no user xattrs on " << m_dir.path();
  std::string with = hash(cache);
  EXPECT_NE(with, h);
  ASSERT_EQ(::setxattr((m_dir / "a.txt").c_str(), "user.berth", "2", 1, 0), 0);
  EXPECT_NE(hash(cache), with);
  ASSERT_EQ(::setxattr((m_dir / "dir").c_str(), "user.berth", "1", 1, 0), 0);
  std::string on_dir = hash(cache);
  ASSERT_EQ(::removexattr((m_dir / "a.txt").c_str(), "user.berth"), 0);
  ASSERT_EQ(::removexattr((m_dir / "dir").c_str(), "user.berth"), 0);
  EXPECT_EQ(hash(cache), h);
  EXPECT_NE(on_dir, h);
}

TEST_F(ContextHash, ExcludesLeaveOutExactlyWhatTheyMatch) {
  StatCache cache;
  std::string without_b = hash(cache, {"b.txt"});
  EXPECT_NE(without_b, hash());
  ASSERT_EQ(::unlink((m_dir / "b.txt").c_str()), 0);
  EXPECT_EQ(hash(), without_b);
}

TEST_F(ContextHash, SourcesAreHashedByWhatTheyCopy) {
  BuildContext ctx(m_dir.path(), IgnoreMatcher());
  StatCache cache;
  std::string a = hash_sources(ctx, {"a.txt"}, {}, cache);
  EXPECT_NE(a, hash_sources(ctx, {"b.txt"}, {}, cache));
  EXPECT_NE(a, hash_sources(ctx, {"a.txt", "b.txt"}, {}, cache));
  // The same content under another name copies to another name.
  write_bytes(m_dir / "other/a.txt", "alpha");
  write_bytes(m_dir / "other/z.txt", "alpha");
  EXPECT_EQ(hash_sources(ctx, {"other/a.txt"}, {}, cache), a);
  EXPECT_NE(hash_sources(ctx, {"other/z.txt"}, {}, cache), a);
}

TEST_F(ContextHash, FileContentHashIsTheSha256) {
  BuildContext ctx(m_dir.path(), IgnoreMatcher());
  StatCache cache;
  ctx.walk("dir/c.txt", [&](const ContextEntry& e) {
    EXPECT_EQ(file_content_hash(ctx, e, cache), berth::gocompat::sha256_hex("charlie"));
  });
  ContextEntry by_hand;  // no walk: opened by path inside the context
  by_hand.path = "dir/c.txt";
  ASSERT_TRUE(ctx.lstat(by_hand.path, by_hand.st));
  EXPECT_EQ(file_content_hash(ctx, by_hand, cache), berth::gocompat::sha256_hex("charlie"));
}

TEST_F(ContextHash, StatCacheAnswersWithoutReading) {
  age();
  BuildContext ctx(m_dir.path(), IgnoreMatcher());
  StatCache cache;
  std::string h = hash(cache);
  EXPECT_EQ(cache.size(), 6u);  // every entry (its xattrs), three of them with content
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_EQ(hash(cache), h);
  EXPECT_EQ(cache.hits(), 3u);
  // What the cache holds for a stat is what the hash uses: the file is not read again.
  ContextEntry e;
  e.path = "a.txt";
  ASSERT_TRUE(ctx.lstat(e.path, e.st));
  EXPECT_EQ(cache.lookup(e.st), berth::gocompat::sha256_hex("alpha"));
  const std::string fake(64, 'e');
  cache.store(e.st, fake);
  EXPECT_EQ(file_content_hash(ctx, e, cache), fake);
  // touch: a new ctime, a new key, one more read, the same content hash.
  ASSERT_EQ(::utimensat(AT_FDCWD, (m_dir / "a.txt").c_str(), nullptr, 0), 0);
  ASSERT_TRUE(ctx.lstat(e.path, e.st));
  EXPECT_EQ(cache.lookup(e.st), "");
  EXPECT_EQ(file_content_hash(ctx, e, cache), berth::gocompat::sha256_hex("alpha"));
}

TEST_F(ContextHash, RacilyNewFilesAreNotCached) {
  StatCache cache;
  write_bytes(m_dir / "fresh.txt", "new");
  BuildContext ctx(m_dir.path(), IgnoreMatcher());
  struct stat st {};
  ASSERT_TRUE(ctx.lstat("fresh.txt", st));
  hash(cache);
  EXPECT_EQ(cache.lookup(st), "");  // too new to trust its timestamps
  EXPECT_EQ(cache.lookup_xattrs(st), "");
  age();
  hash(cache);
  EXPECT_EQ(cache.lookup(st), berth::gocompat::sha256_hex("new"));
  EXPECT_NE(cache.lookup_xattrs(st), "");
}

TEST_F(ContextHash, StatCachePersistsAcrossInstances) {
  TempDir state("berth-statcache");
  const std::string file = state / "stat-cache";
  struct stat st {};
  st.st_dev = 7;
  st.st_ino = 42;
  st.st_size = 5;
  st.st_mtim = {1700000000, 123};
  st.st_ctim = {1700000001, 456};
  const std::string digest = berth::gocompat::sha256_hex("x");
  {
    StatCache cache(file);
    cache.save();  // nothing stored: nothing written
    EXPECT_TRUE(read_bytes(file).empty());
    cache.store(st, digest);
    cache.store_xattrs(st, berth::gocompat::sha256_hex("y"));
    cache.save();
  }
  StatCache loaded(file);
  EXPECT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded.lookup(st), digest);
  EXPECT_EQ(loaded.lookup_xattrs(st), berth::gocompat::sha256_hex("y"));
  struct stat other = st;
  other.st_ctim.tv_nsec = 457;
  EXPECT_EQ(loaded.lookup(other), "");
  other = st;
  other.st_ino = 43;
  EXPECT_EQ(loaded.lookup(other), "");
  EXPECT_THROW(loaded.store(st, "not hex"), std::invalid_argument);

  write_bytes(file, "something else entirely");
  EXPECT_EQ(StatCache(file).size(), 0u);
  write_bytes(file, "BERTHSC2 and a torn record");
  EXPECT_EQ(StatCache(file).size(), 0u);
}

}  // namespace
