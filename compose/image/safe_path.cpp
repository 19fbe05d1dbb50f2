// Resolution of archive entry paths inside a layer root.
//
// The string checks (split_entry_path) reject what is wrong on its face: absolute names and
// ".." components. They cannot see symbolic links made by earlier entries ("a -> /etc" followed
// by "a/passwd"), so every directory is then opened relative to the layer root's fd with
// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): the kernel refuses to cross any symlink or to
// leave the root, whatever the tree looks like at that moment. Kernels without openat2 (< 5.6)
// get the same guarantee from a component-by-component walk with O_NOFOLLOW | O_DIRECTORY.
#include "compose/image/safe_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <stdexcept>

#include "common/sys_error.hpp"

namespace berth::image {

namespace {

constexpr unsigned long long kResolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;

/// Opens one component `name` of directory `dir` as an O_PATH directory fd, without following.
int open_component(int dir, const std::string& name) {
  int fd = openat2_beneath(dir, name.c_str(), O_PATH | O_DIRECTORY);
  if (fd < 0 && errno == ENOSYS) fd = ::openat(dir, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return fd;
}

[[noreturn]] void refuse_component(int dir, const std::string& name, const std::string& shown, int err) {
  struct stat st {};
  bool is_link = err == ELOOP || (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
  if (is_link) throw std::runtime_error("path goes through the symbolic link `" + shown + "`");
  if (err == ENOTDIR) throw std::runtime_error("`" + shown + "` is not a directory");
  if (err == EXDEV) throw std::runtime_error("path escapes the layer root at `" + shown + "`");
  throw SysError("open directory `" + shown + "` in the layer", err);
}

}  // namespace

int openat2_beneath(int dir_fd, const char* path, int flags, unsigned mode) {
  open_how how{};
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = kResolve;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dir_fd, path, &how, sizeof how);
    // EAGAIN: a concurrent rename somewhere in the tree; the kernel asks us to retry.
    if (fd < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    return static_cast<int>(fd);
  }
}

std::vector<std::string> split_entry_path(std::string_view name) {
  // A bare "/" (or "/." …) is the layer root, as "./" is: some layer writers put it first.
  if (!name.empty() && name.front() == '/' && name.find_first_not_of("/.") == std::string_view::npos &&
      name.find("..") == std::string_view::npos)
    return {};
  if (!name.empty() && name.front() == '/') throw std::runtime_error("absolute path: entries must be relative");
  if (name.size() >= PATH_MAX)
    throw std::runtime_error("name too long (" + std::to_string(name.size()) + " bytes, limit " +
                             std::to_string(PATH_MAX - 1) + ")");
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    std::string_view comp = name.substr(start, slash - start);
    if (comp == "..") throw std::runtime_error("path escapes the layer root: `..` component");
    if (comp.size() > NAME_MAX)
      throw std::runtime_error("name too long (a component of " + std::to_string(comp.size()) + " bytes, limit " +
                               std::to_string(NAME_MAX) + ")");
    if (!comp.empty() && comp != ".") parts.emplace_back(comp);
    start = slash + 1;
  }
  return parts;
}

std::string join_path(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < parts.size(); ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

UniqueFd open_dir_beneath(int root_fd, const std::vector<std::string>& parts, size_t count, bool create_missing,
                          std::vector<std::string>* created) {
  // Fast path: one openat2 for the whole path (the kernel walks it with the same rules).
  std::string joined = count == 0 ? std::string(".") : join_path(parts, count);
  int fast = openat2_beneath(root_fd, joined.c_str(), O_PATH | O_DIRECTORY);
  if (fast >= 0) return UniqueFd(fast);

  // Slow path: walk component by component to create what is missing and to name the culprit.
  UniqueFd current(openat2_beneath(root_fd, ".", O_PATH | O_DIRECTORY));
  if (!current && errno == ENOSYS) current = UniqueFd(::openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!current) throw_errno("open the layer root");
  for (size_t i = 0; i < count; ++i) {
    const std::string& comp = parts[i];
    std::string shown = join_path(parts, i + 1);
    int fd = open_component(current.get(), comp);
    if (fd < 0 && errno == ENOENT && create_missing) {
      if (::mkdirat(current.get(), comp.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("mkdir `" + shown + "`");
      // mkdir's mode went through the umask; the tree must not depend on the caller's umask.
      if (::fchmodat(current.get(), comp.c_str(), 0755, 0) != 0) throw_errno("chmod `" + shown + "`");
      if (created) created->push_back(shown);
      fd = open_component(current.get(), comp);
    }
    if (fd < 0) refuse_component(current.get(), comp, shown, errno);
    current = UniqueFd(fd);
  }
  return current;
}

}  // namespace berth::image
