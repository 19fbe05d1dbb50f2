#pragma once
// The build context on disk: a directory minus what .dockerignore excludes. COPY/ADD sources
// are resolved here (relative to the context root; `..` and a leading `/` cannot leave it;
// Go filepath.Match globs per path element), and a source that exists but is excluded gets an
// error naming the .dockerignore line that excluded it (BuildKit only says "not found").
// Nothing is read beneath a symlink: a symlink in the context is copied as a symlink, and a
// source path whose parent is a symlink is resolved inside the context (openat2 RESOLVE_IN_ROOT).
#include <sys/stat.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"
#include "compose/build/dockerignore.hpp"

namespace berth::build {

/// A source that is absent or excluded; what() is the user's message, e.g.
///   `"app.log" is excluded by .dockerignore line 3 (*.log)` or
///   `"missing.txt": not found in the build context`.
class ContextError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ContextEntry {
  std::string path;         ///< relative to the context root, '/'-separated; "" is the root itself
  struct stat st {};        ///< lstat of the entry
  std::string link_target;  ///< for symlinks
  /// During a walk() callback: an fd of the entry's parent directory, so that the entry can be
  /// opened or inspected by name without resolving its path again; -1 otherwise.
  int dir_fd = -1;
  /// The last component of `path` ("" for the root).
  std::string_view name() const noexcept {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
  }
};

class BuildContext {
 public:
  /// `dir` must exist (std::runtime_error naming it otherwise).
  BuildContext(std::string dir, IgnoreMatcher ignore);

  const std::string& dir() const noexcept { return m_dir; }
  const IgnoreMatcher& ignore() const noexcept { return m_ignore; }
  /// An fd of the context root (O_PATH | O_DIRECTORY), for openat2 beneath it.
  int root_fd() const noexcept { return m_root.get(); }

  /// The context paths one COPY/ADD source names, sorted: the path itself, or every entry a
  /// glob matches (excluded ones left out). Throws ContextError when nothing is left.
  std::vector<std::string> resolve(std::string_view source) const;

  /// Opens context path `rel` ("" = the root) with openat2(RESOLVE_IN_ROOT |
  /// RESOLVE_NO_MAGICLINKS): symlinks on the way resolve inside the context. Add O_NOFOLLOW to
  /// refuse a symlink as the last component. An invalid fd with errno set on failure.
  UniqueFd open_beneath(std::string_view rel, int flags) const;
  /// lstat of context path `rel` (parents resolved as open_beneath does); false when it does
  /// not exist, SysError for other failures.
  bool lstat(std::string_view rel, struct stat& st) const;

  /// Calls `fn` for `rel` and, when it is a directory, every entry below it that is neither
  /// excluded nor matched by `extra` (COPY --exclude, relative to `rel`): parents before
  /// children, names in byte order.
  void walk(const std::string& rel, const std::function<void(const ContextEntry&)>& fn,
            const IgnoreMatcher* extra = nullptr) const;

 private:
  std::string m_dir;
  IgnoreMatcher m_ignore;
  UniqueFd m_root;
  std::string m_real_root;  ///< the root's path as the kernel names it (for real_path)

  /// `rel` with the symlinks of its parent directories resolved (inside the context), so that
  /// .dockerignore rules apply to what is really read: "link/key" is "secret/key" when `link`
  /// points to `secret`. `rel` itself when its parent is the root or cannot be named.
  std::string real_path(std::string_view rel) const;
};

}  // namespace berth::build
