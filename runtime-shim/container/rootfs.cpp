// Root file system of the container: the overlay (common/overlay_mount, with the errno hints of
// fsutil), the pivot, the read-only remount.
// pivot_root(".", "."): with the new root as cwd, the old root ends up stacked on top of the new
// one; made rslave (so the detach doesn't propagate anywhere) and lazily unmounted, it is gone
// without a put_old directory in the image.
#include "runtime-shim/container/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/overlay_mount.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "runtime-shim/container/fsutil.hpp"

namespace berth::shim {

void make_mounts_private() {
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) throw_errno("make `/` rprivate");
}

void mount_overlay(const std::string& target, const std::vector<std::string>& lowers, const std::string& upper,
                   const std::string& work) {
  try {
    berth::mount_overlay(target, lowers, upper, work);
  } catch (const SysError& e) {
    rethrow_with_hint("mount", e);
  }
}

void bind_onto_itself(const std::string& dir) {
  do_mount(dir.c_str(), dir, nullptr, MS_BIND | MS_REC, "", "`" + dir + "`", dir);
}

void pivot_into(int rootfs_fd) {
  UniqueFd old_root(::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!old_root) throw_errno("open `/`");
  if (::fchdir(rootfs_fd) != 0) throw_errno("chdir into the rootfs");
  if (::syscall(SYS_pivot_root, ".", ".") != 0) throw_sys("pivot_root", "pivot_root `.` `.`", errno);
  if (::fchdir(old_root.get()) != 0) throw_errno("chdir into the old root");
  if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) throw_errno("make the old root rslave");
  if (::umount2(".", MNT_DETACH) != 0) throw_errno("detach the old root");
  if (::chdir("/") != 0) throw_errno("chdir `/`");
}

void remount_root_readonly() {
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | locked_mount_flags("/");
  if (::mount(nullptr, "/", nullptr, flags, nullptr) != 0) throw_sys("mount", "remount `/` read-only", errno);
}

}  // namespace berth::shim
