#pragma once
// A container rootfs for runtime tests, built in a temp dir from Debian's static busybox (with
// its applet symlinks), /etc/passwd and /etc/group (root, and "app" 1000:1000 in the supplementary
// groups audio(29) and video(44)), and the static berth_probe as /probe. Plus helpers to make a
// Bundle for it and to find anything a test left behind.
//
//   berth::testing::RootfsFixture fx;                 // GTEST_SKIP() first if !rootfs_missing().empty()
//   shim::Bundle b = fx.bundle({"/probe", "status"});  // unique id, Docker-like namespaces
//   ... create_container(b, ...) ...
//   EXPECT_EQ(berth::testing::leftovers(fx.dir(), b.id), std::vector<std::string>{});
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "runtime-shim/container/bundle.hpp"

namespace berth::testing {

/// Why a rootfs can't be built or used here ("" when it can): not root, no /bin/busybox
/// (package busybox-static), no probe binary.
std::string rootfs_missing();

class RootfsFixture {
 public:
  /// Creates /tmp/berth-test-XXXXXX with rootfs/ populated.
  RootfsFixture();
  /// Removes the temp tree (without crossing mount points).
  ~RootfsFixture();
  RootfsFixture(const RootfsFixture&) = delete;
  RootfsFixture& operator=(const RootfsFixture&) = delete;

  const std::string& dir() const { return m_dir; }  ///< the temp dir
  std::string rootfs() const { return m_dir + "/rootfs"; }
  std::string path(std::string_view rel) const { return m_dir + "/" + std::string(rel); }

  /// Creates dir()/rel (and parents); returns its path.
  std::string make_dir(std::string_view rel, mode_t mode = 0755) const;
  /// Writes `content` to rootfs()/path_in_rootfs (parents created).
  void write_rootfs_file(std::string_view path_in_rootfs, std::string_view content, mode_t mode = 0644) const;

  /// A bundle running `args` in rootfs(): a unique id ("<prefix>-<pid>-<n>"), new pid, mount,
  /// ipc, uts, network (empty) and cgroup namespaces, hostname "berth-test", PATH, cgroups under
  /// berth/<id>; Docker's defaults for everything else.
  shim::Bundle bundle(std::vector<std::string> args, std::string_view id_prefix = "berth-t") const;

  /// The host path of the static probe (BERTH_PROBE), and where it is in the rootfs.
  static std::string probe_host_path();
  static constexpr const char* probe = "/probe";

 private:
  std::string m_dir;
};

/// What a test left on the machine, one line each: mounts whose /proc/self/mountinfo line
/// mentions `dir`, cgroup directories <hierarchy>/berth/<id>, processes in such a cgroup.
std::vector<std::string> leftovers(const std::string& dir, const std::string& id);

}  // namespace berth::testing
