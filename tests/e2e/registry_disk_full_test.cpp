// A pull into a store whose file system fills up: a small tmpfs as --root. The pull must fail
// with the kernel's words and the blob or layer it was writing, leave no image, no blob that no
// image references and no layer dir without its layer.json, and succeed once there is room (the
// tmpfs remounted bigger: what it kept in partial/ is resumed).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "registry_fixture.hpp"
#include "small_tmpfs.hpp"
#include "support/text.hpp"

namespace berth::test {

namespace {

namespace fs = std::filesystem;

using berth::test::contains;

/// Blob files in blobs/sha256 of `root` (hex names).
std::vector<std::string> stored_blobs(const std::string& root) {
  std::vector<std::string> out;
  if (fs::exists(root + "/blobs/sha256"))
    for (const auto& e : fs::directory_iterator(root + "/blobs/sha256")) out.push_back(e.path().filename());
  return out;
}

/// Layer dirs of `root` that have no layer.json (half-unpacked ones).
std::vector<std::string> layers_without_json(const std::string& root) {
  std::vector<std::string> out;
  if (fs::exists(root + "/layers"))
    for (const auto& e : fs::directory_iterator(root + "/layers"))
      if (!fs::exists(e.path() / "layer.json")) out.push_back(e.path());
  return out;
}

class RegistryDiskFull : public RegistryFixture {
 protected:
  /// Pulls `ref` into a fresh 8 MiB tmpfs root: it must fail for want of space and leave
  /// nothing half-stored; then, the tmpfs at 64 MiB, the same pull succeeds.
  void expect_full_then_fine(const std::string& ref, const std::string& name) {
    SmallRoot small(m_root, *m_tmp / ("small-" + std::to_string(++m_roots)), 8);
    if (!small.error().empty()) GTEST_SKIP() << small.error();
    auto r = berth({"image", "pull", ref});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "No space left on device")) << r.err;
    // Which blob (download) or layer (unpack) it was writing.
    EXPECT_TRUE(contains(r.err, "blob sha256:") || contains(r.err, "unpack layer sha256:")) << r.err;
    EXPECT_FALSE(contains(berth({"image", "ls"}).out, name));
    EXPECT_EQ(stored_blobs(root()), std::vector<std::string>{}) << "blobs no image references";
    EXPECT_EQ(layers_without_json(root()), std::vector<std::string>{});
    if (fs::exists(root() + "/layers")) EXPECT_TRUE(fs::is_empty(root() + "/layers")) << "layers of no image";
    if (fs::exists(root() + "/tmp")) EXPECT_TRUE(fs::is_empty(root() + "/tmp")) << "staging left in tmp/";

    ASSERT_TRUE(small.grow(64)) << std::strerror(errno);
    auto again = berth({"image", "pull", ref});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(contains(berth({"image", "ls"}).out, name));
    EXPECT_TRUE(!fs::exists(root() + "/partial") || fs::is_empty(root() + "/partial")) << "partial downloads left";
    EXPECT_EQ(layers_without_json(root()), std::vector<std::string>{});
  }
  int m_roots = 0;
};

}  // namespace

// The 12 MiB layer does not fit: the download of its blob runs out of space.
TEST_F(RegistryDiskFull, ABlobBiggerThanTheDiskFailsCleanlyAndResumesLater) {
  auto reg = start();
  reg->push_image("test/big:1", 12);
  expect_full_then_fine(reg->host() + "/test/big:1", "test/big");
}

// The 5 MiB blob fits, but not once more unpacked beside it: unpacking runs out of space.
TEST_F(RegistryDiskFull, ALayerThatFitsOnlyPackedFailsCleanlyWhenUnpacked) {
  auto reg = start();
  reg->push_image("test/mid:1", 5);
  expect_full_then_fine(reg->host() + "/test/mid:1", "test/mid");
}

}  // namespace berth::test
