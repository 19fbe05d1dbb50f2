// copy_up: what the image has at a path → a new volume, as Docker does when a volume is first
// mounted over a non-empty image directory. The image is not mounted: its unpacked layers are
// merged in user space, top-down, the way overlayfs would show them — a 0/0 character device is
// a whiteout (the name is hidden in every lower layer), trusted.overlay.opaque=y on a directory
// hides the lower layers' content of that directory, and a non-directory hides everything below
// its name. Symlinks on the way to the path are resolved inside the image (absolute ones from the
// image's root), never on the host. The layer dirs are the store's own, so plain paths with
// lstat (never following a link) are enough; every node is copied with its owner, mode, times and
// xattrs (overlay's private trusted.overlay.* excepted), hard links within the tree stay links.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "common/dir_list.hpp"
#include "common/split_path.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/storage/volumes.hpp"

namespace berth::storage {

namespace {

bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == ::makedev(0, 0); }

bool is_opaque(const std::string& dir) {
  char v[4];
  ssize_t n = ::lgetxattr(dir.c_str(), "trusted.overlay.opaque", v, sizeof v);
  return n == 1 && v[0] == 'y';
}

/// The layers that contribute to the merged directory `name` inside the merged directory made of
/// `dirs` (top first), given that the topmost entry of `name` is a directory in dirs[top].
std::vector<std::string> sub_layers(const std::vector<std::string>& dirs, size_t top, const std::string& name) {
  std::vector<std::string> out{dirs[top] + "/" + name};
  if (is_opaque(out.back())) return out;
  for (size_t j = top + 1; j < dirs.size(); ++j) {
    const std::string p = dirs[j] + "/" + name;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) continue;
    if (!S_ISDIR(st.st_mode)) break;  // a whiteout or a file hides this name in lower layers
    out.push_back(p);
    if (is_opaque(p)) break;
  }
  return out;
}

/// Finds `name` in a merged directory: index of the topmost layer holding it and its stat.
std::optional<std::pair<size_t, struct stat>> lookup(const std::vector<std::string>& dirs, const std::string& name) {
  for (size_t i = 0; i < dirs.size(); ++i) {
    struct stat st {};
    if (::lstat((dirs[i] + "/" + name).c_str(), &st) != 0) continue;
    if (is_whiteout(st)) return std::nullopt;
    return std::pair{i, st};
  }
  return std::nullopt;
}

/// The layer dirs of the merged directory at `path` in the image; nullopt when it is absent or
/// not a directory. Symlinks are followed inside the image (at most 40, as the kernel does).
std::optional<std::vector<std::string>> resolve_dir(const std::vector<std::string>& lowers, const std::string& path) {
  std::vector<std::string> pending = split_path(path);
  std::vector<std::string> done;  // components of the resolved directory so far
  std::vector<std::vector<std::string>> stack{lowers};
  int links = 0;
  while (!pending.empty()) {
    std::string c = pending.front();
    pending.erase(pending.begin());
    if (c == "..") {
      if (stack.size() > 1) {
        stack.pop_back();
        done.pop_back();
      }
      continue;
    }
    auto hit = lookup(stack.back(), c);
    if (!hit) return std::nullopt;
    const auto& [layer, st] = *hit;
    if (S_ISLNK(st.st_mode)) {
      if (++links > 40) return std::nullopt;
      std::string link(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink((stack.back()[layer] + "/" + c).c_str(), link.data(), link.size());
      if (n < 0) throw_errno("readlink `" + stack.back()[layer] + "/" + c + "`");
      link.resize(static_cast<size_t>(n));
      std::vector<std::string> target = split_path(link);
      if (!link.empty() && link[0] == '/') {
        stack.resize(1);
        done.clear();
      }
      pending.insert(pending.begin(), target.begin(), target.end());
      continue;
    }
    if (!S_ISDIR(st.st_mode)) return std::nullopt;
    stack.push_back(sub_layers(stack.back(), layer, c));
    done.push_back(c);
  }
  return stack.back();
}

/// Copies the xattrs of `src` to `dst` (both not followed), except overlay's own.
void copy_xattrs(const std::string& src, const std::string& dst) {
  ssize_t size = ::llistxattr(src.c_str(), nullptr, 0);
  if (size <= 0) return;
  std::string names(static_cast<size_t>(size), '\0');
  size = ::llistxattr(src.c_str(), names.data(), names.size());
  if (size < 0) throw_errno("list xattrs of `" + src + "`");
  for (size_t i = 0; i < static_cast<size_t>(size);) {
    std::string name(names.c_str() + i);
    i += name.size() + 1;
    if (name.rfind("trusted.overlay.", 0) == 0) continue;
    ssize_t n = ::lgetxattr(src.c_str(), name.c_str(), nullptr, 0);
    if (n < 0) continue;
    std::string value(static_cast<size_t>(n), '\0');
    n = ::lgetxattr(src.c_str(), name.c_str(), value.data(), value.size());
    if (n < 0) continue;
    if (::lsetxattr(dst.c_str(), name.c_str(), value.data(), static_cast<size_t>(n), 0) != 0 && errno != ENOTSUP &&
        errno != EPERM)
      throw_errno("set xattr " + name + " on `" + dst + "`");
  }
}

/// Owner, mode (after chown, which clears set-id bits), xattrs and times of `st` onto `dst`.
void copy_metadata(const std::string& src, const std::string& dst, const struct stat& st) {
  if (::lchown(dst.c_str(), st.st_uid, st.st_gid) != 0 && errno != EPERM) throw_errno("chown `" + dst + "`");
  if (!S_ISLNK(st.st_mode) && ::chmod(dst.c_str(), st.st_mode & 07777) != 0) throw_errno("chmod `" + dst + "`");
  copy_xattrs(src, dst);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("set times of `" + dst + "`");
}

void copy_file(const std::string& src, const std::string& dst) {
  UniqueFd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!in) throw_errno("open `" + src + "`");
  UniqueFd out(::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!out) throw_errno("create `" + dst + "`");
  for (;;) {
    ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, 1 << 30, 0);
    if (n == 0) break;
    if (n > 0) continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL)
      throw_errno("copy `" + src + "` to `" + dst + "`");
    char buf[65536];  // copy_file_range refused (old kernel, odd fs): plain read/write
    for (;;) {
      ssize_t r = ::read(in.get(), buf, sizeof buf);
      if (r < 0) throw_errno("read `" + src + "`");
      if (r == 0) return;
      for (ssize_t off = 0; off < r;) {
        ssize_t w = ::write(out.get(), buf + off, static_cast<size_t>(r - off));
        if (w < 0) throw_errno("write `" + dst + "`");
        off += w;
      }
    }
  }
}

class TreeCopier {
 public:
  void copy_dir(const std::vector<std::string>& layers, const std::string& dst) {
    std::set<std::string> seen;
    for (size_t i = 0; i < layers.size(); ++i) {
      for (const std::string& name : list_dir(layers[i])) {
        if (!seen.insert(name).second) continue;
        const std::string src = layers[i] + "/" + name;
        struct stat st {};
        if (::lstat(src.c_str(), &st) != 0) throw_errno("stat `" + src + "`");
        if (is_whiteout(st)) continue;
        const std::string to = dst + "/" + name;
        if (S_ISDIR(st.st_mode)) {
          if (::mkdir(to.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("mkdir `" + to + "`");
          copy_dir(sub_layers(layers, i, name), to);
          copy_metadata(src, to, st);
        } else {
          copy_node(src, to, st);
        }
      }
    }
  }

 private:
  void copy_node(const std::string& src, const std::string& dst, const struct stat& st) {
    struct stat existing {};
    if (::lstat(dst.c_str(), &existing) == 0) return;  // never overwrite what the volume has
    if (st.st_nlink > 1 && !S_ISDIR(st.st_mode)) {
      auto key = std::pair{st.st_dev, st.st_ino};
      auto it = m_links.find(key);
      if (it != m_links.end()) {
        if (::link(it->second.c_str(), dst.c_str()) != 0) throw_errno("link `" + it->second + "` to `" + dst + "`");
        return;
      }
      m_links.emplace(key, dst);
    }
    if (S_ISREG(st.st_mode)) {
      copy_file(src, dst);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(src.c_str(), target.data(), target.size());
      if (n < 0) throw_errno("readlink `" + src + "`");
      target.resize(static_cast<size_t>(n));
      if (::symlink(target.c_str(), dst.c_str()) != 0) throw_errno("symlink `" + dst + "`");
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
      if (::mknod(dst.c_str(), st.st_mode, st.st_rdev) != 0) throw_errno("mknod `" + dst + "`");
    } else {
      return;  // sockets are not content
    }
    copy_metadata(src, dst, st);
  }

  std::map<std::pair<dev_t, ino_t>, std::string> m_links;
};

}  // namespace

bool copy_up(const std::vector<std::string>& lower_dirs, const std::string& path_in_image, const std::string& dst) {
  if (lower_dirs.empty()) return false;
  auto layers = resolve_dir(lower_dirs, path_in_image);
  if (!layers) return false;
  TreeCopier copier;
  copier.copy_dir(*layers, dst);
  // The volume's root takes the image directory's owner and mode (Docker's copyOwnership).
  struct stat st {};
  if (::lstat(layers->front().c_str(), &st) != 0) throw_errno("stat `" + layers->front() + "`");
  if (::chown(dst.c_str(), st.st_uid, st.st_gid) != 0 && errno != EPERM) throw_errno("chown `" + dst + "`");
  if (::chmod(dst.c_str(), st.st_mode & 07777) != 0) throw_errno("chmod `" + dst + "`");
  return true;
}

}  // namespace berth::storage
