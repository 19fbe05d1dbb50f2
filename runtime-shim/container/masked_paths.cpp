// Masked and read-only paths, applied after pivot_root (the paths are the container's own /proc
// and /sys). A masked file gets the container's /dev/null bound over it (reads return nothing,
// writes vanish); a masked directory gets an empty read-only tmpfs. A read-only path is bound onto
// itself and remounted MS_RDONLY, keeping proc's nosuid/nodev/noexec (locked_mount_flags).
// Absent paths are skipped: which /proc files exist depends on the kernel's configuration.
#include "runtime-shim/container/masked_paths.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>

#include "common/sys_error.hpp"
#include "runtime-shim/container/fsutil.hpp"

namespace berth::shim {

const std::vector<std::string>& default_masked_paths() {
  static const std::vector<std::string> paths = {"/proc/asound",
                                                 "/proc/acpi",
                                                 "/proc/kcore",
                                                 "/proc/keys",
                                                 "/proc/latency_stats",
                                                 "/proc/timer_list",
                                                 "/proc/timer_stats",
                                                 "/proc/sched_debug",
                                                 "/proc/scsi",
                                                 "/sys/firmware",
                                                 "/sys/devices/virtual/powercap"};
  return paths;
}

const std::vector<std::string>& default_readonly_paths() {
  static const std::vector<std::string> paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};
  return paths;
}

void mask_paths(int root_fd, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    UniqueFd fd = open_in_root(root_fd, path);
    if (!fd) {
      if (errno == ENOENT) continue;
      throw_errno("mask `" + path + "`: resolve");
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw_errno("mask `" + path + "`: stat");
    if (S_ISDIR(st.st_mode))
      do_mount("tmpfs", fd_path(fd.get()), "tmpfs", MS_RDONLY, "", "tmpfs (mask)", path);
    else
      do_mount("/dev/null", fd_path(fd.get()), nullptr, MS_BIND, "", "`/dev/null` (mask)", path);
  }
}

void make_paths_readonly(int root_fd, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    UniqueFd fd = open_in_root(root_fd, path);
    if (!fd) {
      if (errno == ENOENT) continue;
      throw_errno("make `" + path + "` read-only: resolve");
    }
    const std::string self = fd_path(fd.get());
    do_mount(self.c_str(), self, nullptr, MS_BIND | MS_REC, "", "`" + path + "` (read-only bind)", path);
    UniqueFd mounted = resolve_in_root(root_fd, path);  // the new bind, not the covered node
    const std::string target = fd_path(mounted.get());
    do_mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_mount_flags(target), "",
             "(remount ro)", path);
  }
}

}  // namespace berth::shim
