// overlayfs mounts (see overlay_mount.hpp).
#include "common/overlay_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth {

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
  throw SysError(what + (log.empty() ? "" : " [" + log + "]"), err);
}

UniqueFd overlay_fs_mount(const std::string& what, const std::vector<std::string>& lowers, const std::string& upper,
                          const std::string& work, bool index_off) {
  UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs) throw SysError(what + ": fsopen", errno);
  for (const std::string& lower : lowers)
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", lower.c_str(), 0) != 0)
      throw_overlay(fs.get(), what + ": lowerdir+ `" + lower + "`", errno);
  if (!upper.empty() && ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "upperdir", upper.c_str(), 0) != 0)
    throw_overlay(fs.get(), what + ": upperdir `" + upper + "`", errno);
  if (!upper.empty() && ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "workdir", work.c_str(), 0) != 0)
    throw_overlay(fs.get(), what + ": workdir `" + work + "`", errno);
  if (index_off && ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "index", "off", 0) != 0)
    throw_overlay(fs.get(), what + ": index=off", errno);
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) throw_overlay(fs.get(), what, errno);
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
  if (!mnt) throw_overlay(fs.get(), what, errno);
  return mnt;
}

void mount_overlay_new_api(const std::string& target, const std::vector<std::string>& lowers, const std::string& upper,
                           const std::string& work) {
  const std::string what = "mount overlay on `" + target + "`";
  UniqueFd mnt = overlay_fs_mount(what, lowers, upper, work, false);
  if (::move_mount(mnt.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    throw SysError(what + ": move_mount", errno);
}

}  // namespace

void mount_overlay(const std::string& target, const std::vector<std::string>& lowers, const std::string& upper,
                   const std::string& work) {
  std::string lowerdir;
  for (const std::string& l : lowers) lowerdir += (lowerdir.empty() ? "" : ":") + l;
  const std::string data =
      "lowerdir=" + lowerdir + (upper.empty() ? std::string() : ",upperdir=" + upper + ",workdir=" + work);
  if (data.size() >= 4000) return mount_overlay_new_api(target, lowers, upper, work);
  if (::mount("overlay", target.c_str(), "overlay", 0, data.c_str()) != 0)
    throw SysError("mount overlay on `" + target + "`", errno);
}

UniqueFd open_detached_overlay(const std::vector<std::string>& lowers, const std::string& upper,
                               const std::string& work) {
  // index=off: a read-only view may stack a running container's upper dir as a lower one, which
  // an index=on mount refuses (EBUSY, "upperdir is in-use").
  return overlay_fs_mount("mount a detached overlay of `" + (upper.empty() ? lowers.front() : upper) + "`", lowers,
                          upper, work, upper.empty());
}

OverlayMount::OverlayMount(std::string target, const std::vector<std::string>& lowers, const std::string& upper,
                           const std::string& work)
    : m_target(std::move(target)) {
  mount_overlay(m_target, lowers, upper, work);
}

OverlayMount::~OverlayMount() { ::umount2(m_target.c_str(), MNT_DETACH); }

}  // namespace berth
