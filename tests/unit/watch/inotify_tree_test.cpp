// The recursive inotify watcher on a temporary tree: changes below a watched directory, a new
// directory's files (written before its watch could exist), a watched path that does not exist
// yet, a watched file among siblings that are not reported; bounded waits only.
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <filesystem>

#include "compose/watch/inotify_tree.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace berth;
using namespace berth::watch;
namespace fs = std::filesystem;

namespace {

/// Events until `want` was seen or 5 s passed.
std::vector<std::string> collect(InotifyTree& tree, const std::string& want) {
  std::vector<std::string> seen;
  for (int i = 0; i < 50 && std::find(seen.begin(), seen.end(), want) == seen.end(); ++i) {
    pollfd p{tree.fd(), POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) tree.read_events(seen);
  }
  return seen;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(InotifyTree, ReportsChangesBelowAndWalksNewDirectories) {
  test::TempDir dir;
  const std::string root = dir.path() + "/src";
  fs::create_directories(root + "/old");
  InotifyTree tree({root});
  EXPECT_EQ(tree.watch_count(), 2u);

  test::write_bytes(root + "/old/a.txt", "1");
  EXPECT_TRUE(has(collect(tree, root + "/old/a.txt"), root + "/old/a.txt"));

  // A directory made with its content at once (rename of a prepared tree): every path reported.
  fs::create_directories(dir.path() + "/prep/deep");
  test::write_bytes(dir.path() + "/prep/deep/b.txt", "2");
  fs::rename(dir.path() + "/prep", root + "/new");
  auto seen = collect(tree, root + "/new/deep/b.txt");
  EXPECT_TRUE(has(seen, root + "/new")) << seen.size();
  EXPECT_TRUE(has(seen, root + "/new/deep/b.txt"));
  test::write_bytes(root + "/new/deep/c.txt", "3");  // watched now
  EXPECT_TRUE(has(collect(tree, root + "/new/deep/c.txt"), root + "/new/deep/c.txt"));

  fs::remove(root + "/old/a.txt");
  EXPECT_TRUE(has(collect(tree, root + "/old/a.txt"), root + "/old/a.txt"));
}

TEST(InotifyTree, APathThatDoesNotExistYetAndASingleFile) {
  test::TempDir dir;
  const std::string later = dir.path() + "/a/b";
  const std::string single = dir.path() + "/one.txt";
  test::write_bytes(single, "x");
  InotifyTree tree({later, single});
  test::write_bytes(dir.path() + "/sibling.txt", "not watched");
  fs::create_directories(later);
  test::write_bytes(later + "/f", "y");
  auto seen = collect(tree, later + "/f");
  EXPECT_TRUE(has(seen, later + "/f"));
  EXPECT_FALSE(has(seen, dir.path() + "/sibling.txt"));
  EXPECT_FALSE(has(seen, dir.path() + "/a"));
  test::write_bytes(single, "changed");
  EXPECT_TRUE(has(collect(tree, single), single));
}

}  // namespace
