#pragma once
// Mounting overlayfs, for berth-shim (a container's rootfs) and the builder (a build step's
// view of its parent layers). overlayfs options travel in one page (4096 bytes) through
// mount(2): a long layer stack ("lowerdir=/var/lib/berth/layers/<64 hex>/diff:..." x 40)
// doesn't fit. Instead of runc's chdir-and-relative-paths trick, the new mount API takes each
// layer in its own fsconfig("lowerdir+") call (Linux 6.8+); errors from fsconfig are read back
// from the fs context fd, which holds the kernel's own message ("overlayfs: failed to resolve").
#include <string>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth {

/// Mounts overlayfs on `target`: `lowers` topmost first, then `upper` and `work` (same file
/// system); with `upper` "" a read-only overlay of the lowers alone (at least two of them). Throws SysError "mount
/// overlay on `target`: ..." with the kernel's message when it gave one.
void mount_overlay(const std::string& target, const std::vector<std::string>& lowers, const std::string& upper,
                   const std::string& work);

/// An overlayfs mount that is attached nowhere (fsmount(2) without move_mount): the returned fd is
/// its root, usable as the dirfd of openat2(RESOLVE_IN_ROOT); the mount vanishes with the last
/// fd, so a crash leaves no mount behind. Arguments as mount_overlay; read-only ones (`upper` "")
/// get index=off. Throws SysError with the kernel's message.
UniqueFd open_detached_overlay(const std::vector<std::string>& lowers, const std::string& upper,
                               const std::string& work);

/// An overlay mount that is lazily unmounted (MNT_DETACH) when it goes.
class OverlayMount {
 public:
  OverlayMount(std::string target, const std::vector<std::string>& lowers, const std::string& upper,
               const std::string& work);
  OverlayMount(const OverlayMount&) = delete;
  OverlayMount& operator=(const OverlayMount&) = delete;
  ~OverlayMount();

  const std::string& target() const noexcept { return m_target; }

 private:
  std::string m_target;
};

}  // namespace berth
