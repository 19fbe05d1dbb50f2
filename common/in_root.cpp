// Resolution and creation of paths inside a root directory (see in_root.hpp).
#include "common/in_root.hpp"

#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "common/split_path.hpp"
#include "common/sys_error.hpp"

namespace berth {

namespace {

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

}  // namespace berth
