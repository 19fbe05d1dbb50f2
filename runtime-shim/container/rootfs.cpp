// Root file system of the container.
// overlayfs options travel in one page (4096 bytes) through mount(2): a long layer stack
// ("lowerdir=/var/lib/berth/layers/<64 hex>/diff:..." x 40) doesn't fit. Instead of runc's
// chdir-and-relative-paths trick, the new mount API takes each layer in its own
// fsconfig("lowerdir+") call (Linux 6.8+); errors from fsconfig are read back from the fs
// context fd, which holds the kernel's own message ("overlayfs: failed to resolve ...").
// pivot_root(".", "."): with the new root as cwd, the old root ends up stacked on top of the new
// one; made rslave (so the detach doesn't propagate anywhere) and lazily unmounted, it is gone
// without a put_old directory in the image.
#include "runtime-shim/container/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "runtime-shim/container/fsutil.hpp"

namespace berth::shim {

namespace {

/// Messages the kernel queued on an fs context fd ("e overlayfs: ..."), joined by "; ".
std::string fs_context_log(int fs_fd) {
  std::string out;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(fs_fd, buf, sizeof buf - 1);
    if (n <= 0) return out;
    std::string line(buf, static_cast<size_t>(n));
    while (!line.empty() && line.back() == '\n') line.pop_back();
    if (line.size() > 2 && line[1] == ' ') line.erase(0, 2);
    out += (out.empty() ? "" : "; ") + line;
  }
}

[[noreturn]] void throw_overlay(int fs_fd, const std::string& what, int err) {
  std::string log = fs_context_log(fs_fd);
  throw_sys("mount", what + (log.empty() ? "" : " [" + log + "]"), err);
}

void mount_overlay_new_api(const std::string& target, const std::vector<std::string>& lowers, const std::string& upper,
                           const std::string& work) {
  const std::string what = "overlay on `" + target + "`";
  UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs) throw_sys("mount", "fsopen overlay for `" + target + "`", errno);
  for (const std::string& lower : lowers)
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", lower.c_str(), 0) != 0)
      throw_overlay(fs.get(), "mount " + what + ": lowerdir+ `" + lower + "`", errno);
  if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "upperdir", upper.c_str(), 0) != 0)
    throw_overlay(fs.get(), "mount " + what + ": upperdir `" + upper + "`", errno);
  if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "workdir", work.c_str(), 0) != 0)
    throw_overlay(fs.get(), "mount " + what + ": workdir `" + work + "`", errno);
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    throw_overlay(fs.get(), "mount " + what, errno);
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
  if (!mnt) throw_overlay(fs.get(), "mount " + what, errno);
  if (::move_mount(mnt.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    throw_sys("mount", "move_mount " + what, errno);
}

}  // namespace

void make_mounts_private() {
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) throw_errno("make `/` rprivate");
}

void mount_overlay(const std::string& target, const std::vector<std::string>& lowers, const std::string& upper,
                   const std::string& work) {
  std::string lowerdir;
  for (const std::string& l : lowers) lowerdir += (lowerdir.empty() ? "" : ":") + l;
  const std::string data = "lowerdir=" + lowerdir + ",upperdir=" + upper + ",workdir=" + work;
  if (data.size() < 4000) {
    do_mount("overlay", target, "overlay", 0, data, "overlay", target);
    return;
  }
  mount_overlay_new_api(target, lowers, upper, work);
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
