// COPY/ADD into a merged step root (see copy_step.hpp). The destination is walked with directory
// fds kept along the current path (the source walk is depth first, parents before children), so
// a deep tree costs one openat per directory rather than a resolution from the root per file.
#include "compose/build/copy_step.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <utility>

#include "common/atomic_file.hpp"
#include "common/dir_list.hpp"
#include "common/in_root.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/image/archive_reader.hpp"
#include "compose/image/layer_writer.hpp"

namespace berth::build {

namespace {

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string join(const std::string& dir, const std::string& rel) {
  if (rel.empty()) return dir;
  return dir == "/" ? "/" + rel : dir + "/" + rel;
}

/// Walks a plain root (a stage's rootfs) as BuildContext::walk does the context.
void walk_root(int root_fd, const std::string& rel, const std::function<void(const ContextEntry&)>& fn) {
  ContextEntry e;
  e.path = rel;
  UniqueFd fd = open_in_root(root_fd, rel, O_PATH | O_NOFOLLOW);
  if (!fd) throw_errno("open `" + rel + "`");
  if (::fstatat(fd.get(), "", &e.st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) throw_errno("stat `" + rel + "`");
  if (S_ISLNK(e.st.st_mode)) {
    std::string target(static_cast<std::size_t>(e.st.st_size) + 1, '\0');
    ssize_t n = ::readlinkat(fd.get(), "", target.data(), target.size());
    if (n < 0) throw_errno("readlink `" + rel + "`");
    target.resize(static_cast<std::size_t>(n));
    e.link_target = target;
  }
  fn(e);
  if (!S_ISDIR(e.st.st_mode)) return;
  UniqueFd dir = open_in_root(root_fd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!dir) throw_errno("open `" + rel + "`");
  for (const std::string& name : list_dir(dir.get(), rel))
    walk_root(root_fd, rel.empty() ? name : rel + "/" + name, fn);
}

/// Writes entries below one destination directory, keeping the fds of the directories on the
/// current path.
class DestWriter {
 public:
  DestWriter(int dst_root, const CopyOptions& o, bool from_context) : m_root(dst_root), m_o(o), m_ctx(from_context) {}

  /// The fd of directory `dir` (absolute in the root), created (0755 root) with its parents if
  /// missing, symlinks resolved inside the root.
  int dir_fd(const std::string& dir) {
    while (!m_stack.empty() && !(dir == m_stack.back().first || dir.rfind(m_stack.back().first + "/", 0) == 0 ||
                                 m_stack.back().first == "/"))
      m_stack.pop_back();
    if (!m_stack.empty() && m_stack.back().first == dir) return m_stack.back().second.get();
    UniqueFd fd = ensure_in_root(m_root, dir, NodeKind::Directory);
    int raw = fd.get();
    m_stack.emplace_back(dir, std::move(fd));
    return raw;
  }

  /// Copies one source entry (opened beneath `src_root`) to the absolute destination path `to`.
  void copy(int src_root, const ContextEntry& e, const std::string& to) {
    const int parent = dir_fd(parent_of(to));
    const std::string name = base_of(to);
    const uid_t uid = m_o.uid ? *m_o.uid : (m_ctx ? 0 : e.st.st_uid);
    const gid_t gid = m_o.gid ? *m_o.gid : (m_ctx ? 0 : e.st.st_gid);
    const mode_t mode = m_o.mode ? *m_o.mode : (e.st.st_mode & 07777);
    struct stat have {};
    bool exists = ::fstatat(parent, name.c_str(), &have, AT_SYMLINK_NOFOLLOW) == 0;
    if (S_ISDIR(e.st.st_mode)) {
      if (exists && !S_ISDIR(have.st_mode)) remove(parent, name, to);
      if ((!exists || !S_ISDIR(have.st_mode)) && ::mkdirat(parent, name.c_str(), 0700) != 0)
        throw_errno("mkdir `" + to + "`");
    } else {
      if (exists) remove(parent, name, to);
      if (S_ISREG(e.st.st_mode)) {
        copy_file(src_root, e, parent, name, to);
      } else if (S_ISLNK(e.st.st_mode)) {
        if (::symlinkat(e.link_target.c_str(), parent, name.c_str()) != 0) throw_errno("symlink `" + to + "`");
      } else if (S_ISFIFO(e.st.st_mode) || S_ISCHR(e.st.st_mode) || S_ISBLK(e.st.st_mode)) {
        if (::mknodat(parent, name.c_str(), e.st.st_mode & S_IFMT, e.st.st_rdev) != 0)
          throw_errno("mknod `" + to + "`");
      } else {
        return;  // sockets: not copied, as docker
      }
    }
    if (::fchownat(parent, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("chown `" + to + "`");
    if (!S_ISLNK(e.st.st_mode) && ::fchmodat(parent, name.c_str(), mode, 0) != 0) throw_errno("chmod `" + to + "`");
    timespec times[2] = {e.st.st_atim, e.st.st_mtim};
    if (!S_ISDIR(e.st.st_mode) && ::utimensat(parent, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno("set times of `" + to + "`");
    if (S_ISDIR(e.st.st_mode)) m_dir_times.emplace_back(to, e.st.st_mtim);
  }

  /// Directory mtimes, set once their children are written.
  void finish() {
    for (auto it = m_dir_times.rbegin(); it != m_dir_times.rend(); ++it) {
      timespec times[2] = {it->second, it->second};
      UniqueFd fd = open_in_root(m_root, it->first, O_PATH | O_NOFOLLOW);
      if (fd) ::utimensat(fd.get(), "", times, AT_EMPTY_PATH);
    }
    m_dir_times.clear();
  }

 private:
  void remove(int parent, const std::string& name, const std::string& shown) {
    if (::unlinkat(parent, name.c_str(), 0) == 0) return;
    if (errno == EISDIR && ::unlinkat(parent, name.c_str(), AT_REMOVEDIR) == 0) return;
    throw_errno("replace `" + shown + "`");
  }

  void copy_file(int src_root, const ContextEntry& e, int parent, const std::string& name, const std::string& to) {
    UniqueFd in = open_in_root(src_root, e.path, O_RDONLY | O_NOFOLLOW);
    if (!in) throw_errno("open `" + e.path + "`");
    UniqueFd out(::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) throw_errno("create `" + to + "`");
    // copy_file_range shares extents where the file system can (reflinks); across file systems
    // (the context on tmpfs, the layer on ext4) older kernels refuse it: then read/write.
    bool plain = false;
    for (off_t left = e.st.st_size; left > 0;) {
      ssize_t n = plain ? copy_chunk(in.get(), out.get(), left, to)
                        : ::copy_file_range(in.get(), nullptr, out.get(), nullptr, static_cast<std::size_t>(left), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && !plain && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS)) {
        plain = true;
        continue;
      }
      if (n < 0) throw_errno("copy `" + e.path + "` to `" + to + "`");
      if (n == 0) break;  // the source shrank: copy what there is
      left -= n;
    }
  }

  /// One read + write of up to `left` bytes through a reused buffer; what read(2) returned.
  /// A failed write throws SysError naming `to`.
  ssize_t copy_chunk(int in, int out, off_t left, const std::string& to) {
    if (m_buf.empty()) m_buf.resize(1 << 20);
    ssize_t n =
        ::read(in, m_buf.data(), static_cast<std::size_t>(std::min<off_t>(left, static_cast<off_t>(m_buf.size()))));
    if (n > 0) write_all(out, std::string_view(m_buf.data(), static_cast<std::size_t>(n)), to);
    return n;
  }

  int m_root;
  const CopyOptions& m_o;
  bool m_ctx;
  std::vector<std::pair<std::string, UniqueFd>> m_stack;
  std::vector<std::pair<std::string, timespec>> m_dir_times;
  std::vector<char> m_buf;
};

/// libarchive can read it as an archive (not a plain file it would take as "raw").
bool is_archive(int src_root, const std::string& rel) {
  UniqueFd fd = open_in_root(src_root, rel, O_RDONLY | O_NOFOLLOW);
  if (!fd) return false;
  image::ArchiveReader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_fd(a.get(), fd.get(), 65536) != ARCHIVE_OK) return false;
  archive_entry* e = nullptr;
  return archive_read_next_header(a.get(), &e) == ARCHIVE_OK;
}

void extract_archive(int src_root, const std::string& rel, const std::string& dest, DestWriter& w) {
  UniqueFd in = open_in_root(src_root, rel, O_RDONLY | O_NOFOLLOW);
  if (!in) throw_errno("open `" + rel + "`");
  int dir = w.dir_fd(dest);
  UniqueFd target(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!target) throw_errno("open `" + dest + "`");
  image::ArchiveReader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_fd(a.get(), in.get(), 65536) != ARCHIVE_OK)
    throw std::runtime_error("ADD `" + rel + "`: " + archive_error_string(a.get()));
  image::LayerWriter writer(target.get());
  archive_entry* e = nullptr;
  for (int r; (r = archive_read_next_header(a.get(), &e)) != ARCHIVE_EOF;) {
    if (r < ARCHIVE_WARN) throw std::runtime_error("ADD `" + rel + "`: " + archive_error_string(a.get()));
    try {
      writer.write(a.get(), e);
    } catch (const std::exception& ex) {
      throw std::runtime_error("ADD `" + rel + "`: entry `" + archive_entry_pathname(e) + "`: " + ex.what());
    }
  }
  writer.finish();
}

}  // namespace

mode_t parse_chmod(const std::string& text) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
    throw std::invalid_argument("invalid --chmod value \"" + text + "\": expected an octal mode such as 755");
  return static_cast<mode_t>(std::stoul(text, nullptr, 8));
}

void copy_into(int dst_root, const CopySource& src, const CopyOptions& o) {
  DestWriter w(dst_root, o, src.context != nullptr);
  const int src_root = src.context ? src.context->root_fd() : src.root_fd;
  IgnoreMatcher extra = IgnoreMatcher::from_patterns(o.excludes, "--exclude");
  for (const std::string& source : o.sources) {
    struct stat st {};
    UniqueFd fd = open_in_root(src_root, source, O_PATH | O_NOFOLLOW);
    if (!fd || ::fstatat(fd.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno("stat `" + source + "` in " + src.shown);
    if (o.extract_archives && S_ISREG(st.st_mode) && is_archive(src_root, source)) {
      extract_archive(src_root, source, o.dest, w);
      continue;
    }
    // Where the source's own path lands: a directory's contents go to dest (with --parents,
    // to dest/<its path>); a file to dest, or dest/<name> when dest is a directory.
    std::string base;
    if (o.parents) {
      base = join(o.dest, source);
    } else if (S_ISDIR(st.st_mode)) {
      base = o.dest;
    } else {
      bool into = o.dest_is_dir;
      if (!into) {
        struct stat d {};
        UniqueFd dest = open_in_root(dst_root, o.dest, O_PATH);
        into = dest && ::fstat(dest.get(), &d) == 0 && S_ISDIR(d.st_mode);
      }
      base = into ? join(o.dest, base_of(source)) : o.dest;
    }
    auto place = [&](const ContextEntry& e) {
      std::string rel = e.path.size() > source.size() ? e.path.substr(source.empty() ? 0 : source.size() + 1) : "";
      if (rel.empty() && S_ISDIR(e.st.st_mode) && !o.parents) {
        w.dir_fd(base);  // the contents' destination exists even for an empty directory
        return;
      }
      w.copy(src_root, e, join(base, rel));
    };
    if (src.context)
      src.context->walk(source, place, o.excludes.empty() ? nullptr : &extra);
    else
      walk_root(src_root, source, place);
  }
  w.finish();
}

void write_file_into(int dst_root, const std::string& path, const std::string& content, std::optional<uid_t> uid,
                     std::optional<gid_t> gid, std::optional<mode_t> mode) {
  UniqueFd parent = ensure_in_root(dst_root, parent_of(path), NodeKind::Directory);
  const std::string name = base_of(path);
  ::unlinkat(parent.get(), name.c_str(), 0);
  UniqueFd out(::openat(parent.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) throw_errno("create `" + path + "`");
  write_all(out.get(), content, path);
  if (::fchown(out.get(), uid.value_or(0), gid.value_or(0)) != 0) throw_errno("chown `" + path + "`");
  if (::fchmod(out.get(), mode.value_or(0644)) != 0) throw_errno("chmod `" + path + "`");
}

}  // namespace berth::build
