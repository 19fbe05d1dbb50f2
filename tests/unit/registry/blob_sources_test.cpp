// compose/registry/blob_sources: where blobs are known to exist, for cross-repository mounts.
#include "compose/registry/blob_sources.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "support/temp_dir.hpp"

using namespace berth::registry;
using berth::image::Digest;

namespace {
const Digest kBlob = Digest::from_hex(std::string(64, 'a'));
const Digest kOther = Digest::from_hex(std::string(64, 'b'));
}  // namespace

TEST(BlobSources, NothingKnownAtFirstAndAReadOnlyPlaceIsNoError) {
  berth::test::TempDir dir;
  EXPECT_TRUE(BlobSources(dir.path()).repositories(kBlob, "127.0.0.1:5000").empty());
  EXPECT_FALSE(BlobSources(dir / "no/such/dir").add(kBlob, "127.0.0.1:5000", "test/a"));
}

TEST(BlobSources, LastNotedFirstPerHostWithoutTheTarget) {
  berth::test::TempDir dir;
  BlobSources s(dir.path());
  s.add(kBlob, "127.0.0.1:5000", "test/a");
  s.add(kBlob, "127.0.0.1:5000", "test/b");
  s.add(kBlob, "127.0.0.1:50", "test/c");                 // another registry (a port that is a prefix)
  EXPECT_TRUE(s.add(kBlob, "127.0.0.1:5000", "test/a"));  // noted already: the file does not grow
  s.add(kOther, "127.0.0.1:5000", "test/z");
  EXPECT_EQ(s.repositories(kBlob, "127.0.0.1:5000"), (std::vector<std::string>{"test/b", "test/a"}));
  EXPECT_EQ(s.repositories(kBlob, "127.0.0.1:5000", "test/a"), (std::vector<std::string>{"test/b"}));
  EXPECT_EQ(s.repositories(kBlob, "127.0.0.1:50"), (std::vector<std::string>{"test/c"}));
  EXPECT_EQ(s.repositories(kOther, "127.0.0.1:5000"), (std::vector<std::string>{"test/z"}));
  EXPECT_TRUE(s.repositories(kBlob, "ghcr.io").empty());
  std::ifstream record(dir / ("blob-sources/" + std::string(64, 'a')));
  std::string text((std::istreambuf_iterator<char>(record)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "127.0.0.1:5000/test/a\n127.0.0.1:5000/test/b\n127.0.0.1:50/test/c\n");
}
