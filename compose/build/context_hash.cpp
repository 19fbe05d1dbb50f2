// The content hash of what a COPY/ADD copies, and the stat cache that makes it cheap.
//
// Per walked entry the hash takes a length-prefixed record: the path relative to the source,
// the type, permission bits, uid, gid, size (regular files), device number (devices), link
// target, every xattr (sorted by name) and the content sha256 (regular files), and for each
// source its base name (COPY a.txt /dir/ names the copy after it). mtime and ctime are left out,
// so `touch` keeps the build cache.
//
// The stat cache maps (dev, inode, size, mtime ns, ctime ns) to a content sha256: any write
// changes mtime and ctime, so an unchanged key means unchanged content — except within one tick
// of a coarse file-system clock, where a second write of the same size keeps both timestamps.
// As git does with "racily clean" index entries, a file whose timestamps are that close to the
// moment it was read is hashed but not recorded. Setting or removing an xattr moves ctime too,
// so the same key also records the sha256 of every entry's xattrs: reading them (llistxattr on
// /proc/self/fd/N/name, symlinks not followed) cost as much as the whole stat walk.
//
// The cache file: "BERTHSC2" then fixed 105-byte records (dev, ino, size, mtime ns, ctime ns as
// little-endian 64-bit; a flags byte: 1 content, 2 xattrs; the two 32-byte digests), written
// atomically.
#include "compose/build/context_hash.hpp"

#include <fcntl.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "compose/image/digest.hpp"

namespace berth::build {

namespace {

constexpr std::string_view kStatCacheMagic = "BERTHSC2";
constexpr std::size_t kStatCacheRecord = 5 * 8 + 1 + 32 + 32;

std::int64_t hash_ns(const struct timespec& ts) {
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void hash_put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint64_t hash_get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void hash_put_str(std::string& out, std::string_view s) {
  hash_put_u64(out, s.size());
  out.append(s);
}

int hash_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// 32 raw bytes of a 64-hex digest; false when it is not one.
bool hash_hex_to_raw(std::string_view hex, unsigned char* raw) {
  if (hex.size() != 64) return false;
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = hash_hex_value(hex[2 * i]), lo = hash_hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    raw[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

std::string hash_raw_to_hex(const char* raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(64, '0');
  for (std::size_t i = 0; i < 32; ++i) {
    auto b = static_cast<unsigned char>(raw[i]);
    hex[2 * i] = kDigits[b >> 4];
    hex[2 * i + 1] = kDigits[b & 15];
  }
  return hex;
}

/// Whether a file's timestamps are too close to `now` for its stat to vouch for its content:
/// within 100 ms, or 2 s on a file system that keeps whole seconds only (both nanosecond
/// fields zero: ext3, FAT, some FUSE and network file systems).
bool hash_stat_is_racy(const struct stat& st, const struct timespec& now) {
  const bool coarse = st.st_mtim.tv_nsec == 0 && st.st_ctim.tv_nsec == 0;
  const std::int64_t margin = coarse ? 2'000'000'000 : 100'000'000;
  return std::max(hash_ns(st.st_mtim), hash_ns(st.st_ctim)) > hash_ns(now) - margin;
}

bool hash_same_stat(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         hash_ns(a.st_mtim) == hash_ns(b.st_mtim) && hash_ns(a.st_ctim) == hash_ns(b.st_ctim);
}

char hash_type_char(mode_t mode) {
  if (S_ISREG(mode)) return 'f';
  if (S_ISDIR(mode)) return 'd';
  if (S_ISLNK(mode)) return 'l';
  if (S_ISCHR(mode)) return 'c';
  if (S_ISBLK(mode)) return 'b';
  if (S_ISFIFO(mode)) return 'p';
  return 's';
}

/// The xattrs of an entry as (name, value) sorted by name; read by name through the parent
/// directory's fd when the walk gives one, never following a symlink.
void hash_xattrs(const BuildContext& ctx, const ContextEntry& e, std::string& path_buf, std::string& list_buf,
                 std::vector<std::pair<std::string, std::string>>& out) {
  out.clear();
  if (e.dir_fd >= 0) {
    path_buf = "/proc/self/fd/" + std::to_string(e.dir_fd) + "/";
    path_buf.append(e.name());
  } else {
    path_buf = ctx.dir() + "/" + e.path;  // an entry made by hand: its path as given
  }
  for (;;) {
    ssize_t n = ::llistxattr(path_buf.c_str(), list_buf.data(), list_buf.size());
    if (n < 0 && errno == ERANGE) {
      ssize_t need = ::llistxattr(path_buf.c_str(), nullptr, 0);
      if (need < 0) throw_errno("list xattrs of `" + e.path + "` in the build context");
      list_buf.resize(static_cast<std::size_t>(need) + 64);
      continue;
    }
    if (n < 0) {
      if (errno == ENOTSUP || errno == ENOENT) return;
      throw_errno("list xattrs of `" + e.path + "` in the build context");
    }
    for (std::size_t off = 0; off < static_cast<std::size_t>(n);) {
      std::string name(list_buf.data() + off);
      off += name.size() + 1;
      std::string value;
      for (;;) {
        ssize_t size = ::lgetxattr(path_buf.c_str(), name.c_str(), nullptr, 0);
        if (size < 0 && errno == ENODATA) break;  // removed meanwhile
        if (size < 0) throw_errno("read xattr " + name + " of `" + e.path + "` in the build context");
        value.resize(static_cast<std::size_t>(size));
        ssize_t got = ::lgetxattr(path_buf.c_str(), name.c_str(), value.data(), value.size());
        if (got < 0 && errno == ERANGE) continue;  // grew meanwhile
        if (got < 0) throw_errno("read xattr " + name + " of `" + e.path + "` in the build context");
        value.resize(static_cast<std::size_t>(got));
        break;
      }
      out.emplace_back(std::move(name), std::move(value));
    }
    std::sort(out.begin(), out.end());
    return;
  }
}

}  // namespace

std::size_t StatCache::KeyHash::operator()(const Key& k) const noexcept {
  std::uint64_t h = k.ino * 0x9E3779B97F4A7C15ULL;
  for (std::uint64_t v :
       {k.dev, k.size, static_cast<std::uint64_t>(k.mtime_ns), static_cast<std::uint64_t>(k.ctime_ns)})
    h = (h ^ v) * 0x100000001B3ULL + (h >> 29);
  return static_cast<std::size_t>(h);
}

StatCache::StatCache(std::string file) : m_file(std::move(file)) {
  if (m_file.empty()) return;
  std::string data;
  try {
    data = read_file(m_file);
  } catch (const SysError&) {
    return;  // absent or unreadable: the cache only saves work (save() reports a real problem)
  }
  if (!data.starts_with(kStatCacheMagic) || (data.size() - kStatCacheMagic.size()) % kStatCacheRecord != 0) return;
  const std::size_t count = (data.size() - kStatCacheMagic.size()) / kStatCacheRecord;
  m_entries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const char* r = data.data() + kStatCacheMagic.size() + i * kStatCacheRecord;
    Key key{hash_get_u64(r), hash_get_u64(r + 8), hash_get_u64(r + 16), static_cast<std::int64_t>(hash_get_u64(r + 24)),
            static_cast<std::int64_t>(hash_get_u64(r + 32))};
    Value v;
    v.has_content = (r[40] & 1) != 0;
    v.has_xattrs = (r[40] & 2) != 0;
    std::memcpy(v.content.data(), r + 41, 32);
    std::memcpy(v.xattrs.data(), r + 73, 32);
    m_entries.emplace(key, v);
  }
}

namespace {
template <typename K>
K stat_cache_key(const struct stat& st) {
  return K{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
           static_cast<std::uint64_t>(st.st_size), hash_ns(st.st_mtim), hash_ns(st.st_ctim)};
}
}  // namespace

std::string StatCache::lookup_slot(const struct stat& st, bool xattrs) const {
  std::lock_guard lock(m_mutex);
  auto it = m_entries.find(stat_cache_key<Key>(st));
  if (it == m_entries.end() || !(xattrs ? it->second.has_xattrs : it->second.has_content)) return {};
  if (!xattrs) ++m_hits;
  const auto& raw = xattrs ? it->second.xattrs : it->second.content;
  return hash_raw_to_hex(reinterpret_cast<const char*>(raw.data()));
}

void StatCache::store_slot(const struct stat& st, const std::string& sha256_hex, bool xattrs) {
  unsigned char raw[32];
  if (!hash_hex_to_raw(sha256_hex, raw))
    throw std::invalid_argument("stat cache: not a sha256 hex digest: " + sha256_hex);
  std::lock_guard lock(m_mutex);
  Value& v = m_entries[stat_cache_key<Key>(st)];
  std::memcpy(xattrs ? v.xattrs.data() : v.content.data(), raw, sizeof raw);
  (xattrs ? v.has_xattrs : v.has_content) = true;
  m_dirty = true;
}

std::string StatCache::lookup(const struct stat& st) const { return lookup_slot(st, false); }
void StatCache::store(const struct stat& st, const std::string& sha256_hex) { store_slot(st, sha256_hex, false); }
std::string StatCache::lookup_xattrs(const struct stat& st) const { return lookup_slot(st, true); }
void StatCache::store_xattrs(const struct stat& st, const std::string& sha256_hex) { store_slot(st, sha256_hex, true); }

void StatCache::save() {
  std::lock_guard lock(m_mutex);
  if (m_file.empty() || !m_dirty) return;
  std::string out;
  out.reserve(kStatCacheMagic.size() + m_entries.size() * kStatCacheRecord);
  out.append(kStatCacheMagic);
  for (const auto& [key, v] : m_entries) {
    hash_put_u64(out, key.dev);
    hash_put_u64(out, key.ino);
    hash_put_u64(out, key.size);
    hash_put_u64(out, static_cast<std::uint64_t>(key.mtime_ns));
    hash_put_u64(out, static_cast<std::uint64_t>(key.ctime_ns));
    out.push_back(static_cast<char>((v.has_content ? 1 : 0) | (v.has_xattrs ? 2 : 0)));
    out.append(reinterpret_cast<const char*>(v.content.data()), v.content.size());
    out.append(reinterpret_cast<const char*>(v.xattrs.data()), v.xattrs.size());
  }
  write_file_atomic(m_file, out, 0600);
  m_dirty = false;
}

std::string file_content_hash(const BuildContext& ctx, const ContextEntry& entry, StatCache& cache) {
  if (std::string hit = cache.lookup(entry.st); !hit.empty()) return hit;
  UniqueFd fd;
  if (entry.dir_fd >= 0) {
    std::string name(entry.name());
    fd.reset(::openat(entry.dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
  } else {
    fd = ctx.open_beneath(entry.path, O_RDONLY | O_NOFOLLOW | O_NOCTTY);
  }
  if (!fd) throw_errno("open `" + entry.path + "` in the build context");
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  struct stat before {
  }, after{};
  if (::fstat(fd.get(), &before) != 0) throw_errno("stat `" + entry.path + "` in the build context");
  if (!S_ISREG(before.st_mode))
    throw std::runtime_error("`" + entry.path + "` in the build context is not a regular file");
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  constexpr std::size_t kBuffer = 1 << 20;
  thread_local std::unique_ptr<char[]> buffer(new char[kBuffer]);
  image::Sha256 sha;
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.get(), kBuffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read `" + entry.path + "` in the build context");
    if (n == 0) break;
    sha.update(buffer.get(), static_cast<std::size_t>(n));
  }
  std::string hex(sha.finish().hex());
  if (::fstat(fd.get(), &after) != 0) throw_errno("stat `" + entry.path + "` in the build context");
  // Recorded only for the stat the walk saw, unchanged while we read, and old enough.
  if (hash_same_stat(before, after) && hash_same_stat(before, entry.st) && !hash_stat_is_racy(before, now))
    cache.store(before, hex);
  return hex;
}

namespace {

struct XattrScratch {
  std::string path, list = std::string(1024, '\0'), serial;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

/// sha256 hex of an entry's xattrs (count, then name and value of each, sorted), through the
/// cache as file content is.
std::string hash_entry_xattrs(const BuildContext& ctx, const ContextEntry& e, StatCache& cache, XattrScratch& s) {
  if (std::string hit = cache.lookup_xattrs(e.st); !hit.empty()) return hit;
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  hash_xattrs(ctx, e, s.path, s.list, s.xattrs);
  s.serial.clear();
  hash_put_u64(s.serial, s.xattrs.size());
  for (const auto& [name, value] : s.xattrs) {
    hash_put_str(s.serial, name);
    hash_put_str(s.serial, value);
  }
  std::string hex(image::sha256_of(s.serial).hex());
  // Recorded only for an entry that did not change while we read it, and old enough.
  struct stat again {};
  bool same = e.dir_fd >= 0 ? ::fstatat(e.dir_fd, std::string(e.name()).c_str(), &again, AT_SYMLINK_NOFOLLOW) == 0
                            : ctx.lstat(e.path, again);
  if (same && hash_same_stat(again, e.st) && !hash_stat_is_racy(e.st, now)) cache.store_xattrs(e.st, hex);
  return hex;
}

}  // namespace

std::string hash_sources(const BuildContext& ctx, const std::vector<std::string>& sources,
                         const std::vector<std::string>& excludes, StatCache& cache) {
  const IgnoreMatcher extra = IgnoreMatcher::from_patterns(excludes, "--exclude");
  image::Sha256 sha;
  std::string record;
  XattrScratch scratch;
  for (const std::string& source : sources) {
    const std::size_t offset = source.empty() ? 0 : source.size() + 1;
    record.assign("S");
    auto slash = source.rfind('/');
    hash_put_str(record,
                 slash == std::string::npos ? std::string_view(source) : std::string_view(source).substr(slash + 1));
    sha.update(record);
    ctx.walk(
        source,
        [&](const ContextEntry& e) {
          const struct stat& st = e.st;
          record.assign("E");
          hash_put_str(record, e.path.size() > offset ? std::string_view(e.path).substr(offset) : std::string_view());
          record.push_back(hash_type_char(st.st_mode));
          hash_put_u64(record, st.st_mode & 07777);
          hash_put_u64(record, st.st_uid);
          hash_put_u64(record, st.st_gid);
          hash_put_u64(record, S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0);
          hash_put_u64(record, S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? static_cast<std::uint64_t>(st.st_rdev) : 0);
          hash_put_str(record, e.link_target);
          hash_put_str(record, hash_entry_xattrs(ctx, e, cache, scratch));
          if (S_ISREG(st.st_mode)) hash_put_str(record, file_content_hash(ctx, e, cache));
          sha.update(record);
        },
        extra.empty() ? nullptr : &extra);
  }
  return std::string(sha.finish().hex());
}

}  // namespace berth::build
