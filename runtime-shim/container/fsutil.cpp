// File-system helpers for the shim. Everything that touches a path inside a container's rootfs
// goes through open_in_root()/ensure_in_root(): openat2(2) with RESOLVE_IN_ROOT treats the rootfs
// fd as "/", so an image's symlink (`/etc -> /host/etc`, `../../..`) resolves inside the image.
// Creation walks the path one component at a time, re-resolving from the root after every mkdir,
// so a symlink swapped in between cannot redirect it either. Mounts then target the resolved node
// through /proc/self/fd/N (a magic link the kernel follows to exactly that node).
// Kernel quirks: openat2 needs Linux 5.6; RESOLVE_NO_MAGICLINKS keeps /proc/self/root-style links
// inside the image from leading out.
#include "runtime-shim/container/fsutil.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/sys_error.hpp"

namespace berth::shim {

namespace {

/// SysError whose text ends with a hint for a misleading errno.
class HintedSysError : public SysError {
 public:
  HintedSysError(const std::string& what, int err, const std::string& hint)
      : SysError(what, err), m_text(std::string(SysError::what()) + " (" + hint + ")") {}
  /// `e` (whose text already has errno's) with the hint added.
  HintedSysError(const SysError& e, const std::string& hint)
      : SysError(e), m_text(std::string(e.what()) + " (" + hint + ")") {}
  const char* what() const noexcept override { return m_text.c_str(); }

 private:
  std::string m_text;
};

}  // namespace

std::string read_file_at(int dir_fd, const std::string& path) {
  UniqueFd fd(::openat(dir_fd, path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open `" + path + "`");
  return read_all(fd.get(), path);
}

void write_file_at(int dir_fd, const std::string& path, std::string_view value, const std::string& shown) {
  UniqueFd fd(::openat(dir_fd, path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) throw_errno("open `" + shown + "`");
  // One write(2): cgroup and sysctl files take the value in a single call.
  ssize_t n;
  do {
    n = ::write(fd.get(), value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("write `" + std::string(value) + "` to `" + shown + "`");
}

std::string errno_hint(std::string_view operation, int err) {
  struct Hint {
    std::string_view operation;
    int err;
    const char* text;
  };
  // errno values that say little or mislead for these operations.
  static constexpr Hint hints[] = {
      {"pivot_root", EINVAL,
       "the new root must be a mount point that is not on a shared mount, and the "
       "shim must not run from an initramfs (rootfs)"},
      {"mount", ENOSPC, "mount limit reached: /proc/sys/fs/mount-max"},
      {"mount", ENODEV, "file system type not supported by this kernel: /proc/filesystems"},
      {"mount", EINVAL, "bad option or the target is not a directory/file matching the source"},
      {"mount", EBUSY, "already mounted or the target is in use"},
      {"mount", ENOENT, "a source, target or overlay layer directory does not exist"},
      {"setns", EINVAL, "the path is not a namespace of the requested type"},
      {"sethostname", EPERM, "a hostname needs a new UTS namespace"},
      {"exec", EACCES, "not executable, or a directory, or on a noexec mount"},
  };
  for (const Hint& h : hints)
    if (h.operation == operation && h.err == err) return h.text;
  return "";
}

void throw_sys(std::string_view operation, const std::string& what, int err) {
  std::string hint = errno_hint(operation, err);
  if (hint.empty()) throw SysError(what, err);
  throw HintedSysError(what, err, hint);
}

void rethrow_with_hint(std::string_view operation, const SysError& e) {
  std::string hint = errno_hint(operation, e.code());
  if (hint.empty()) throw e;
  throw HintedSysError(e, hint);
}

void do_mount(const char* source, const std::string& target, const char* fstype, unsigned long flags,
              const std::string& data, const std::string& what, const std::string& shown) {
  if (::mount(source, target.c_str(), fstype, flags, data.empty() ? nullptr : data.c_str()) != 0)
    throw_sys("mount", "mount " + what + " on `" + shown + "`", errno);
}

unsigned long locked_mount_flags(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) throw_errno("statvfs `" + path + "`");
  unsigned long flags = 0;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

}  // namespace berth::shim
