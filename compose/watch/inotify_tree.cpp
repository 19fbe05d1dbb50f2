// inotify watches over directory trees (see inotify_tree.hpp). The mask is fsnotify's (create,
// write, attributes, delete, moves, and the directory's own removal or move). A watch whose
// directory is gone comes back as IN_IGNORED and is forgotten; a moved directory keeps reporting
// under its old path, as fsnotify does.
#include "compose/watch/inotify_tree.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/dir_list.hpp"
#include "common/sys_error.hpp"
#include "compose/watch/watch_rules.hpp"

namespace berth::watch {

namespace {

constexpr uint32_t kWatchMask = IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_DELETE | IN_DELETE_SELF | IN_MOVED_FROM |
                                IN_MOVED_TO | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW;

bool is_dir_nofollow(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists_nofollow(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string join(const std::string& dir, const std::string& name) { return dir == "/" ? "/" + name : dir + "/" + name; }

}  // namespace

InotifyTree::InotifyTree(const std::vector<std::string>& paths) : m_roots(paths.begin(), paths.end()) {
  m_fd = UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!m_fd) {
    if (errno == EMFILE)
      throw SysError("inotify_init1 (raise it with 'sysctl fs.inotify.max_user_instances=1024')", errno);
    throw_errno("inotify_init1");
  }
  for (const auto& path : m_roots) {
    std::string existing = path;
    while (existing != "/" && !exists_nofollow(existing)) existing = parent_of(existing);
    if (is_dir_nofollow(existing)) {
      std::vector<std::string> ignored;
      add_new_tree(existing, ignored);
    } else {
      add_dir(parent_of(existing));
    }
  }
}

void InotifyTree::add_dir(const std::string& dir) {
  if (m_dir_watch.count(dir)) return;
  const int wd = ::inotify_add_watch(m_fd.get(), dir.c_str(), kWatchMask);
  if (wd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return;  // gone meanwhile
    if (errno == ENOSPC)
      throw SysError("watch `" + dir + "` (raise the limit with 'sysctl fs.inotify.max_user_watches=524288')", errno);
    throw_errno("watch `" + dir + "`");
  }
  if (auto old = m_dirs.find(wd); old != m_dirs.end()) m_dir_watch.erase(old->second);
  m_dirs[wd] = dir;
  m_dir_watch[dir] = wd;
}

bool InotifyTree::should_watch_dir(const std::string& dir) const {
  for (const auto& root : m_roots)
    if (is_child(root, dir) || is_child(dir, root)) return true;
  return false;
}

bool InotifyTree::should_notify(const std::string& path) const {
  if (m_roots.count(path)) return !is_dir_nofollow(path);  // a watched directory's own changes: not news
  for (const auto& root : m_roots)
    if (is_child(root, path)) return true;
  return false;
}

void InotifyTree::add_new_tree(const std::string& dir, std::vector<std::string>& out) {
  if (!should_watch_dir(dir)) return;
  add_dir(dir);  // before listing: what is created from now on raises an event
  std::vector<std::string> names;
  try {
    names = list_dir(dir);
  } catch (const SysError&) {
    return;  // removed meanwhile
  }
  for (const auto& name : names) {
    const std::string path = join(dir, name);
    if (should_notify(path)) out.push_back(path);
    if (is_dir_nofollow(path)) add_new_tree(path, out);
  }
}

bool InotifyTree::read_events(std::vector<std::string>& out) {
  bool complete = true;
  alignas(struct inotify_event) char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(m_fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return complete;
      throw_errno("read inotify events");
    }
    if (n == 0) return complete;
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) {
        complete = false;
        continue;
      }
      auto dir = m_dirs.find(ev->wd);
      if (dir == m_dirs.end()) continue;
      if (ev->mask & IN_IGNORED) {
        m_dir_watch.erase(dir->second);
        m_dirs.erase(dir);
        continue;
      }
      const std::string path = ev->len > 0 && ev->name[0] ? join(dir->second, ev->name) : dir->second;
      if (should_notify(path)) out.push_back(path);
      if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && (ev->mask & IN_ISDIR)) add_new_tree(path, out);
    }
  }
}

}  // namespace berth::watch
