// storage_opt size as project quotas (xfs, ext4) or btrfs qgroups (storage_quota_btrfs.cpp).
// Project quotas, as moby's daemon/graphdriver/quota/projectquota.go sets them:
//  - The container dir gets a project id of its own with FS_XFLAG_PROJINHERIT (FS_IOC_FSSETXATTR)
//    while it is still empty, so everything made under it (the overlay upper and work dirs and
//    whatever the container writes) is charged to that project. Upper and work must share the
//    id, or overlay's copy-up (a rename from work into upper) fails with EXDEV.
//  - The limit is the project's hard and soft block limit, set with quotactl Q_XSETQLIM, which
//    ext4's generic quota code takes too. quotactl_fd(2) (Linux 5.14+) takes an fd of any dir on
//    the filesystem; older kernels get quotactl(2) with the block device from mountinfo.
//  - Ids: moby counts up from the base dir's own project id + 1 and scans its dirs. A daemonless
//    tool has no memory between runs and other roots may share the filesystem, so the first
//    candidate is derived from the dir's name (a container id) and a candidate is taken only if
//    the filesystem holds nothing for it (no usage, no limits). Allocation runs under a flock of
//    the parent dir, so the containers of one root never race for an id.
//  - Root in the container cannot exceed the limit: xfs has no exemption, and ext4's (for
//    CAP_SYS_RESOURCE) does not apply because overlayfs writes to the upper dir with its
//    mounter's credentials minus CAP_SYS_RESOURCE ("never override disk quota limits").
// The record (`storage_quota.json` in the dir) is written before the id is set, and release only
// lifts a limit whose id the dir still carries, so a crash at any point leaves nothing that a
// later `down` cannot undo, and never touches another dir's project.
#include "compose/storage/storage_quota.hpp"

#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/quota.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/storage/storage_quota_btrfs.hpp"

namespace berth::storage {

namespace {

constexpr const char* kRecord = "/storage_quota.json";
constexpr std::uint32_t kMaxProjectId = 0x7fffffff;  // keep clear of (u32)-1 and signed readers
constexpr int kMaxProbes = 4096;

std::string fs_name(long type) {
  switch (static_cast<unsigned long>(type)) {
    case XFS_SUPER_MAGIC:
      return "xfs";
    case EXT4_SUPER_MAGIC:
      return "ext4";
    case BTRFS_SUPER_MAGIC:
      return "btrfs";
    case TMPFS_MAGIC:
      return "tmpfs";
    case OVERLAYFS_SUPER_MAGIC:
      return "overlayfs";
    case NFS_SUPER_MAGIC:
      return "nfs";
    case 0x2fc12fc1:
      return "zfs";
    case F2FS_SUPER_MAGIC:
      return "f2fs";
    default: {
      std::ostringstream out;
      out << "a filesystem of type 0x" << std::hex << type;
      return out.str();
    }
  }
}

UniqueFd open_dir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_errno("open `" + path + "`");
  return fd;
}

long fs_type(int fd, const std::string& path) {
  struct statfs st {};
  if (::fstatfs(fd, &st) != 0) throw_errno("statfs `" + path + "`");
  return st.f_type;
}

std::string existing_ancestor(std::string dir) {
  while (dir.size() > 1 && ::access(dir.c_str(), F_OK) != 0) {
    auto slash = dir.rfind('/');
    dir = slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
  }
  return dir.empty() ? "/" : dir;
}

/// The project quota calls of the filesystem a directory is on.
class ProjectQuotas {
 public:
  /// `fd` must stay open while this object is used.
  ProjectQuotas(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}

  /// quotactl(QCMD(cmd, PRJQUOTA), ..., id, addr): 0 or the errno.
  int call(int cmd, std::uint32_t id, void* addr) {
    const int qcmd = QCMD(cmd, PRJQUOTA);
    if (have_quotactl_fd()) return ::syscall(SYS_quotactl_fd, m_fd, qcmd, id, addr) == 0 ? 0 : errno;
    const std::string dev = device();
    return ::syscall(SYS_quotactl, qcmd, dev.c_str(), id, addr) == 0 ? 0 : errno;
  }

  /// Like call(), throwing SysError("quotactl <what> project <id> on `path`").
  void must(int cmd, const char* what, std::uint32_t id, void* addr) {
    if (int err = call(cmd, id, addr))
      throw SysError("quotactl " + std::string(what) + " project " + std::to_string(id) + " on `" + m_path + "`", err);
  }

 private:
  static bool have_quotactl_fd() {
    static const bool have = ::syscall(SYS_quotactl_fd, -1, 0, 0, nullptr) == 0 || errno != ENOSYS;
    return have;
  }

  /// The block device mounted where `m_fd` is (mountinfo's source of the mount with its st_dev).
  std::string device() const {
    struct stat st {};
    if (::fstat(m_fd, &st) != 0) throw_errno("stat `" + m_path + "`");
    const std::string majmin = std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
      std::istringstream f(line);
      std::string id, parent, devno, word;
      f >> id >> parent >> devno;
      if (devno != majmin) continue;
      while (f >> word && word != "-") {
      }
      std::string type, source;
      f >> type >> source;
      struct stat dst {};
      if (::stat(source.c_str(), &dst) == 0 && S_ISBLK(dst.st_mode) && dst.st_rdev == st.st_dev) return source;
    }
    throw std::runtime_error("quotactl on `" + m_path + "`: no block device " + majmin +
                             " in /proc/self/mountinfo (and no quotactl_fd: Linux 5.14+)");
  }

  int m_fd;
  std::string m_path;
};

/// Why project quotas cannot limit writes on the (xfs or ext4) filesystem of `q`; "" = they can.
std::string project_quota_unsupported(ProjectQuotas& q, const std::string& fs) {
  fs_quota_stat st{};
  st.qs_version = FS_QSTAT_VERSION;
  const int err = q.call(Q_XGETQSTAT, 0, &st);
  const std::string how =
      fs == "xfs" ? "mount it with -o prjquota"
                  : "needs the ext4 features quota,project (tune2fs -O quota,project) and a mount with -o prjquota";
  if (err == ENOSYS) {
    // No quota operations on this superblock: the kernel was built without them for this fs.
    const char* config = fs == "xfs" ? "CONFIG_XFS_QUOTA" : "CONFIG_QUOTA and CONFIG_QFMT_V2";
    return "is on " + fs + " without project quotas (this kernel has no quota support for " + fs + ": " + config + ")";
  }
  if (err == EINVAL || err == ESRCH || err == ENOENT) return "is on " + fs + " without project quotas (" + how + ")";
  if (err != 0) return "is on " + fs + ", whose quota state cannot be read: " + std::strerror(err);
  if (!(st.qs_flags & FS_QUOTA_PDQ_ACCT)) return "is on " + fs + " without project quotas (" + how + ")";
  if (!(st.qs_flags & FS_QUOTA_PDQ_ENFD))
    return "is on " + fs + " with project quotas accounted but not enforced (mount it with -o prjquota)";
  return "";
}

fsxattr get_xattr(int fd, const std::string& path) {
  fsxattr x{};
  if (::ioctl(fd, FS_IOC_FSGETXATTR, &x) != 0) throw_errno("ioctl FS_IOC_FSGETXATTR on `" + path + "`");
  return x;
}

/// True when the filesystem holds no usage and no limits for project `id`.
bool project_free(ProjectQuotas& q, std::uint32_t id) {
  fs_disk_quota d{};
  const int err = q.call(Q_XGETQUOTA, id, &d);
  if (err == ENOENT) return true;  // xfs: no dquot at all
  if (err != 0) throw SysError("quotactl Q_XGETQUOTA project " + std::to_string(id), err);
  return d.d_bcount == 0 && d.d_icount == 0 && d.d_blk_hardlimit == 0 && d.d_blk_softlimit == 0 &&
         d.d_ino_hardlimit == 0 && d.d_ino_softlimit == 0;
}

std::uint32_t allocate_project(ProjectQuotas& q, std::uint32_t base, const std::string& name) {
  std::uint32_t h = 2166136261u;  // FNV-1a of the name: container ids spread over the range
  for (unsigned char c : name) h = (h ^ c) * 16777619u;
  const std::uint32_t span = kMaxProjectId - base - 1;
  for (int i = 0; i < kMaxProbes; ++i) {
    const std::uint32_t id = base + 1 + (h + static_cast<std::uint32_t>(i)) % span;
    if (project_free(q, id)) return id;
  }
  throw std::runtime_error("no free project id for `" + name + "` after " + std::to_string(kMaxProbes) + " tries");
}

void set_project_limit(ProjectQuotas& q, std::uint32_t id, std::uint64_t bytes) {
  fs_disk_quota d{};
  d.d_version = FS_DQUOT_VERSION;
  d.d_flags = FS_PROJ_QUOTA;
  d.d_fieldmask = FS_DQ_BSOFT | FS_DQ_BHARD;
  d.d_id = id;
  d.d_blk_hardlimit = (bytes + 511) / 512;  // basic blocks
  d.d_blk_softlimit = d.d_blk_hardlimit;
  q.must(Q_XSETQLIM, "Q_XSETQLIM", id, &d);
}

void make_project_dir(int parent_fd, const std::string& parent, const std::string& name, const std::string& dir,
                      std::uint64_t bytes, int mode) {
  ProjectQuotas q(parent_fd, parent);
  if (std::string why = project_quota_unsupported(q, fs_name(fs_type(parent_fd, parent))); !why.empty())
    throw std::runtime_error(parent + " " + why);
  const std::uint32_t base = get_xattr(parent_fd, parent).fsx_projid;
  const std::uint32_t id = allocate_project(q, base, name);
  if (::mkdirat(parent_fd, name.c_str(), static_cast<mode_t>(mode)) != 0) throw_errno("mkdir `" + dir + "`");
  ScopeExit remove([&] { ::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR); });
  UniqueFd fd(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) throw_errno("open `" + dir + "`");
  write_file_atomic(dir + kRecord, nlohmann::json{{"kind", "project"}, {"id", id}, {"bytes", bytes}}.dump() + "\n",
                    0600);
  ScopeExit unrecord([&] { ::unlink((dir + kRecord).c_str()); });
  fsxattr x = get_xattr(fd.get(), dir);
  x.fsx_projid = id;
  x.fsx_xflags |= FS_XFLAG_PROJINHERIT;
  if (::ioctl(fd.get(), FS_IOC_FSSETXATTR, &x) != 0) throw_errno("ioctl FS_IOC_FSSETXATTR on `" + dir + "`");
  set_project_limit(q, id, bytes);
  unrecord.dismiss();
  remove.dismiss();
}

}  // namespace

std::string storage_quota_unsupported(const std::string& dir) {
  const std::string at = existing_ancestor(dir);
  UniqueFd fd = open_dir(at);
  const long type = fs_type(fd.get(), at);
  const std::string fs = fs_name(type);
  if (type == BTRFS_SUPER_MAGIC) return btrfs_quota::unsupported(fd.get(), at);
  if (type == XFS_SUPER_MAGIC || type == EXT4_SUPER_MAGIC) {
    ProjectQuotas q(fd.get(), at);
    return project_quota_unsupported(q, fs);
  }
  return "is on " + fs +
         ", which has no project quotas (storage_opt size needs xfs or ext4 mounted with prjquota, or btrfs with "
         "quotas enabled)";
}

void make_quota_dir(const std::string& dir, std::uint64_t bytes, int mode) {
  const auto slash = dir.rfind('/');
  if (slash == std::string::npos || slash + 1 == dir.size()) throw std::invalid_argument("make_quota_dir: " + dir);
  const std::string parent = slash == 0 ? "/" : dir.substr(0, slash);
  const std::string name = dir.substr(slash + 1);
  UniqueFd parent_fd = open_dir(parent);
  // One allocation at a time among this root's containers (the parent is <root>/containers).
  if (::flock(parent_fd.get(), LOCK_EX) != 0) throw_errno("flock `" + parent + "`");
  if (fs_type(parent_fd.get(), parent) == BTRFS_SUPER_MAGIC) {
    if (std::string why = btrfs_quota::unsupported(parent_fd.get(), parent); !why.empty())
      throw std::runtime_error(parent + " " + why);
    btrfs_quota::make_limited_subvolume(parent_fd.get(), parent, name, bytes, mode);
    write_file_atomic(dir + kRecord, nlohmann::json{{"kind", "btrfs"}, {"bytes", bytes}}.dump() + "\n", 0600);
    return;
  }
  make_project_dir(parent_fd.get(), parent, name, dir, bytes, mode);
}

void release_quota_dir(const std::string& dir) {
  std::ifstream in(dir + kRecord);
  if (!in) return;
  const auto record = nlohmann::json::parse(in, nullptr, false);
  if (!record.is_object()) return;  // written atomically, so only a hand-edited file gets here
  UniqueFd fd = open_dir(dir);
  if (record.value("kind", "") == "btrfs") {
    btrfs_quota::clear_limit(fd.get(), dir);
    return;
  }
  const auto id = record.value("id", std::uint32_t{0});
  fsxattr x{};
  if (id == 0 || ::ioctl(fd.get(), FS_IOC_FSGETXATTR, &x) != 0 || x.fsx_projid != id) return;  // never set: not ours
  ProjectQuotas q(fd.get(), dir);
  fs_disk_quota d{};
  d.d_version = FS_DQUOT_VERSION;
  d.d_flags = FS_PROJ_QUOTA;
  d.d_fieldmask = FS_DQ_BSOFT | FS_DQ_BHARD;
  d.d_id = id;
  const int err = q.call(Q_XSETQLIM, id, &d);
  // Quotas switched off since (ESRCH, ENOSYS): a limit nobody enforces binds nobody.
  if (err != 0 && err != ESRCH && err != ENOSYS)
    throw SysError("quotactl Q_XSETQLIM project " + std::to_string(id) + " on `" + dir + "`", err);
}

}  // namespace berth::storage
