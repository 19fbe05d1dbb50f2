#pragma once
// Recursive file watching with inotify, as docker compose's naive watcher does it on Linux
// (pkg/watch/watcher_naive.go): every directory below a watched directory gets its own watch;
// a directory that appears later is walked, watched, and every path in it reported (its files
// may have been written before the watch existed). A watched path that is a file is watched
// through its parent directory; one that does not exist yet through its nearest existing
// ancestor, and the directories leading to it are watched as they are created. Only paths that
// are a watched path or below one are reported; a watched directory itself is not.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth::watch {

class InotifyTree {
 public:
  /// Watches `paths` (absolute). Throws SysError (inotify_init1, inotify_add_watch: with the
  /// sysctl to raise when the user's limit of watches or instances is reached).
  explicit InotifyTree(const std::vector<std::string>& paths);

  /// The inotify descriptor (non-blocking): readable when events are pending.
  int fd() const { return m_fd.get(); }

  /// Reads the pending events and appends the paths they concern to `out`. Returns false when
  /// the kernel's queue overflowed (events were lost).
  bool read_events(std::vector<std::string>& out);

  /// Directories watched now (for tests).
  size_t watch_count() const { return m_dirs.size(); }

 private:
  void add_dir(const std::string& dir);
  /// Walks a directory that appeared: watches it and what is below, reporting every path.
  void add_new_tree(const std::string& dir, std::vector<std::string>& out);
  bool should_notify(const std::string& path) const;
  bool should_watch_dir(const std::string& dir) const;

  UniqueFd m_fd;
  std::set<std::string> m_roots;           ///< the paths asked for
  std::map<int, std::string> m_dirs;       ///< watch descriptor → directory
  std::map<std::string, int> m_dir_watch;  ///< directory → watch descriptor
};

}  // namespace berth::watch
