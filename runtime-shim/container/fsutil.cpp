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
  const char* what() const noexcept override { return m_text.c_str(); }

 private:
  std::string m_text;
};

std::string join_components(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

}  // namespace

UniqueFd open_in_root(int root_fd, std::string_view path, int flags) {
  std::string rel(path);
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  if (rel.empty()) rel = ".";
  open_how how{};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd = -1;
  // EAGAIN: a concurrent rename or mount raced the lookup (RESOLVE_IN_ROOT refuses to guess).
  for (int attempt = 0; attempt < 64; ++attempt) {
    fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN) break;
  }
  return UniqueFd(static_cast<int>(fd));
}

UniqueFd resolve_in_root(int root_fd, std::string_view path, std::string_view what) {
  UniqueFd fd = open_in_root(root_fd, path);
  if (!fd) throw_errno("resolve `" + std::string(path) + "` in " + std::string(what));
  return fd;
}

UniqueFd ensure_in_root(int root_fd, std::string_view path, NodeKind kind) {
  // A lexical walk that expands symlinks itself (like libpathrs' MkdirAll): `resolved` never
  // contains a symlink, so each step opens it with RESOLVE_NO_SYMLINKS.
  std::vector<std::string> todo = split_path(path);
  std::reverse(todo.begin(), todo.end());
  std::vector<std::string> resolved;
  int links = 0;
  auto open_resolved = [&](int flags) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const std::string rel = join_components(resolved, resolved.size());
    return UniqueFd(static_cast<int>(::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how)));
  };
  const std::string shown(path);
  while (!todo.empty()) {
    const std::string part = todo.back();
    todo.pop_back();
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    UniqueFd parent = open_resolved(O_PATH | O_DIRECTORY);
    if (!parent) throw_errno("resolve `" + shown + "` in rootfs");
    struct stat st {};
    if (::fstatat(parent.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) throw_errno("stat `" + shown + "` in rootfs");
      if (todo.empty() && kind == NodeKind::File) {
        int fd = ::openat(parent.get(), part.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) throw_errno("create `" + shown + "` in rootfs");
        if (fd >= 0) ::close(fd);
      } else if (::mkdirat(parent.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
        throw_errno("mkdir `" + shown + "` in rootfs");
      }
    } else if (S_ISLNK(st.st_mode)) {
      if (++links > 40) throw SysError("resolve `" + shown + "` in rootfs", ELOOP);
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(parent.get(), part.c_str(), target.data(), target.size());
      if (n < 0) throw_errno("readlink `" + shown + "` in rootfs");
      target.resize(static_cast<size_t>(n));
      if (!target.empty() && target.front() == '/') resolved.clear();
      std::vector<std::string> more = split_path(target);
      todo.insert(todo.end(), more.rbegin(), more.rend());
      continue;
    }
    resolved.push_back(part);
  }
  UniqueFd current = open_resolved(O_PATH);
  if (!current) throw_errno("resolve `" + shown + "` in rootfs");
  struct stat st {};
  if (::fstat(current.get(), &st) != 0) throw_errno("stat `" + shown + "` in rootfs");
  if (kind == NodeKind::Directory && !S_ISDIR(st.st_mode))
    throw SysError("mount point `" + shown + "` in rootfs", ENOTDIR);
  if (kind == NodeKind::File && S_ISDIR(st.st_mode)) throw SysError("mount point `" + shown + "` in rootfs", EISDIR);
  return current;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

std::string read_all(int fd, const std::string& shown) {
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read `" + shown + "`");
    }
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (64u << 20)) throw SysError("read `" + shown + "`", EFBIG);
  }
}

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
