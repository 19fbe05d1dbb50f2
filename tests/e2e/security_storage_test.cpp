// storage_opt size end to end: a container's rootfs writes are bounded. The test's --root is a
// filesystem of its own on a loop device (btrfs with quotas on; xfs and ext4 mounted with
// prjquota where the kernel has quota support for them): a service with `storage_opt: {size:
// 20m}` cannot write 50 MiB to its rootfs (EDQUOT near 20 MiB) while one without can. Where the
// limit cannot be set (ext4 without project quotas) `up` fails with an error naming the
// service, the key, the path and why, and creates nothing. Loop devices and mounts go in every
// case (LoopFs's destructor), after the fixture's own leftover check.
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "engine_fixture.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;

namespace berth::test {
namespace {

using berth::test::contains;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// A filesystem in a sparse image file on a loop device, mounted at mnt(); unmounted and
/// detached when destroyed. why() says what failed when it could not be made.
class LoopFs {
 public:
  LoopFs(const std::string& fstype, std::vector<std::string> mkfs, const std::string& options, long mib) {
    const std::string image = m_dir / "image";
    m_mnt = m_dir / "mnt";
    fs::create_directories(m_mnt);
    { std::ofstream(image).flush(); }
    if (::truncate(image.c_str(), mib << 20) != 0) {
      m_why = "truncate: " + std::string(std::strerror(errno));
      return;
    }
    if (::access(mkfs[0].c_str(), X_OK) != 0) {
      m_why = mkfs[0] + " is not installed";
      return;
    }
    mkfs.push_back(image);
    if (auto r = run_command(mkfs, "/", {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}}); r.exit_code != 0) {
      m_why = mkfs[0] + ": " + r.err;
      return;
    }
    auto loop = run_command({"/usr/sbin/losetup", "-f", "--show", image}, "/", {});
    if (loop.exit_code != 0) {
      m_why = "losetup: " + loop.err;
      return;
    }
    m_device = trim(loop.out);
    if (::mount(m_device.c_str(), m_mnt.c_str(), fstype.c_str(), 0, options.c_str()) != 0) {
      m_why = "mount -t " + fstype + " -o " + options + ": " + std::strerror(errno) +
              " (a kernel without quota support for " + fstype + "?)";
      return;
    }
    m_mounted = true;
  }
  ~LoopFs() {
    if (m_mounted && ::umount2(m_mnt.c_str(), 0) != 0) ::umount2(m_mnt.c_str(), MNT_DETACH);
    if (!m_device.empty()) run_command({"/usr/sbin/losetup", "-d", m_device}, "/", {});
  }
  LoopFs(const LoopFs&) = delete;
  LoopFs& operator=(const LoopFs&) = delete;

  const std::string& why() const { return m_why; }
  const std::string& mnt() const { return m_mnt; }

 private:
  TempDir m_dir;  // destroyed after the destructor's body: the image goes once it is detached
  std::string m_mnt, m_device, m_why;
  bool m_mounted = false;
};

struct FsCase {
  const char* name;
  const char* fstype;
  std::vector<std::string> mkfs;
  const char* options;
  long mib;
  bool btrfs_quota_enable;
};

void PrintTo(const FsCase& c, std::ostream* out) { *out << c.name; }

/// The engine fixture with its --root on a LoopFs.
class StorageQuotaTest : public EngineFixture {
 protected:
  /// Mounts `c` and re-imports the fixture's image into a root on it; false (and why) if not.
  bool use_filesystem(const FsCase& c, std::string& why) {
    m_fs = std::make_unique<LoopFs>(c.fstype, c.mkfs, c.options, c.mib);
    if (!m_fs->why().empty()) {
      why = c.name + std::string(": ") + m_fs->why();
      return false;
    }
    if (c.btrfs_quota_enable) {
      auto r = run_command({"/usr/bin/btrfs", "quota", "enable", m_fs->mnt()}, "/", {});
      if (r.exit_code != 0) {
        why = "btrfs quota enable: " + r.err;
        return false;
      }
    }
    m_root = m_fs->mnt() + "/root";
    auto imp = run_berth({"--root", m_root, "image", "import", *m_tmp / "rootfs.tar", image, "-c", "ENV PATH=/bin",
                          "-c", R"(CMD ["sh"])"},
                         m_project_dir);
    EXPECT_EQ(imp.exit_code, 0) << imp.err;
    return imp.exit_code == 0;
  }

  void TearDown() override {
    EngineFixture::TearDown();  // down -v and the leftover check, while the filesystem is there
    if (!m_fs || !m_fs->why().empty()) return;
    std::error_code ec;
    if (fs::exists(m_root + "/containers", ec))
      for (const auto& e : fs::directory_iterator(m_root + "/containers")) ADD_FAILURE() << "left behind: " << e.path();
    std::ifstream mounts("/proc/self/mountinfo");
    for (std::string line; std::getline(mounts, line);)
      if (contains(line, m_fs->mnt() + "/")) ADD_FAILURE() << "mount left behind: " << line;
  }

  /// `dd` of 50 MiB into the rootfs of `service`: its output, "rc=N" and the file's size.
  std::string write_50m(const std::string& service) {
    auto r = berth_bounded(
        60, {"exec", "-T", service, "sh", "-c",
             "dd if=/dev/zero of=/big bs=1M count=50 2>&1; echo rc=$?; sync; echo size=$(stat -c %s /big)"});
    return r.out + r.err;
  }

  std::unique_ptr<LoopFs> m_fs;
};

const char* kTwoServices = R"(services:
  limited:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    storage_opt:
      size: 20m
  free:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
)";

long size_in(const std::string& out) {
  auto at = out.find("size=");
  return at == std::string::npos ? -1 : std::atol(out.c_str() + at + 5);
}

void expect_limit_enforced(StorageQuotaTest& t, const std::string& limited, const std::string& free) {
  EXPECT_TRUE(contains(limited, "Disk quota exceeded") || contains(limited, "No space left")) << limited;
  EXPECT_TRUE(contains(limited, "rc=1")) << limited;
  const long got = size_in(limited);
  EXPECT_GT(got, 10L << 20) << limited;  // near the limit, not refused at once
  EXPECT_LE(got, 21L << 20) << limited;
  EXPECT_TRUE(contains(free, "rc=0")) << free;
  EXPECT_EQ(size_in(free), 50L << 20) << free;
  (void)t;
}

class StorageQuotaFs : public StorageQuotaTest, public ::testing::WithParamInterface<FsCase> {};

TEST_P(StorageQuotaFs, SizeBoundsRootfsWrites) {
  std::string why;
  if (!use_filesystem(GetParam(), why)) GTEST_SKIP() << why;
  write_compose(kTwoServices);
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_FALSE(contains(up.err, "storage_opt")) << up.err;  // honoured, not warned about
  const std::string limited = write_50m("limited"), free = write_50m("free");
  expect_limit_enforced(*this, limited, free);
  if (::getenv("BERTH_TEST_VERBOSE")) std::cerr << "limited:\n" << limited << "free:\n" << free;
  // Deleting frees the quota: the same container can write again up to its limit.
  auto again = berth_bounded(60, {"exec", "-T", "limited", "sh", "-c",
                                  "rm /big; sync; sleep 1; dd if=/dev/zero of=/again bs=1M count=10 2>&1; echo rc=$?"});
  EXPECT_TRUE(contains(again.out, "rc=0")) << again.out << again.err;
  // down lifts the limit it set (btrfs: the qgroup of the removed subvolume keeps no limit).
  auto down = berth({"down", "-t", "1"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  if (std::string(GetParam().fstype) == "btrfs") {
    auto show = run_command({"/usr/bin/btrfs", "qgroup", "show", "-re", m_fs->mnt()}, "/", {});
    EXPECT_FALSE(contains(show.out, "20.00MiB")) << show.out;
  }
}

INSTANTIATE_TEST_SUITE_P(
    StorageQuota, StorageQuotaFs,
    ::testing::Values(
        FsCase{"btrfs", "btrfs", {"/usr/sbin/mkfs.btrfs", "-q", "-f"}, "", 320, true},
        FsCase{"xfs", "xfs", {"/usr/sbin/mkfs.xfs", "-q", "-f"}, "prjquota", 320, false},
        FsCase{"ext4", "ext4", {"/usr/sbin/mkfs.ext4", "-q", "-F", "-O", "quota,project"}, "prjquota", 320, false}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(StorageQuotaTest, WithoutProjectQuotasIsAClearErrorAndCreatesNothing) {
  std::string why;
  if (!use_filesystem({"ext4", "ext4", {"/usr/sbin/mkfs.ext4", "-q", "-F"}, "", 128, false}, why)) GTEST_SKIP() << why;
  write_compose(R"(services:
  web:
    image: busybox:e2e
    command: ["sleep", "300"]
    storage_opt:
      size: 20m
)");
  auto up = berth({"up", "-d"});
  EXPECT_NE(up.exit_code, 0) << up.out << up.err;
  if (::getenv("BERTH_TEST_VERBOSE")) std::cerr << up.err;
  EXPECT_TRUE(contains(
      up.err, "service \"web\": storage_opt.size: " + m_root + "/containers is on ext4 without project quotas ("))
      << up.err;
  EXPECT_EQ(container_ids(), (std::map<std::string, std::string>{}));           // not even a record to clean up
  EXPECT_FALSE(fs::exists(m_root + "/projects/" + m_project + "/state.json"));  // nor a network

  write_compose(R"(services:
  web:
    image: busybox:e2e
    command: ["sleep", "300"]
    storage_opt:
      dm.basesize: 20G
)");
  up = berth({"up", "-d"});
  EXPECT_NE(up.exit_code, 0) << up.out << up.err;
  EXPECT_TRUE(contains(up.err, "service \"web\": storage_opt.dm.basesize: unknown option")) << up.err;
  EXPECT_EQ(container_ids(), (std::map<std::string, std::string>{}));
  std::error_code ec;
  EXPECT_TRUE(!fs::exists(m_root + "/containers", ec) || fs::is_empty(m_root + "/containers", ec));
}

}  // namespace
}  // namespace berth::test
