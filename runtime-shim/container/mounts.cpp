// Mounts inside the container's rootfs, in the child's private mount namespace.
// A destination is resolved with openat2(RESOLVE_IN_ROOT) relative to the rootfs fd (and created
// with the same resolution when missing: a directory, or an empty file for a bind of a file), then
// mounted on /proc/self/fd/N. The magic link lands on exactly the resolved node, so a symlink in
// the image can't redirect a mount onto the host. After mounting, the destination is resolved
// again to reach the *new* mount's root: the old fd still points at the covered directory, and a
// remount or propagation change through it would hit the wrong mount.
// Kernel quirks: MS_RDONLY etc. are ignored on a first MS_BIND, so ro binds need a second
// MS_REMOUNT|MS_BIND call that must repeat nosuid/nodev/noexec (locked_mount_flags); propagation
// flags can't be combined with other flags, so they are a separate mount(2) call.
#include "runtime-shim/container/mounts.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <set>

#include "common/sys_error.hpp"
#include "runtime-shim/container/fsutil.hpp"

namespace berth::shim {

namespace {

constexpr MountFlagWord flag_table[] = {
    // runc's words
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
};

Mount make(const char* dest, const char* type, const char* source, std::vector<std::string> options) {
  return Mount{dest, type, source, std::move(options)};
}

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  return parse_mount_words(options, flag_table);
}

const std::vector<Mount>& default_mounts() {
  static const std::vector<Mount> mounts = {
      make("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      make("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      make("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      make("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      make("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      make("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
  };
  return mounts;
}

std::vector<Mount> with_default_mounts(const std::vector<Mount>& mounts) {
  std::set<std::string> listed;
  for (const Mount& m : mounts) {
    std::string d = m.destination;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    listed.insert(d);
  }
  std::vector<Mount> out;
  for (const Mount& d : default_mounts())
    if (!listed.count(d.destination)) out.push_back(d);
  out.insert(out.end(), mounts.begin(), mounts.end());
  return out;
}

void mount_in_root(int root_fd, const Mount& m) {
  MountOptions o = parse_mount_options(m.options);
  const bool bind = (o.flags & MS_BIND) != 0 || m.type == "bind";
  const std::string& dest = m.destination;
  NodeKind kind = NodeKind::Directory;
  if (bind) {
    struct stat st {};
    if (::stat(m.source.c_str(), &st) != 0) throw_sys("mount", "mount `" + m.source + "` on `" + dest + "`", errno);
    if (!S_ISDIR(st.st_mode)) kind = NodeKind::File;
  }
  UniqueFd target = ensure_in_root(root_fd, dest, kind);

  if (bind) {
    const unsigned long first = MS_BIND | (o.flags & MS_REC);
    do_mount(m.source.c_str(), fd_path(target.get()), nullptr, first, "", "`" + m.source + "`", dest);
  } else {
    std::string type = m.type == "cgroup" ? "cgroup2" : m.type;  // one unified hierarchy, see cgroups.hpp
    if (type.empty()) throw SysError("mount on `" + dest + "`: no file system type", EINVAL);
    std::string source = m.source.empty() ? type : m.source;
    do_mount(source.c_str(), fd_path(target.get()), type.c_str(), o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT), o.data,
             type, dest);
  }

  const unsigned long per_mount =
      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
  if ((bind && (o.flags & per_mount)) || o.propagation) {
    target = resolve_in_root(root_fd, dest);  // now the new mount's root
    const std::string path = fd_path(target.get());
    if (bind && (o.flags & per_mount)) {
      unsigned long flags = MS_BIND | MS_REMOUNT | (o.flags & per_mount) | locked_mount_flags(path);
      do_mount(nullptr, path, nullptr, flags, "", "(remount " + std::string(o.flags & MS_RDONLY ? "ro" : "flags") + ")",
               dest);
    }
    if (o.propagation) do_mount(nullptr, path, nullptr, o.propagation, "", "(propagation)", dest);
  }
}

}  // namespace berth::shim
