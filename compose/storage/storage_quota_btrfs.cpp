// btrfs qgroup limits for storage_opt size (see storage_quota_btrfs.hpp).
//  - Quotas must be enabled on the filesystem by its admin (`btrfs quota enable`): Docker turns
//    them on itself, but that makes every write on the whole filesystem pay for accounting, a
//    choice that is not a compose file's to make. They are on when /sys/fs/btrfs/<fsid>/qgroups
//    exists (Linux 5.9+).
//  - A new subvolume gets its qgroup 0/<subvolume id> at creation while quotas are on;
//    BTRFS_IOC_QGROUP_LIMIT with qgroupid 0 limits the qgroup of the subvolume the fd is in.
//  - rmdir(2) of an empty subvolume deletes it (Linux 4.18+), so the usual tree removal works.
#include "compose/storage/storage_quota_btrfs.hpp"

#include <fcntl.h>
#include <linux/btrfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth::storage::btrfs_quota {

namespace {

std::string fsid_text(int fd, const std::string& path) {
  btrfs_ioctl_fs_info_args info{};
  if (::ioctl(fd, BTRFS_IOC_FS_INFO, &info) != 0) throw_errno("ioctl BTRFS_IOC_FS_INFO on `" + path + "`");
  char text[40];
  const unsigned char* u = info.fsid;
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  return text;
}

void set_limit(int fd, const std::string& path, std::uint64_t max_rfer) {
  btrfs_ioctl_qgroup_limit_args args{};
  args.qgroupid = 0;  // the qgroup of the subvolume `fd` is in
  args.lim.flags = BTRFS_QGROUP_LIMIT_MAX_RFER;
  args.lim.max_rfer = max_rfer;  // ~0 = no limit
  if (::ioctl(fd, BTRFS_IOC_QGROUP_LIMIT, &args) != 0) throw_errno("ioctl BTRFS_IOC_QGROUP_LIMIT on `" + path + "`");
}

}  // namespace

std::string unsupported(int fd, const std::string& path) {
  struct stat st {};
  if (::stat(("/sys/fs/btrfs/" + fsid_text(fd, path) + "/qgroups").c_str(), &st) == 0) return "";
  return "is on btrfs without quotas (enable them with: btrfs quota enable " + path + ")";
}

void make_limited_subvolume(int parent_fd, const std::string& parent, const std::string& name, std::uint64_t bytes,
                            int mode) {
  const std::string path = parent + "/" + name;
  btrfs_ioctl_vol_args args{};
  if (name.size() >= sizeof args.name) throw SysError("create subvolume `" + path + "`", ENAMETOOLONG);
  std::memcpy(args.name, name.c_str(), name.size() + 1);
  args.fd = -1;
  if (::ioctl(parent_fd, BTRFS_IOC_SUBVOL_CREATE, &args) != 0) throw_errno("create btrfs subvolume `" + path + "`");
  ScopeExit remove([&] { ::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR); });  // empty: rmdir deletes it
  UniqueFd fd(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) throw_errno("open `" + path + "`");
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) throw_errno("chmod `" + path + "`");
  set_limit(fd.get(), path, bytes);
  remove.dismiss();
}

void clear_limit(int fd, const std::string& path) {
  try {
    set_limit(fd, path, ~std::uint64_t{0});
  } catch (const SysError& e) {
    // Quotas turned off since (ENOTCONN), or the qgroup gone with them: nothing is limited.
    if (e.code() != ENOTCONN && e.code() != ENOENT) throw;
  }
}

}  // namespace berth::storage::btrfs_quota
