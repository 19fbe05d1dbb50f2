// A layer dir in overlayfs form → an OCI layer tar → unpacked again: files, modes, owners,
// symlinks, hardlinks, an overlay whiteout (0/0 device) and an opaque directory survive the
// round trip; overlayfs's own bookkeeping xattrs are dropped by clean_overlay_upper and never
// written; the same tree always gives the same bytes. Needs root (mknod, chown, trusted.*).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include "common/unique_fd.hpp"
#include "compose/image/digest.hpp"
#include "compose/image/layer_tar.hpp"
#include "compose/image/unpack.hpp"
#include "support/files.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

using namespace berth::image;
namespace bt = berth::test;
namespace fs = std::filesystem;

namespace {

class LayerTar : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (mknod, chown, trusted.* xattrs)";
    layer = m_tmp / "upper";
    fs::create_directories(layer + "/etc/opaque");
    bt::write_bytes(layer + "/etc/app.conf", "key=value\n");
    ASSERT_EQ(::chmod((layer + "/etc/app.conf").c_str(), 0640), 0);
    ASSERT_EQ(::chown((layer + "/etc/app.conf").c_str(), 1234, 5678), 0);
    bt::write_bytes(layer + "/etc/opaque/new", "n\n");
    ASSERT_EQ(::setxattr((layer + "/etc/opaque").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
    ASSERT_EQ(::setxattr((layer + "/etc").c_str(), "trusted.overlay.origin", "xx", 2, 0), 0);
    ASSERT_EQ(::mknod((layer + "/etc/gone").c_str(), S_IFCHR | 0, ::makedev(0, 0)), 0);
    fs::create_symlink("app.conf", layer + "/etc/link");
    fs::create_hard_link(layer + "/etc/app.conf", layer + "/etc/hard");
  }

  std::string tar_of(const std::string& dir, LayerTarStats* stats = nullptr) {
    std::string out;
    LayerTarStats s =
        write_layer_tar(dir, [&](const void* d, size_t n) { out.append(static_cast<const char*>(d), n); });
    if (stats) *stats = s;
    return out;
  }

  bt::TempDir m_tmp;
  std::string layer;
};

TEST_F(LayerTar, RoundTripsThroughUnpackWithWhiteoutsAndOpaqueDirs) {
  EXPECT_EQ(clean_overlay_upper(layer), 7u);  // etc, app.conf, gone, hard, link, opaque, opaque/new
  EXPECT_EQ(bt::read_xattr(layer + "/etc", "trusted.overlay.origin"), "");
  EXPECT_EQ(bt::read_xattr(layer + "/etc/opaque", "trusted.overlay.opaque"), "y");

  LayerTarStats stats;
  std::string tar = tar_of(layer, &stats);
  EXPECT_EQ(tar, tar_of(layer)) << "the same tree gives the same bytes";
  EXPECT_EQ(stats.content_size, 10u + 2u);  // app.conf once (hard is a link to it) + opaque/new
  bt::write_bytes(m_tmp / "layer.tar", tar);
  auto list = bt::run_command({"/usr/bin/tar", "-tvf", m_tmp / "layer.tar"}, "/", {});
  EXPECT_TRUE(bt::contains(list.out, "etc/.wh.gone")) << list.out;
  EXPECT_TRUE(bt::contains(list.out, "etc/opaque/.wh..wh..opq")) << list.out;
  EXPECT_TRUE(bt::contains(list.out, "etc/hard link to etc/app.conf")) << list.out;
  EXPECT_TRUE(bt::contains(list.out, "1234/5678")) << list.out;
  EXPECT_FALSE(bt::contains(list.out, "trusted.overlay")) << list.out;

  berth::UniqueFd fd(::open((m_tmp / "layer.tar").c_str(), O_RDONLY | O_CLOEXEC));
  LayerInfo info = unpack_layer(m_tmp / "layers", m_tmp / "staging", fd.get(), std::nullopt, std::nullopt, "test");
  EXPECT_EQ(info.diff_id, sha256_of(tar));
  const std::string back = m_tmp / ("layers/" + std::string(info.chain_id.hex()) + "/diff");
  struct stat st {};
  ASSERT_EQ(::lstat((back + "/etc/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == ::makedev(0, 0));
  EXPECT_EQ(bt::read_xattr(back + "/etc/opaque", "trusted.overlay.opaque"), "y");
  ASSERT_EQ(::lstat((back + "/etc/app.conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(fs::read_symlink(back + "/etc/link"), "app.conf");
  EXPECT_EQ(bt::read_bytes(back + "/etc/opaque/new"), "n\n");
}

TEST_F(LayerTar, AnEmptyUpperHasNoEntries) {
  fs::create_directories(m_tmp / "empty");
  EXPECT_EQ(clean_overlay_upper(m_tmp / "empty"), 0u);
  LayerTarStats stats;
  tar_of(m_tmp / "empty", &stats);
  EXPECT_EQ(stats.entries, 0u);
}

}  // namespace
