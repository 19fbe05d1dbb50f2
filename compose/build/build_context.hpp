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

  /// Calls `fn` for `rel` and, when it is a directory, every entry below it that is neither
  /// excluded nor matched by `extra` (COPY --exclude, relative to `rel`): parents before
  /// children, names in byte order.
  void walk(const std::string& rel, const std::function<void(const ContextEntry&)>& fn,
            const IgnoreMatcher* extra = nullptr) const;

 private:
  std::string m_dir;
  IgnoreMatcher m_ignore;
  UniqueFd m_root;
};

}  // namespace berth::build
