// The build context on disk. Two jobs:
//  - resolve(): a COPY/ADD source to the context paths it names. The source is cleaned as if it
//    were absolute (so `..` stops at the root, as BuildKit's path.Join("/", src) does); glob
//    elements are matched per directory level with Go's filepath.Match; a path that exists but
//    is excluded is an error naming the .dockerignore line, which BuildKit cannot say because it
//    never received the file.
//  - walk(): a source and everything below it, parents first, names in byte order, without ever
//    following a symlink (each directory is opened by name from its parent's fd with
//    O_NOFOLLOW), skipping excluded entries but entering an excluded directory when an exception
//    could re-include something below it (it is then reported only if something inside is).
// Only the path a caller names is resolved through symlinks, and then inside the context:
// openat2(RESOLVE_IN_ROOT) treats the context directory as `/`.
#include "compose/build/build_context.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>

#include "common/sys_error.hpp"
#include "compose/build/go_match.hpp"
#include "compose/gocompat/path.hpp"

namespace berth::build {

namespace {

/// The names of one directory, sorted in byte order; kept per walk depth and reused.
struct CtxNames {
  std::string arena;                                           ///< every name followed by a NUL
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;  ///< offset, length
  std::string_view at(std::size_t i) const { return std::string_view(arena).substr(spans[i].first, spans[i].second); }
};

void ctx_list_names(int fd, const std::string& shown, CtxNames& out) {
  out.arena.clear();
  out.spans.clear();
  alignas(8) char buf[32768];
  for (;;) {
    ssize_t n = ::getdents64(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read directory `" + shown + "` of the build context");
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* d = reinterpret_cast<const struct dirent64*>(buf + off);
      off += d->d_reclen;
      std::string_view name(d->d_name);
      if (name == "." || name == "..") continue;
      out.spans.emplace_back(static_cast<std::uint32_t>(out.arena.size()), static_cast<std::uint32_t>(name.size()));
      out.arena.append(name);
      out.arena.push_back('\0');
    }
  }
  const std::string& arena = out.arena;
  std::sort(out.spans.begin(), out.spans.end(), [&arena](const auto& a, const auto& b) {
    return std::string_view(arena).substr(a.first, a.second) < std::string_view(arena).substr(b.first, b.second);
  });
}

/// The path the kernel gives an open fd (readlink of /proc/self/fd/N); "" when it has none.
std::string ctx_fd_path(int fd) {
  char buf[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  if (n <= 0 || buf[0] != '/') return {};
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string ctx_shown(std::string_view rel) { return rel.empty() ? std::string(".") : std::string(rel); }

/// A source as a context path: cleaned as an absolute path, then made relative ("" = root).
std::string ctx_clean_source(std::string_view source) {
  std::string abs = gocompat::clean_path("/" + std::string(source));
  return abs.substr(1);
}

std::string ctx_excluded_message(const std::string& path, const std::string& real, const IgnoreRule& rule) {
  std::string text = rule.text;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(0, 1);
  std::string what = "\"" + path + "\"";
  if (real != path) what += " is \"" + real + "\" through a symlink,";
  return what + " is excluded by " + rule.file + " line " + std::to_string(rule.line) + " (" + text + ")";
}

/// Expands the glob elements of `parts` from component `i` on, below `prefix`.
void ctx_expand(const BuildContext& ctx, const std::vector<std::string>& parts, std::size_t i, std::string& prefix,
                std::vector<std::string>& out, CtxNames& names) {
  const std::string& comp = parts[i];
  const bool last = i + 1 == parts.size();
  const std::size_t saved = prefix.size();
  auto descend = [&] {
    if (last) {
      struct stat st {};
      if (ctx.lstat(prefix, st)) out.push_back(prefix);
    } else {
      ctx_expand(ctx, parts, i + 1, prefix, out, names);
    }
    prefix.resize(saved);
  };
  if (!has_glob_meta(comp)) {
    if (!prefix.empty()) prefix += '/';
    prefix += comp;
    descend();
    return;
  }
  UniqueFd dir = ctx.open_beneath(prefix, O_RDONLY | O_DIRECTORY);
  if (!dir) {
    if (errno == ENOENT || errno == ENOTDIR) return;
    throw_errno("open `" + ctx_shown(prefix) + "` in the build context");
  }
  ctx_list_names(dir.get(), ctx_shown(prefix), names);
  std::vector<std::string> matched;
  for (std::size_t k = 0; k < names.spans.size(); ++k) {
    GoMatch m = go_match(comp, names.at(k));
    if (m == GoMatch::bad_pattern) throw ContextError("\"" + comp + "\": syntax error in pattern");
    if (m == GoMatch::yes) matched.emplace_back(names.at(k));
  }
  for (const std::string& name : matched) {
    if (!prefix.empty()) prefix += '/';
    prefix += name;
    descend();
  }
}

/// The walk below one directory; one per walk() call.
class ContextWalker {
 public:
  ContextWalker(const IgnoreMatcher& ignore, const IgnoreMatcher* extra, std::size_t extra_offset,
                const std::function<void(const ContextEntry&)>& fn)
      : m_ignore(ignore), m_extra(extra), m_extra_offset(extra_offset), m_fn(fn) {}

  /// Matches .dockerignore rules against `real` + what follows `rel` in each path, when the
  /// walked path goes through a symlinked directory.
  void map_to_real(const std::string& rel, std::string real) {
    if (real == rel) return;
    m_mapped = true;
    m_real_base = std::move(real);
    m_rel_size = rel.size();
  }

  ContextEntry& entry() { return m_entry; }

  void walk_dir(int dirfd, std::size_t depth) {
    if (m_levels.size() <= depth) m_levels.resize(depth + 1);
    CtxNames& names = m_levels[depth];
    ctx_list_names(dirfd, ctx_shown(m_entry.path), names);
    const std::size_t base = m_entry.path.size();
    for (std::size_t k = 0; k < names.spans.size(); ++k) {
      std::string_view name = names.at(k);
      m_entry.path.resize(base);
      if (base != 0) m_entry.path += '/';
      m_entry.path += name;
      if (::fstatat(dirfd, name.data(), &m_entry.st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // removed while we walk
        throw_errno("stat `" + m_entry.path + "` in the build context");
      }
      const bool is_dir = S_ISDIR(m_entry.st.st_mode);
      bool excluded = false, enter = is_dir;
      std::string_view ignore_path = m_entry.path;
      if (m_mapped) {
        m_real.assign(m_real_base);
        m_real.append(m_entry.path, m_rel_size);
        ignore_path = m_real;
      }
      if (m_ignore.excluded_by(ignore_path) != nullptr) {
        excluded = true;
        enter = enter && m_ignore.may_include_below(ignore_path);
      }
      if (m_extra != nullptr && m_entry.path.size() > m_extra_offset) {
        std::string_view rel = std::string_view(m_entry.path).substr(m_extra_offset);
        if (m_extra->excluded_by(rel) != nullptr) {
          excluded = true;
          enter = enter && m_extra->may_include_below(rel);
        }
      }
      if (excluded && !enter) continue;
      if (excluded) {
        m_pending.push_back({m_entry.path.size(), m_entry.st, false});
      } else {
        m_entry.link_target.clear();
        if (S_ISLNK(m_entry.st.st_mode)) read_link(dirfd, name.data());
        m_entry.dir_fd = dirfd;
        emit();
      }
      if (is_dir) {
        UniqueFd child(::openat(dirfd, name.data(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child) {
          if (errno != ENOENT) throw_errno("open directory `" + m_entry.path + "` in the build context");
        } else {
          walk_dir(child.get(), depth + 1);
        }
        if (excluded) m_pending.pop_back();
      }
    }
    m_entry.path.resize(base);
  }

  void read_link(int dirfd, const char* name) {
    char buf[PATH_MAX];
    ssize_t n = ::readlinkat(dirfd, name, buf, sizeof buf);
    if (n < 0) throw_errno("readlink `" + m_entry.path + "` in the build context");
    m_entry.link_target.assign(buf, static_cast<std::size_t>(n));
  }

  void emit() {
    // Excluded directories entered for an exception appear just before the first entry kept
    // inside them, so the parents-first order holds.
    for (Pending& p : m_pending) {
      if (p.reported) continue;
      ContextEntry dir;
      dir.path = m_entry.path.substr(0, p.length);
      dir.st = p.st;
      m_fn(dir);
      p.reported = true;
    }
    m_fn(m_entry);
  }

 private:
  struct Pending {
    std::size_t length;
    struct stat st;
    bool reported;
  };
  const IgnoreMatcher& m_ignore;
  const IgnoreMatcher* m_extra;
  std::size_t m_extra_offset;
  const std::function<void(const ContextEntry&)>& m_fn;
  ContextEntry m_entry;
  bool m_mapped = false;
  std::string m_real_base, m_real;
  std::size_t m_rel_size = 0;
  std::deque<CtxNames> m_levels;
  std::vector<Pending> m_pending;
};

}  // namespace

BuildContext::BuildContext(std::string dir, IgnoreMatcher ignore) : m_dir(std::move(dir)), m_ignore(std::move(ignore)) {
  m_root.reset(::open(m_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!m_root) throw_errno("open build context `" + m_dir + "`");
  m_real_root = ctx_fd_path(m_root.get());
}

std::string BuildContext::real_path(std::string_view rel) const {
  auto slash = rel.rfind('/');
  if (slash == std::string_view::npos || m_real_root.empty()) return std::string(rel);
  UniqueFd parent = open_beneath(rel.substr(0, slash), O_PATH | O_DIRECTORY);
  if (!parent) return std::string(rel);
  std::string real = ctx_fd_path(parent.get());
  std::string_view base = rel.substr(slash + 1);
  if (real == m_real_root) return std::string(base);
  if (m_real_root == "/") return real.substr(1) + "/" + std::string(base);
  if (real.size() > m_real_root.size() && real.starts_with(m_real_root) && real[m_real_root.size()] == '/')
    return real.substr(m_real_root.size() + 1) + "/" + std::string(base);
  return std::string(rel);
}

UniqueFd BuildContext::open_beneath(std::string_view rel, int flags) const {
  std::string path = rel.empty() ? std::string(".") : std::string(rel);
  open_how how{};
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, m_root.get(), path.c_str(), &how, sizeof how);
    // EAGAIN: a rename raced with the lookup; the kernel asks for a retry.
    if (fd < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    return UniqueFd(static_cast<int>(fd));
  }
}

bool BuildContext::lstat(std::string_view rel, struct stat& st) const {
  if (rel.empty()) {
    if (::fstat(m_root.get(), &st) != 0) throw_errno("stat build context `" + m_dir + "`");
    return true;
  }
  auto slash = rel.rfind('/');
  std::string_view parent = slash == std::string_view::npos ? std::string_view() : rel.substr(0, slash);
  std::string base(slash == std::string_view::npos ? rel : rel.substr(slash + 1));
  UniqueFd dir = open_beneath(parent, O_PATH | O_DIRECTORY);
  if (!dir) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throw_errno("open `" + ctx_shown(parent) + "` in the build context");
  }
  if (::fstatat(dir.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throw_errno("stat `" + std::string(rel) + "` in the build context");
  }
  return true;
}

std::vector<std::string> BuildContext::resolve(std::string_view source) const {
  const std::string rel = ctx_clean_source(source);
  std::vector<std::string> found;
  if (!has_glob_meta(rel)) {
    struct stat st {};
    if (lstat(rel, st)) found.push_back(rel);
  } else {
    std::vector<std::string> parts;
    for (std::size_t start = 0; start < rel.size();) {
      std::size_t slash = std::min(rel.find('/', start), rel.size());
      parts.push_back(rel.substr(start, slash - start));
      start = slash + 1;
    }
    std::string prefix;
    CtxNames names;
    ctx_expand(*this, parts, 0, prefix, found, names);
  }
  if (found.empty()) throw ContextError("\"" + std::string(source) + "\": not found in the build context");
  std::vector<std::string> kept;
  const IgnoreRule* first_rule = nullptr;
  std::string first_path, first_real;
  for (std::string& path : found) {
    const IgnoreRule* rule = m_ignore.excluded_by(path);
    std::string real = rule == nullptr && !m_ignore.empty() ? real_path(path) : path;
    if (rule == nullptr && real != path) rule = m_ignore.excluded_by(real);
    if (rule != nullptr) {
      if (first_rule == nullptr) {
        first_rule = rule;
        first_path = path;
        first_real = real;
      }
      continue;
    }
    kept.push_back(std::move(path));
  }
  if (kept.empty()) {
    std::string message = ctx_excluded_message(first_path, first_real, *first_rule);
    if (found.size() > 1 || first_path != rel)
      message = "\"" + std::string(source) + "\" matches only excluded files: " + message;
    throw ContextError(message);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

void BuildContext::walk(const std::string& rel, const std::function<void(const ContextEntry&)>& fn,
                        const IgnoreMatcher* extra) const {
  ContextWalker walker(m_ignore, extra, rel.empty() ? 0 : rel.size() + 1, fn);
  if (!m_ignore.empty()) walker.map_to_real(rel, real_path(rel));
  ContextEntry& top = walker.entry();
  top.path = rel;
  if (!lstat(rel, top.st)) throw ContextError("\"" + ctx_shown(rel) + "\": not found in the build context");
  UniqueFd parent;
  if (!rel.empty()) {
    auto slash = rel.rfind('/');
    parent = open_beneath(slash == std::string::npos ? std::string_view() : std::string_view(rel).substr(0, slash),
                          O_PATH | O_DIRECTORY);
    if (!parent) throw_errno("open the parent of `" + rel + "` in the build context");
    top.dir_fd = parent.get();
    if (S_ISLNK(top.st.st_mode)) walker.read_link(parent.get(), std::string(top.name()).c_str());
  }
  fn(top);
  if (!S_ISDIR(top.st.st_mode)) return;
  UniqueFd dir = open_beneath(rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!dir) throw_errno("open directory `" + ctx_shown(rel) + "` in the build context");
  walker.walk_dir(dir.get(), 0);
}

}  // namespace berth::build
