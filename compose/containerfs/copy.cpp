// docker cp through a container's root fd (see copy.hpp). Both directions are one pipeline: the
// source side writes a tar of the entry (image::write_entry_tar, nothing followed), the other
// side extracts it into the destination directory (image::unpack_tar in docker cp's mode:
// existing names replaced, directories merged, owners root or the archive's). The source name
// and the destination directory are decided first, by copy_plan's docker rules, from stats
// made through the root.
#include "compose/containerfs/copy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "common/in_root.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/containerfs/copy_plan.hpp"
#include "compose/containerfs/tar_stream.hpp"
#include "compose/gocompat/path.hpp"
#include "compose/image/unpack.hpp"

namespace berth::containerfs {

namespace {

/// Go's text of an errno ("no such file or directory"): strerror with a lower-case first letter.
std::string go_errno_text(int err) {
  std::string s = std::strerror(err);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string current_dir() {
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr) throw_errno("getcwd");
  return buf;
}

[[noreturn]] void not_found(const std::string& path, const std::string& container) {
  throw std::runtime_error("Error response from daemon: Could not find the file " + path + " in container " +
                           container);
}

/// The entry a cp source names: its parent directory (opened), its name there, and what it is.
struct SourceEntry {
  UniqueFd parent;
  std::string name;  ///< "." for the parent itself (the root, or "dir/.")
  CopySource info;
};

/// Follows a symlink at the end of `path` inside the root, as docker's ContainerStatPath does
/// for -L; each step resolves again through the root. Returns the final path.
std::string follow_in_root(int root_fd, std::string path) {
  for (int hops = 0; hops < 40; ++hops) {
    DirEntry d = split_dir_entry(path);
    if (d.base == "/" || d.base == ".") return path;
    UniqueFd parent = open_in_root(root_fd, d.dir, O_PATH | O_DIRECTORY);
    if (!parent) return path;
    char target[PATH_MAX];
    ssize_t n = ::readlinkat(parent.get(), d.base.c_str(), target, sizeof target - 1);
    if (n < 0) return path;  // not a symlink (or gone: the stat that follows says so)
    std::string t(target, static_cast<std::size_t>(n));
    path = gocompat::clean_path(t.starts_with('/') ? t : d.dir + "/" + t);
  }
  throw std::runtime_error("too many levels of symbolic links");
}

SourceEntry container_source(int root_fd, const std::string& container, const std::string& src, bool follow) {
  std::string path = src.starts_with('/') ? src : "/" + src;
  const DirEntry asked = split_dir_entry(path);
  SourceEntry s;
  s.info.contents_only = specifies_current_dir(path);
  if (follow && !s.info.contents_only) path = follow_in_root(root_fd, path);
  const DirEntry d = split_dir_entry(path);
  const bool self = d.base == "/" || d.base == ".";
  s.parent = open_in_root(root_fd, self ? (d.base == "." ? d.dir : "/") : d.dir, O_PATH | O_DIRECTORY);
  if (!s.parent) not_found(src, container);
  s.name = self ? "." : d.base;
  struct stat st {};
  if (::fstatat(s.parent.get(), s.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) not_found(src, container);
  s.info.is_dir = S_ISDIR(st.st_mode);
  if (s.info.contents_only && !s.info.is_dir) not_found(src, container);
  // A followed link keeps the name it was asked by (docker's rebase name).
  s.info.name = asked.base == "/" ? "." : asked.base;
  return s;
}

SourceEntry local_source(const std::string& src, bool follow) {
  std::string path = absolute_local_path(src, current_dir());
  const DirEntry asked = split_dir_entry(path);
  SourceEntry s;
  s.info.contents_only = specifies_current_dir(path);
  std::string resolved_dir = asked.dir, name = asked.base;
  if (follow && !s.info.contents_only && asked.base != "/") {
    char real[PATH_MAX];
    if (::realpath(path.c_str(), real) == nullptr)
      throw std::runtime_error("lstat " + gocompat::clean_path(path) + ": " + go_errno_text(errno));
    DirEntry r = split_dir_entry(real);
    resolved_dir = r.dir;
    name = r.base;
  }
  if (name == "/" || name == ".") {
    s.parent.reset(::open(name == "/" ? "/" : resolved_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    name = ".";
  } else {
    s.parent.reset(::open(resolved_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  const std::string shown = gocompat::clean_path(path);
  if (!s.parent) throw std::runtime_error("lstat " + shown + ": " + go_errno_text(errno));
  struct stat st {};
  if (::fstatat(s.parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    throw std::runtime_error("lstat " + shown + ": " + go_errno_text(errno));
  s.name = name;
  s.info.is_dir = S_ISDIR(st.st_mode);
  if (s.info.contents_only && !s.info.is_dir) throw std::runtime_error("lstat " + shown + ": not a directory");
  s.info.name = asked.base == "/" ? "." : asked.base;
  return s;
}

/// Writes the source as planned: under `top_name`, or its children alone when that is "".
void write_source(const SourceEntry& s, const std::string& top_name, const image::TarSink& sink, bool in_container) {
  image::TreeTarOptions o;
  o.overlay_form = false;
  o.skip_kernel_fs = in_container;
  image::write_entry_tar(s.parent.get(), s.name, top_name, sink, o);
}

void extract(int fd, int dir_fd, const std::string& shown_dir, std::optional<std::pair<uid_t, gid_t>> owner) {
  image::LayerWriterOptions o;
  o.whiteouts = false;
  o.replace = true;
  o.owner = owner;
  o.shown_root = shown_dir;
  image::unpack_tar(fd, dir_fd, {}, o);
}

/// docker's ValidateOutputPath: the directory of a local destination must exist.
void validate_output_path(const std::string& path) {
  const DirEntry d = split_dir_entry(path);
  struct stat st {};
  if (::stat(d.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error("invalid output path: directory \"" + d.dir + "\" does not exist");
}

}  // namespace

void copy_from_container(int root_fd, const std::string& container, const std::string& src, const std::string& dst,
                         const CopyOptions& options, int out_fd) {
  SourceEntry s = container_source(root_fd, container, src, options.follow_link);
  if (dst == "-") {
    write_source(s, s.info.contents_only ? "" : s.info.name, fd_sink(out_fd), true);
    return;
  }
  const std::string path = absolute_local_path(dst, current_dir());
  validate_output_path(path);
  struct stat st {};
  std::optional<bool> dst_is_dir;
  if (::stat(path.c_str(), &st) == 0) dst_is_dir = S_ISDIR(st.st_mode);
  CopyTarget t = plan_copy(s.info, path, dst_is_dir);
  UniqueFd dir(::open(t.extract_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) throw SysError("open `" + t.extract_dir + "`", errno);
  // What lands on the host belongs to whoever runs berth, as docker cp's NoLchown untar does.
  std::pair<uid_t, gid_t> me{::geteuid(), ::getegid()};
  tar_pipe([&](const image::TarSink& sink) { write_source(s, t.top_name, sink, true); },
           [&](int fd) { extract(fd, dir.get(), t.extract_dir, me); });
}

void copy_to_container(int root_fd, const std::string& container, const std::string& src, const std::string& dst,
                       const CopyOptions& options, int in_fd) {
  std::string path = dst.starts_with('/') ? dst : "/" + dst;
  // A symlink as the destination is evaluated (inside the root) and its target written, as
  // docker cp does; trailing "/" or "/." assert a directory, which the link must then be.
  if (!asserts_directory(path)) path = follow_in_root(root_fd, path);
  std::optional<bool> dst_is_dir;
  if (UniqueFd d = open_in_root(root_fd, path, O_PATH)) {
    struct stat st {};
    if (::fstat(d.get(), &st) != 0) throw_errno("stat `" + path + "` in the container");
    dst_is_dir = S_ISDIR(st.st_mode);
  }
  std::optional<std::pair<uid_t, gid_t>> owner;
  if (!options.archive) owner = std::pair<uid_t, gid_t>{0, 0};
  if (src == "-") {
    if (!dst_is_dir || !*dst_is_dir)
      throw std::runtime_error("destination \"" + container + ":" + dst + "\" must be a directory");
    UniqueFd dir = open_in_root(root_fd, path, O_PATH | O_DIRECTORY);
    if (!dir) not_found(dst, container);
    extract(in_fd, dir.get(), gocompat::clean_path(path), owner);
    return;
  }
  SourceEntry s = local_source(src, options.follow_link);
  CopyTarget t = plan_copy(s.info, path, dst_is_dir);
  UniqueFd dir = open_in_root(root_fd, t.extract_dir, O_PATH | O_DIRECTORY);
  if (!dir) not_found(t.extract_dir, container);
  tar_pipe([&](const image::TarSink& sink) { write_source(s, t.top_name, sink, false); },
           [&](int fd) { extract(fd, dir.get(), t.extract_dir, owner); });
}

}  // namespace berth::containerfs
