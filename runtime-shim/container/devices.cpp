// /dev inside the container. Nodes are created with mknod(2) as runc does when it is not in a user
// namespace; where mknod is refused (EPERM: a user namespace, or a seccomp/LSM policy around the
// shim) the host's node is bind-mounted onto an empty file instead. Every node is created through
// a parent directory fd resolved with RESOLVE_IN_ROOT. The mode is set with fchmodat afterwards
// because mknod honours the umask. /dev/console is the terminal's pty bound by its path.
#include "runtime-shim/container/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "common/sys_error.hpp"
#include "runtime-shim/container/fsutil.hpp"

namespace berth::shim {

namespace {

std::string dir_part(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_part(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void bind_host_node(int root_fd, const std::string& path) {
  UniqueFd target = ensure_in_root(root_fd, path, NodeKind::File);
  do_mount(path.c_str(), fd_path(target.get()), nullptr, MS_BIND, "", "`" + path + "`", path);
}

void make_node(int root_fd, const Device& d) {
  if (d.path.empty() || d.path.front() != '/' || d.path.find("..") != std::string::npos)
    throw SysError("device `" + d.path + "`", EINVAL);
  UniqueFd parent = ensure_in_root(root_fd, dir_part(d.path), NodeKind::Directory);
  const std::string name = base_part(d.path);
  mode_t type = d.type == "b" ? S_IFBLK : d.type == "p" ? S_IFIFO : S_IFCHR;
  dev_t dev = makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
  UniqueFd dir(::openat(parent.get(), ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!dir) throw_errno("open `" + dir_part(d.path) + "` in rootfs");
  if (::mknodat(dir.get(), name.c_str(), type | (d.file_mode & 07777), dev) != 0) {
    if (errno == EEXIST) return;  // provided by a mount or the image: keep it
    if (errno == EPERM && type != S_IFIFO) {
      bind_host_node(root_fd, d.path);
      return;
    }
    throw_errno("mknod `" + d.path + "`");
  }
  if (::fchmodat(dir.get(), name.c_str(), d.file_mode & 07777, 0) != 0) throw_errno("chmod `" + d.path + "`");
  if (::fchownat(dir.get(), name.c_str(), d.uid, d.gid, AT_SYMLINK_NOFOLLOW) != 0)
    throw_errno("chown `" + d.path + "`");
}

void symlink_in_dev(int dev_fd, const char* target, const char* name) {
  if (::symlinkat(target, dev_fd, name) != 0 && errno != EEXIST)
    throw_errno(std::string("symlink `/dev/") + name + "`");
}

}  // namespace

void populate_dev(int root_fd, const std::vector<Device>& devices, int console_fd) {
  static const Device defaults[] = {
      {"/dev/null", "c", 1, 3, 0666, 0, 0},    {"/dev/zero", "c", 1, 5, 0666, 0, 0},
      {"/dev/full", "c", 1, 7, 0666, 0, 0},    {"/dev/random", "c", 1, 8, 0666, 0, 0},
      {"/dev/urandom", "c", 1, 9, 0666, 0, 0}, {"/dev/tty", "c", 5, 0, 0666, 0, 0},
  };
  for (const Device& d : defaults) make_node(root_fd, d);
  for (const Device& d : devices) make_node(root_fd, d);

  UniqueFd dev_path = ensure_in_root(root_fd, "/dev", NodeKind::Directory);
  UniqueFd dev(::openat(dev_path.get(), ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!dev) throw_errno("open `/dev` in rootfs");
  symlink_in_dev(dev.get(), "/proc/self/fd", "fd");
  symlink_in_dev(dev.get(), "/proc/self/fd/0", "stdin");
  symlink_in_dev(dev.get(), "/proc/self/fd/1", "stdout");
  symlink_in_dev(dev.get(), "/proc/self/fd/2", "stderr");
  symlink_in_dev(dev.get(), "pts/ptmx", "ptmx");
  symlink_in_dev(dev.get(), "/proc/kcore", "core");

  if (console_fd >= 0) {
    // Bind by path, not through /proc/self/fd: the fd's mount belongs to the shim's mount
    // namespace, and a bind from a mount of another namespace fails with EINVAL. Before
    // pivot_root the child's namespace is a copy of it, so the path names the same pty.
    char pty[4096];
    ssize_t n = ::readlink(fd_path(console_fd).c_str(), pty, sizeof pty - 1);
    if (n <= 0 || pty[0] != '/')
      throw SysError("find the terminal's path (fd " + std::to_string(console_fd) + ")", n < 0 ? errno : EINVAL);
    pty[n] = '\0';
    UniqueFd console = ensure_in_root(root_fd, "/dev/console", NodeKind::File);
    do_mount(pty, fd_path(console.get()), nullptr, MS_BIND, "", std::string("the terminal `") + pty + "`",
             "/dev/console");
  }
}

}  // namespace berth::shim
