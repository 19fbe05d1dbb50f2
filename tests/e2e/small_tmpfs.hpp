#pragma once
// A small tmpfs standing in for a full disk in e2e tests (a store, or a run dir full of logs).
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace berth::test {

/// A tmpfs of `mib` MiB at `dir`, made the fixture's --root (or any path `root` names: the run
/// dir, mounted over itself); on destruction the old value is back
/// and the tmpfs unmounted (lazily: a failed test may leave a berth process with a cwd in it).
class SmallRoot {
 public:
  SmallRoot(std::string& root, const std::string& dir, int mib) : m_root(root), m_old(root), m_dir(dir) {
    std::filesystem::create_directories(m_dir);
    const std::string opts = "size=" + std::to_string(mib) + "m,mode=0755";
    if (::mount("tmpfs", m_dir.c_str(), "tmpfs", 0, opts.c_str()) != 0) {
      m_error = "mount tmpfs on " + m_dir + ": " + std::strerror(errno);
      return;
    }
    m_mounted = true;
    m_root = m_dir;
  }
  ~SmallRoot() {
    m_root = m_old;
    if (m_mounted) ::umount2(m_dir.c_str(), MNT_DETACH);
  }
  SmallRoot(const SmallRoot&) = delete;
  SmallRoot& operator=(const SmallRoot&) = delete;

  /// "" when mounted, else why not.
  const std::string& error() const { return m_error; }
  /// Makes it `mib` MiB (remount keeps its content).
  bool grow(int mib) {
    const std::string opts = "size=" + std::to_string(mib) + "m";
    return ::mount("tmpfs", m_dir.c_str(), "tmpfs", MS_REMOUNT, opts.c_str()) == 0;
  }

 private:
  std::string& m_root;
  std::string m_old, m_dir, m_error;
  bool m_mounted = false;
};

}  // namespace berth::test
