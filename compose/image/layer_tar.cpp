// Layer dir → layer tar (see layer_tar.hpp). PAX format, as docker and BuildKit write layers,
// so long names, big files, sub-second mtimes and xattrs (SCHILY.xattr) survive. Entries are
// written depth first with names sorted, so the same tree always gives the same bytes (and
// digest): a rebuild that changed nothing names the same layer.
#include "compose/image/layer_tar.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "common/dir_list.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth::image {

namespace {

constexpr std::string_view kOverlayXattr = "trusted.overlay.";
constexpr std::string_view kOpaqueXattr = "trusted.overlay.opaque";

struct ArchiveWriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryFree>;

/// Names of the extended attributes of `fd` (an O_PATH fd does not do: callers pass a
/// descriptor of the entry itself, or use the l* calls through /proc/self/fd).
std::vector<std::string> xattr_names(const std::string& proc_path, const std::string& shown) {
  std::vector<char> buf(1024);
  for (;;) {
    ssize_t n = ::llistxattr(proc_path.c_str(), buf.data(), buf.size());
    if (n >= 0) {
      std::vector<std::string> names;
      for (ssize_t i = 0; i < n;) {
        std::string name(buf.data() + i);
        i += static_cast<ssize_t>(name.size()) + 1;
        names.push_back(std::move(name));
      }
      return names;
    }
    if (errno == ENOTSUP) return {};
    if (errno != ERANGE) throw_errno("list xattrs of `" + shown + "`");
    buf.resize(buf.size() * 4);
  }
}

std::string xattr_value(const std::string& proc_path, const std::string& name, const std::string& shown) {
  std::string value(256, '\0');
  for (;;) {
    ssize_t n = ::lgetxattr(proc_path.c_str(), name.c_str(), value.data(), value.size());
    if (n >= 0) {
      value.resize(static_cast<std::size_t>(n));
      return value;
    }
    if (errno != ERANGE) throw_errno("read xattr " + name + " of `" + shown + "`");
    value.resize(value.size() * 4);
  }
}

/// The path to reach a directory entry without following it: its parent's fd through /proc.
std::string entry_proc_path(int parent_fd, const std::string& name) {
  return "/proc/self/fd/" + std::to_string(parent_fd) + "/" + name;
}

/// A file system of the kernel's own (proc, sysfs, cgroup, ...) mounted in a container: its
/// content is not files, so a tree walk does not go into it.
bool is_kernel_fs(int dir_fd, const std::string& path) {
  struct statfs fs {};
  if (::fstatfs(dir_fd, &fs) != 0) throw_errno("statfs `" + path + "`");
  switch (static_cast<unsigned long>(fs.f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case 0x19800202:  // MQUEUE_MAGIC (not in linux/magic.h)
    case SECURITYFS_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case BPF_FS_MAGIC:
      return true;
    default:
      return false;
  }
}

class TarWriter {
 public:
  explicit TarWriter(const TarSink& sink) : m_sink(sink) {
    m_a.reset(archive_write_new());
    if (!m_a) throw std::runtime_error("layer tar: out of memory");
    archive_write_set_format_pax_restricted(m_a.get());
    archive_write_set_bytes_per_block(m_a.get(), 10240);
    if (archive_write_open2(m_a.get(), this, nullptr, &TarWriter::write_cb, nullptr, nullptr) != ARCHIVE_OK)
      fail("open");
  }

  TarWriter(const TarSink& sink, const TreeTarOptions& options) : TarWriter(sink) { m_options = options; }

  void walk(int dir_fd, const std::string& prefix) {
    for (const std::string& name : list_dir(dir_fd, prefix.empty() ? "." : prefix)) entry(dir_fd, name, prefix + name);
  }

  /// Writes the entry `name` of `dir_fd` as `path` in the archive, and what is below it.
  void entry(int dir_fd, const std::string& name, const std::string& path) {
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("stat `" + path + "`");
    if (m_options.overlay_form && S_ISCHR(st.st_mode) && st.st_rdev == ::makedev(0, 0)) {
      const auto slash = path.rfind('/');
      write_whiteout(path.substr(0, slash + 1) + ".wh." + path.substr(slash + 1), st);
      return;
    }
    if (S_ISSOCK(st.st_mode)) return;  // not representable in a tar; docker skips them too
    const std::string proc = entry_proc_path(dir_fd, name);
    if (S_ISDIR(st.st_mode)) {
      UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub) throw_errno("open `" + path + "`");
      bool opaque = write_entry(path + "/", st, proc, -1, dir_fd, name);
      if (opaque && m_options.overlay_form) write_whiteout(path + "/.wh..wh..opq", st);
      if (!m_options.skip_kernel_fs || !is_kernel_fs(sub.get(), path)) walk(sub.get(), path + "/");
      return;
    }
    UniqueFd file;
    if (S_ISREG(st.st_mode)) {
      file.reset(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!file) throw_errno("open `" + path + "`");
    }
    write_entry(path, st, proc, file.get(), dir_fd, name);
  }

  void close() {
    if (archive_write_close(m_a.get()) != ARCHIVE_OK) fail("close");
    if (m_error) std::rethrow_exception(m_error);
  }

  LayerTarStats stats;

 private:
  static la_ssize_t write_cb(archive*, void* self, const void* data, size_t size) {
    auto* w = static_cast<TarWriter*>(self);
    try {
      w->m_sink(data, size);
    } catch (...) {
      w->m_error = std::current_exception();
      return -1;
    }
    return static_cast<la_ssize_t>(size);
  }

  [[noreturn]] void fail(const std::string& what) {
    if (m_error) std::rethrow_exception(m_error);
    const char* msg = archive_error_string(m_a.get());
    throw std::runtime_error("layer tar: " + what + ": " + (msg ? msg : "unknown error"));
  }

  void write_whiteout(const std::string& path, const struct stat& st) {
    EntryPtr e(archive_entry_new());
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0);
    archive_entry_set_size(e.get(), 0);
    archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    header(e.get(), path);
  }

  /// Writes one entry; returns true when it is a directory marked opaque.
  bool write_entry(const std::string& path, const struct stat& st, const std::string& proc, int fd, int parent_fd,
                   const std::string& name) {
    EntryPtr e(archive_entry_new());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_uname(e.get(), "");
    archive_entry_set_gname(e.get(), "");
    archive_entry_unset_atime(e.get());
    archive_entry_unset_ctime(e.get());
    bool opaque = false;
    for (const std::string& x : xattr_names(proc, path)) {
      if (m_options.overlay_form && x.rfind(kOverlayXattr, 0) == 0) {
        opaque = opaque || (x == kOpaqueXattr && xattr_value(proc, x, path) == "y");
        continue;
      }
      std::string v = xattr_value(proc, x, path);
      archive_entry_xattr_add_entry(e.get(), x.c_str(), v.data(), v.size());
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(parent_fd, name.c_str(), target.data(), target.size());
      if (n < 0) throw_errno("readlink `" + path + "`");
      target.resize(static_cast<std::size_t>(n));
      archive_entry_set_symlink(e.get(), target.c_str());
    }
    if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
      auto [it, first] = m_links.emplace(std::make_pair(st.st_dev, st.st_ino), path);
      if (!first) {
        archive_entry_set_size(e.get(), 0);
        archive_entry_set_hardlink(e.get(), it->second.c_str());
        header(e.get(), path);
        return false;
      }
    }
    if (!S_ISREG(st.st_mode)) archive_entry_set_size(e.get(), 0);
    header(e.get(), path);
    if (S_ISREG(st.st_mode)) copy_data(fd, path, st.st_size);
    return opaque;
  }

  void header(archive_entry* e, const std::string& path) {
    if (archive_write_header(m_a.get(), e) != ARCHIVE_OK) fail("entry `" + path + "`");
    ++stats.entries;
  }

  void copy_data(int fd, const std::string& path, off_t size) {
    if (m_buf.empty()) m_buf.resize(1 << 20);
    off_t left = size;
    while (left > 0) {
      ssize_t n = ::read(fd, m_buf.data(), m_buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno("read `" + path + "`");
      }
      if (n == 0) throw std::runtime_error("layer tar: `" + path + "` shrank while it was read");
      std::size_t take = static_cast<std::size_t>(std::min<off_t>(n, left));
      if (archive_write_data(m_a.get(), m_buf.data(), take) < 0) fail("data of `" + path + "`");
      left -= static_cast<off_t>(take);
    }
    stats.content_size += static_cast<std::uint64_t>(size);
  }

  const TarSink& m_sink;
  TreeTarOptions m_options;
  std::unique_ptr<archive, ArchiveWriteFree> m_a;
  std::exception_ptr m_error;
  std::map<std::pair<dev_t, ino_t>, std::string> m_links;
  std::vector<char> m_buf;
};

UniqueFd open_layer_dir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_errno("open layer dir `" + dir + "`");
  return fd;
}

std::uint64_t clean_below(int dir_fd, const std::string& prefix) {
  std::uint64_t count = 0;
  for (const std::string& name : list_dir(dir_fd, prefix.empty() ? "." : prefix)) {
    ++count;
    const std::string path = prefix + name;
    const std::string proc = entry_proc_path(dir_fd, name);
    for (const std::string& x : xattr_names(proc, path))
      if (x.rfind(kOverlayXattr, 0) == 0 && x != kOpaqueXattr && ::lremovexattr(proc.c_str(), x.c_str()) != 0)
        throw_errno("remove xattr " + x + " of `" + path + "`");
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("stat `" + path + "`");
    if (!S_ISDIR(st.st_mode)) continue;
    UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) throw_errno("open `" + path + "`");
    count += clean_below(sub.get(), path + "/");
  }
  return count;
}

}  // namespace

LayerTarStats write_layer_tar(const std::string& dir, const TarSink& sink) {
  UniqueFd root = open_layer_dir(dir);
  TarWriter w(sink);
  w.walk(root.get(), "");
  w.close();
  return w.stats;
}

LayerTarStats write_tree_tar(int dir_fd, const TarSink& sink, const TreeTarOptions& options) {
  UniqueFd dir(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));  // dir_fd may be O_PATH
  if (!dir) throw_errno("open the tree to archive");
  TarWriter w(sink, options);
  w.walk(dir.get(), "");
  w.close();
  return w.stats;
}

LayerTarStats write_entry_tar(int parent_fd, const std::string& name, const std::string& as, const TarSink& sink,
                              const TreeTarOptions& options) {
  TarWriter w(sink, options);
  if (as.empty()) {
    UniqueFd dir(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir) throw_errno("open `" + name + "`");
    w.walk(dir.get(), "");
  } else {
    w.entry(parent_fd, name, as);
  }
  w.close();
  return w.stats;
}

std::uint64_t clean_overlay_upper(const std::string& dir) {
  UniqueFd root = open_layer_dir(dir);
  return clean_below(root.get(), "");
}

}  // namespace berth::image
