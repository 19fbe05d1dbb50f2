// Copying host files into a running container's root (see container_sync.hpp). Every write
// goes through a directory fd obtained with RESOLVE_IN_ROOT, plus one final name that is never
// followed: O_NOFOLLOW/AT_SYMLINK_NOFOLLOW on it, and files are created O_EXCL under a temporary
// name then renamed over the old entry, so a symlink planted at the target is replaced, not used.
#include "compose/watch/container_sync.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/dir_list.hpp"
#include "common/in_root.hpp"
#include "common/shim_protocol.hpp"
#include "common/sys_error.hpp"
#include "common/user_lookup.hpp"
#include "compose/containerfs/container_root.hpp"
#include "compose/gocompat/path.hpp"

namespace berth::watch {

namespace {

std::string dirname_of(const std::string& clean) {
  const auto slash = clean.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : clean.substr(0, slash);
}

std::string basename_of(const std::string& clean) { return clean.substr(clean.rfind('/') + 1); }

/// rm -rf of `name` in `dir_fd`, never following a symlink; a missing entry is fine.
void remove_entry(int dir_fd, const std::string& name, const std::string& shown) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    throw_errno("stat `" + shown + "`");
  }
  if (S_ISDIR(st.st_mode)) {
    UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) throw_errno("open `" + shown + "`");
    for (const auto& child : list_dir(sub.get(), shown)) remove_entry(sub.get(), child, shown + "/" + child);
    if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) throw_errno("remove `" + shown + "`");
    return;
  }
  if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) throw_errno("remove `" + shown + "`");
}

std::string temp_name(const std::string& name) {
  static std::atomic<unsigned> counter{0};
  return ".berth-sync." + std::to_string(::getpid()) + "." + std::to_string(counter++) + "." + name.substr(0, 180);
}

void set_mtime(int fd, const struct stat& host) {
  const struct timespec times[2] = {{0, UTIME_OMIT}, host.st_mtim};
  ::futimens(fd, times);  // best effort, as a tar extraction's Chtimes
}

class Writer {
 public:
  explicit Writer(const ContainerRoot& root) : m_root(root) {}

  void remove(const std::string& container_path) {
    const std::string path = gocompat::clean_path(container_path);
    if (path == "/") return;
    UniqueFd parent = open_in_root(m_root.root.get(), dirname_of(path), O_PATH | O_DIRECTORY);
    if (!parent) {
      if (errno == ENOENT || errno == ENOTDIR) return;
      throw_errno("resolve `" + dirname_of(path) + "` in the container");
    }
    remove_entry(parent.get(), basename_of(path), path);
  }

  /// Copies host `host_path` (and what is below it) to `container_path`.
  void copy(const std::string& host_path, const std::string& container_path) {
    struct stat st {};
    if (::lstat(host_path.c_str(), &st) != 0) {
      if (errno == ENOENT) return;  // gone since the change was seen
      throw_errno("stat `" + host_path + "`");
    }
    const std::string path = gocompat::clean_path(container_path);
    if (path == "/") {
      if (S_ISDIR(st.st_mode)) copy_children(host_path, path);
      return;
    }
    UniqueFd parent = ensure_in_root(m_root.root.get(), dirname_of(path), NodeKind::Directory);
    const std::string name = basename_of(path);
    if (S_ISDIR(st.st_mode)) {
      write_dir(parent.get(), name, path, st);
      copy_children(host_path, path);
    } else if (S_ISREG(st.st_mode)) {
      write_file(parent.get(), name, path, host_path, st);
    } else if (S_ISLNK(st.st_mode)) {
      write_symlink(parent.get(), name, path, host_path);
    }
    // sockets, fifos and devices: not copied (docker skips what a tar header cannot carry)
  }

 private:
  void copy_children(const std::string& host_dir, const std::string& container_dir) {
    std::vector<std::string> names;
    try {
      names = list_dir(host_dir);
    } catch (const SysError& e) {
      if (e.code() == ENOENT) return;
      throw;
    }
    for (const auto& name : names)
      copy(host_dir + "/" + name, container_dir == "/" ? "/" + name : container_dir + "/" + name);
  }

  /// Removes what is at `name` unless it is a directory and `keep_dir`.
  void clear(int parent, const std::string& name, const std::string& shown, bool keep_dir) {
    struct stat cur {};
    if (::fstatat(parent, name.c_str(), &cur, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (keep_dir && S_ISDIR(cur.st_mode)) return;
    if (S_ISDIR(cur.st_mode))
      remove_entry(parent, name, shown);
    else if (::unlinkat(parent, name.c_str(), 0) != 0 && errno != ENOENT)
      throw_errno("remove `" + shown + "`");
  }

  void write_dir(int parent, const std::string& name, const std::string& shown, const struct stat& host) {
    clear(parent, name, shown, true);
    if (::mkdirat(parent, name.c_str(), host.st_mode & 07777) != 0 && errno != EEXIST)
      throw_errno("mkdir `" + shown + "`");
    UniqueFd dir(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir) throw_errno("open `" + shown + "`");
    if (::fchown(dir.get(), m_root.uid, m_root.gid) != 0) throw_errno("chown `" + shown + "`");
    if (::fchmod(dir.get(), host.st_mode & 07777) != 0) throw_errno("chmod `" + shown + "`");
  }

  void write_file(int parent, const std::string& name, const std::string& shown, const std::string& host_path,
                  const struct stat& host) {
    UniqueFd in(::open(host_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) {
      if (errno == ENOENT) return;
      throw_errno("open `" + host_path + "`");
    }
    const std::string tmp = temp_name(name);
    UniqueFd out(::openat(parent, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) throw_errno("create `" + shown + "`");
    bool done = false;
    struct Cleanup {
      int parent;
      const std::string& tmp;
      bool& done;
      ~Cleanup() {
        if (!done) ::unlinkat(parent, tmp.c_str(), 0);
      }
    } cleanup{parent, tmp, done};
    char buf[64 * 1024];
    for (;;) {
      const ssize_t n = ::read(in.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("read `" + host_path + "`");
      if (n == 0) break;
      for (ssize_t off = 0; off < n;) {
        const ssize_t w = ::write(out.get(), buf + off, static_cast<size_t>(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw_errno("write `" + shown + "`");
        off += w;
      }
    }
    if (::fchown(out.get(), m_root.uid, m_root.gid) != 0) throw_errno("chown `" + shown + "`");
    if (::fchmod(out.get(), host.st_mode & 07777) != 0) throw_errno("chmod `" + shown + "`");
    set_mtime(out.get(), host);
    clear(parent, name, shown, false);  // a directory in the way goes; anything else is renamed over
    if (::renameat(parent, tmp.c_str(), parent, name.c_str()) != 0) throw_errno("rename into `" + shown + "`");
    done = true;
  }

  void write_symlink(int parent, const std::string& name, const std::string& shown, const std::string& host_path) {
    std::string target(4096, '\0');
    const ssize_t n = ::readlink(host_path.c_str(), target.data(), target.size());
    if (n < 0) {
      if (errno == ENOENT) return;
      throw_errno("readlink `" + host_path + "`");
    }
    target.resize(static_cast<size_t>(n));
    clear(parent, name, shown, false);
    if (::symlinkat(target.c_str(), parent, name.c_str()) != 0) throw_errno("symlink `" + shown + "`");
    if (::fchownat(parent, name.c_str(), m_root.uid, m_root.gid, AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno("chown `" + shown + "`");
  }

  const ContainerRoot& m_root;
};

}  // namespace

ContainerRoot open_container_root(const state::Paths& paths, const std::string& id) {
  ContainerRoot out;
  out.root = containerfs::open_running_root(paths, id);
  const shim_protocol::State st = shim_protocol::read_state(paths.shim_state_dir(id));
  // Docker's CopyUIDGID: the container's configured user (the shim resolves `user:` inside the
  // rootfs, from the org.berth.user annotation; the same lookup runs here, through its root).
  std::ifstream config(st.bundle + "/config.json");
  const nlohmann::json spec = config ? nlohmann::json::parse(config, nullptr, false) : nlohmann::json();
  std::string user;
  if (spec.is_object() && spec.contains("annotations") && spec["annotations"].is_object())
    user = spec["annotations"].value("org.berth.user", "");
  if (!user.empty()) {
    const ResolvedUser resolved = resolve_user(out.root.get(), user, {});
    out.uid = resolved.uid;
    out.gid = resolved.gid;
  }
  return out;
}

void sync_into(const ContainerRoot& root, const std::vector<PathMapping>& mappings) {
  Writer writer(root);
  std::vector<const PathMapping*> copies;
  for (const auto& m : mappings) {
    if (m.container_path.empty()) continue;
    struct stat st {};
    if (::stat(m.host_path.c_str(), &st) != 0 && errno == ENOENT)
      writer.remove(m.container_path);
    else
      copies.push_back(&m);
  }
  for (const auto* m : copies) writer.copy(m->host_path, m->container_path);
}

}  // namespace berth::watch
