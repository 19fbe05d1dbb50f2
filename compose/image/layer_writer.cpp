// One layer tar entry at a time, written with *at() system calls relative to directory fds that
// safe_path opened beneath the layer root. The rules:
//   - a name is split and checked first (no absolute path, no "..", NAME_MAX/PATH_MAX), then its
//     parent is opened with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, and the entry is created with
//     O_EXCL/mknodat/symlinkat so an existing name is never followed or overwritten;
//   - an archive that names the same path twice is refused: a later entry replacing an earlier
//     one is the classic way to swap a directory for a symlink between two checks;
//   - hardlink targets go through the same checks, and linkat() is called without
//     AT_SYMLINK_FOLLOW, so a link to a symlink links the symlink itself;
//   - `.wh.<name>` becomes the overlayfs whiteout (a 0/0 character device <name>) and
//     `.wh..wh..opq` sets trusted.overlay.opaque=y on its directory; other `.wh..wh.` names are
//     AUFS bookkeeping and are skipped, as docker does. A whiteout only hides lower layers
//     (image-spec layer.md), so when the same layer also has an entry <name>, the entry wins:
//     a non-directory hides the lower one by itself, a directory is made opaque instead.
//     trusted.overlay.* xattrs carried by the archive itself are dropped: they would let a layer
//     plant redirects or metacopy tricks into the overlay mount;
//   - order per file: data, chown (which clears set-id bits and file capabilities), chmod,
//     xattrs (security.capability last of all writes), times. Directory modes and times wait
//     for finish(), because creating children changes a directory's mtime.
// Without root (unit tests) ownership is left to the caller and privileged xattrs are skipped.
#include "compose/image/layer_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <utility>

#include "common/sys_error.hpp"
#include "compose/image/safe_path.hpp"

namespace berth::image {

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kWhiteoutMeta = ".wh..wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

const char* name_of(const char* mbs, const char* utf8) { return mbs ? mbs : utf8; }

void entry_times(archive_entry* e, timespec out[2]) {
  out[1] = {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
  out[0] = archive_entry_atime_is_set(e) ? timespec{archive_entry_atime(e), archive_entry_atime_nsec(e)} : out[1];
}

/// Creation failed because the name exists: the archive tries to replace something it made.
[[noreturn]] void refuse_exists(const std::string& what) {
  throw std::runtime_error(what + " already exists in this layer (an archive may not replace an entry)");
}

void write_all_at(int fd, const char* data, size_t size, off_t offset) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write file data");
    }
    data += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
}

}  // namespace

LayerWriter::LayerWriter(int root_fd, LayerWriterOptions options)
    : m_root(root_fd), m_options(std::move(options)), m_privileged(::geteuid() == 0) {}

int LayerWriter::parent_fd(const std::vector<std::string>& parts) {
  std::string path = join_path(parts, parts.size() - 1);
  if (path != m_parent_path || !m_parent) {
    // Cached fds stay valid: a directory can never be replaced, since duplicates are refused.
    m_parent = open_dir_beneath(m_root, parts, parts.size() - 1, true);
    m_parent_path = path;
  }
  return m_parent.get();
}

void LayerWriter::write(archive* a, archive_entry* e) {
  const char* raw = name_of(archive_entry_pathname(e), archive_entry_pathname_utf8(e));
  if (raw == nullptr) throw std::runtime_error("entry without a name");
  std::vector<std::string> parts = split_entry_path(raw);
  if (parts.empty()) return write_root(e);

  const std::string& base = parts.back();
  if (m_options.whiteouts) {
    if (starts_with(base, kWhiteoutPrefix)) return write_whiteout(parts);
    for (size_t i = 0; i + 1 < parts.size(); ++i)
      if (starts_with(parts[i], kWhiteoutPrefix))
        throw std::runtime_error("whiteout name `" + parts[i] + "` used as a directory");
  }

  std::string key = join_path(parts, parts.size());
  if (!m_seen.insert(key).second) throw std::runtime_error("duplicate entry: the archive names `" + key + "` twice");
  int parent = parent_fd(parts);
  bool replaces_whiteout = m_whiteouts.erase(key) > 0;
  if (replaces_whiteout && ::unlinkat(parent, base.c_str(), 0) != 0) throw_errno("remove the whiteout it replaces");
  if (m_options.replace) replace_existing(parent, base, key, archive_entry_filetype(e) == AE_IFDIR);
  if (name_of(archive_entry_hardlink(e), archive_entry_hardlink_utf8(e))) return write_hardlink(e, parent, base);
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      return write_file(a, e, parent, base);
    case AE_IFDIR:
      write_dir(e, parent, base, key);
      if (replaces_whiteout) make_opaque(parent, base, key);
      return;
    case AE_IFLNK:
      return write_symlink(e, parent, base);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      return write_node(e, parent, base);
    default:
      throw std::runtime_error("unsupported entry type " + std::to_string(archive_entry_filetype(e)));
  }
}

void LayerWriter::replace_existing(int parent, const std::string& base, const std::string& key, bool is_dir) {
  struct stat st {};
  if (::fstatat(parent, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    throw_errno("stat");
  }
  const std::string root = m_options.shown_root.empty() ? "." : m_options.shown_root;
  const std::string path = root == "/" ? "/" + key : root + "/" + key;
  if (S_ISDIR(st.st_mode) && !is_dir)
    throw std::runtime_error("cannot overwrite directory \"" + path + "\" with non-directory \"" + root + "\"");
  if (!S_ISDIR(st.st_mode) && is_dir)
    throw std::runtime_error("cannot overwrite non-directory \"" + path + "\" with directory \"" + root + "\"");
  if (!is_dir && ::unlinkat(parent, base.c_str(), 0) != 0) throw_errno("remove the file it replaces");
}

void LayerWriter::make_opaque(int dir, const std::string& base, const std::string& shown) {
  UniqueFd fd(openat2_beneath(dir, base.c_str(), O_RDONLY | O_DIRECTORY));
  if (!fd) throw_errno("open `" + shown + "`");
  if (::fsetxattr(fd.get(), "trusted.overlay.opaque", "y", 1, 0) != 0)
    throw_errno("mark `" + shown + "` opaque (xattr trusted.overlay.opaque)");
}

void LayerWriter::write_root(archive_entry* e) {
  // "./" names the layer root itself: keep its metadata, refuse anything but a directory.
  if (archive_entry_filetype(e) != AE_IFDIR) throw std::runtime_error("the layer root must be a directory");
  if (!m_seen.insert("").second) throw std::runtime_error("duplicate entry: the archive names the root twice");
  if (m_options.replace) return;  // as docker: an existing destination keeps its own metadata
  UniqueFd fd(openat2_beneath(m_root, ".", O_RDONLY | O_DIRECTORY));
  if (!fd) throw_errno("open the layer root");
  set_owner(m_root, ".", e, fd.get());
  set_xattrs(e, fd.get(), -1, ".");
  defer_dir("", e);
}

void LayerWriter::write_whiteout(const std::vector<std::string>& parts) {
  const std::string& base = parts.back();
  std::string dir = join_path(parts, parts.size() - 1);
  if (base == kOpaque) {
    // The directory itself may come later in the archive (or only exist in a lower layer).
    UniqueFd dir_fd = open_dir_beneath(m_root, parts, parts.size() - 1, true);
    return make_opaque(dir_fd.get(), ".", dir.empty() ? "." : dir);
  }
  if (starts_with(base, kWhiteoutMeta)) return;  // AUFS metadata (.wh..wh.plnk, ...): not content
  std::string name = base.substr(kWhiteoutPrefix.size());
  if (name.empty() || name == "." || name == "..") throw std::runtime_error("invalid whiteout name `" + base + "`");
  std::string key = dir.empty() ? name : dir + "/" + name;
  int parent = parent_fd(parts);
  struct stat st {};
  bool exists = ::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists || m_seen.count(key)) {
    // This layer has its own <name> (or made the directory for a child): it already hides the
    // lower one, except that directories merge, so a directory becomes opaque.
    if (exists && S_ISDIR(st.st_mode)) make_opaque(parent, name, key);
    return;
  }
  if (::mknodat(parent, name.c_str(), S_IFCHR | 0, ::makedev(0, 0)) != 0)
    throw_errno("create whiteout `" + key + "` (character device 0/0)");
  m_whiteouts.insert(key);
}

void LayerWriter::write_hardlink(archive_entry* e, int parent, const std::string& base) {
  std::string target = name_of(archive_entry_hardlink(e), archive_entry_hardlink_utf8(e));
  std::vector<std::string> tparts;
  try {
    tparts = split_entry_path(target);
    if (tparts.empty()) throw std::runtime_error("it is the layer root");
    if (starts_with(tparts.back(), kWhiteoutPrefix)) throw std::runtime_error("it is a whiteout");
    UniqueFd tdir = open_dir_beneath(m_root, tparts, tparts.size() - 1, false);
    if (::linkat(tdir.get(), tparts.back().c_str(), parent, base.c_str(), 0) != 0) {
      int err = errno;
      if (err == EEXIST) refuse_exists("the link name");
      if (err == ENOENT) throw std::runtime_error("it does not exist in this layer");
      if (err == EPERM) throw std::runtime_error("it is a directory");
      throw SysError("linkat", err);
    }
  } catch (const std::exception& ex) {
    throw std::runtime_error("hardlink target `" + target + "`: " + ex.what());
  }
}

void LayerWriter::write_file(archive* a, archive_entry* e, int parent, const std::string& base) {
  UniqueFd fd(::openat(parent, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) {
    if (errno == EEXIST) refuse_exists("the name");
    throw_errno("create file");
  }
  const void* buf = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      // No text when the read callback failed (e.g. the tee into the blob ran out of space):
      // the caller rethrows that callback's own error.
      const char* why = archive_error_string(a);
      throw std::runtime_error(std::string("read file data: ") + (why ? why : "read failed"));
    }
    write_all_at(fd.get(), static_cast<const char*>(buf), size, static_cast<off_t>(offset));
  }
  // Sparse files end in a hole that no data block covers.
  if (archive_entry_size_is_set(e) && ::ftruncate(fd.get(), archive_entry_size(e)) != 0) throw_errno("truncate file");
  m_size += static_cast<std::uint64_t>(std::max<la_int64_t>(archive_entry_size(e), 0));
  set_owner(parent, base, e, fd.get());
  if (::fchmod(fd.get(), archive_entry_perm(e) & 07777) != 0) throw_errno("chmod");
  set_xattrs(e, fd.get(), parent, base);
  timespec times[2];
  entry_times(e, times);
  if (::futimens(fd.get(), times) != 0) throw_errno("set times");
}

void LayerWriter::write_dir(archive_entry* e, int parent, const std::string& base, const std::string& key) {
  if (::mkdirat(parent, base.c_str(), 0700) != 0) {
    if (errno != EEXIST) throw_errno("mkdir");
    // An existing directory was made implicitly for an earlier child: take over its metadata.
    struct stat st {};
    if (::fstatat(parent, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
      refuse_exists("the name");
  }
  UniqueFd fd(openat2_beneath(parent, base.c_str(), O_RDONLY | O_DIRECTORY));
  if (!fd) throw_errno("open directory");
  set_owner(parent, base, e, fd.get());
  set_xattrs(e, fd.get(), parent, base);
  defer_dir(key, e);
}

void LayerWriter::write_symlink(archive_entry* e, int parent, const std::string& base) {
  const char* target = name_of(archive_entry_symlink(e), archive_entry_symlink_utf8(e));
  if (target == nullptr) throw std::runtime_error("symbolic link without a target");
  // The target is stored as is: it is resolved inside the container, never by Berth.
  if (::symlinkat(target, parent, base.c_str()) != 0) {
    if (errno == EEXIST) refuse_exists("the name");
    throw_errno("symlink");
  }
  set_owner(parent, base, e);
  set_xattrs(e, -1, parent, base);
  timespec times[2];
  entry_times(e, times);
  if (::utimensat(parent, base.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("set times");
}

void LayerWriter::write_node(archive_entry* e, int parent, const std::string& base) {
  mode_t type = archive_entry_filetype(e) == AE_IFCHR   ? S_IFCHR
                : archive_entry_filetype(e) == AE_IFBLK ? S_IFBLK
                                                        : S_IFIFO;
  dev_t dev = type == S_IFIFO ? 0 : ::makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
  if (::mknodat(parent, base.c_str(), type | 0600, dev) != 0) {
    if (errno == EEXIST) refuse_exists("the name");
    throw_errno(type == S_IFIFO ? "mkfifo" : "mknod");
  }
  set_owner(parent, base, e);
  // Just created by us as a node, so following is not a concern (and fchmodat cannot refuse to).
  if (::fchmodat(parent, base.c_str(), archive_entry_perm(e) & 07777, 0) != 0) throw_errno("chmod");
  set_xattrs(e, -1, parent, base);
  timespec times[2];
  entry_times(e, times);
  if (::utimensat(parent, base.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("set times");
}

void LayerWriter::set_owner(int dir, const std::string& base, archive_entry* e, int fd) {
  if (!m_privileged) return;
  auto uid = m_options.owner ? m_options.owner->first : static_cast<uid_t>(archive_entry_uid(e));
  auto gid = m_options.owner ? m_options.owner->second : static_cast<gid_t>(archive_entry_gid(e));
  int r = fd >= 0 ? ::fchown(fd, uid, gid) : ::fchownat(dir, base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
  if (r != 0) throw_errno("chown to " + std::to_string(uid) + ":" + std::to_string(gid));
}

void LayerWriter::set_xattrs(archive_entry* e, int fd, int parent, const std::string& base) {
  if (archive_entry_xattr_reset(e) == 0) return;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    std::string_view n = name;
    if (starts_with(n, "trusted.overlay.")) continue;  // see the top of this file
    int r;
    if (fd >= 0) {
      r = ::fsetxattr(fd, name, value, size, 0);
    } else {
      // Symlinks and device nodes cannot be opened for writing; reach the name through the
      // parent's fd in /proc so the path is still resolved from the fd, not from a string.
      std::string path = "/proc/self/fd/" + std::to_string(parent) + "/" + base;
      r = ::lsetxattr(path.c_str(), name, value, size, 0);
    }
    if (r == 0) continue;
    int err = errno;
    if ((err == ENOTSUP || err == EOPNOTSUPP) && n != "security.capability") continue;  // e.g. user.* on a symlink
    if (err == EPERM && !m_privileged) continue;
    throw SysError("set xattr `" + std::string(n) + "`", err);
  }
}

void LayerWriter::defer_dir(const std::string& key, archive_entry* e) {
  DeferredDir d{key, archive_entry_perm(e) & 07777, {}};
  entry_times(e, d.times);
  m_dirs.push_back(std::move(d));
}

void LayerWriter::finish() {
  m_parent.reset();
  // Deepest first, so a parent made read-only (or unsearchable) does not block its children.
  std::stable_sort(m_dirs.begin(), m_dirs.end(), [](const DeferredDir& a, const DeferredDir& b) {
    return std::count(a.path.begin(), a.path.end(), '/') + !a.path.empty() >
           std::count(b.path.begin(), b.path.end(), '/') + !b.path.empty();
  });
  for (const auto& d : m_dirs) {
    std::string shown = d.path.empty() ? "." : d.path;
    UniqueFd fd(openat2_beneath(m_root, shown.c_str(), O_RDONLY | O_DIRECTORY));
    if (!fd) throw_errno("open directory `" + shown + "`");
    if (::fchmod(fd.get(), d.mode) != 0) throw_errno("chmod `" + shown + "`");
    if (::futimens(fd.get(), d.times) != 0) throw_errno("set times of `" + shown + "`");
  }
}

}  // namespace berth::image
