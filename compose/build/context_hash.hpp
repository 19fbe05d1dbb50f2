#pragma once
// The cache key part of a COPY/ADD: a hash of exactly what the instruction copies. Per entry
// (in walk order): its path relative to the source, type, mode, uid, gid, size, link target,
// xattrs and the sha256 of its content — never mtime/ctime, so `touch` keeps the cache. File
// content hashes come from a persistent StatCache keyed by (dev, inode, size, mtime, ctime), so
// an unchanged context costs one stat walk and no reads.
#include <sys/stat.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "compose/build/build_context.hpp"

namespace berth::build {

class StatCache {
 public:
  /// Loads `file` when it exists (a corrupt or foreign file is ignored: the cache only saves
  /// work). `file` "" = in memory only.
  explicit StatCache(std::string file = {});

  /// The content sha256 (64 hex) recorded for a file with exactly this stat, or "".
  std::string lookup(const struct stat& st) const;
  void store(const struct stat& st, const std::string& sha256_hex);
  /// The same for the sha256 of an entry's xattrs (any type of entry): setting or removing an
  /// xattr moves ctime, so the stat vouches for them as it does for content.
  std::string lookup_xattrs(const struct stat& st) const;
  void store_xattrs(const struct stat& st, const std::string& sha256_hex);
  /// Writes the file atomically when something was stored since loading.
  void save();
  std::size_t size() const noexcept { return m_entries.size(); }
  /// How many lookup() calls found their entry (what a re-hash saved; tests and the benchmark).
  std::size_t hits() const noexcept { return m_hits; }

 private:
  struct Key {
    std::uint64_t dev, ino, size;
    std::int64_t mtime_ns, ctime_ns;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  std::string m_file;
  struct Value {
    std::array<unsigned char, 32> content{}, xattrs{};
    bool has_content = false, has_xattrs = false;
  };
  std::string lookup_slot(const struct stat& st, bool xattrs) const;
  void store_slot(const struct stat& st, const std::string& sha256_hex, bool xattrs);
  std::unordered_map<Key, Value, KeyHash> m_entries;
  bool m_dirty = false;
  mutable std::size_t m_hits = 0;
  mutable std::mutex m_mutex;  // stages hash their sources in parallel with one cache
};

/// sha256 hex of the content of the regular file `path` relative to the context (through the
/// cache). A file whose mtime or ctime is too recent to tell a later same-size write apart
/// (within the file system's timestamp granularity) is hashed but not cached.
std::string file_content_hash(const BuildContext& ctx, const ContextEntry& entry, StatCache& cache);

/// The hash (64 hex) of what copying `sources` (resolved context paths, as BuildContext::resolve
/// gives them) with `excludes` would copy, as described above.
std::string hash_sources(const BuildContext& ctx, const std::vector<std::string>& sources,
                         const std::vector<std::string>& excludes, StatCache& cache);

}  // namespace berth::build
