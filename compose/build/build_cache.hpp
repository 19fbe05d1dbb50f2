#pragma once
// The step cache under <root>/build-cache/steps: one small JSON file per cache key, saying when
// the step was first made (so a fully cached rebuild reproduces the same history, config and
// image id) and the layer it made, if any. A record is only believed when its layer is still in
// the store: the cache never points at something that is gone.
#include <optional>
#include <string>

#include "compose/image/store.hpp"

namespace berth::build {

struct CacheRecord {
  std::string created;                     ///< RFC 3339
  std::optional<image::ImageLayer> layer;  ///< none for a step that changed no file
};

class BuildCache {
 public:
  explicit BuildCache(const std::string& root);

  /// The record of `key` when it exists and its layer (if any) is still stored.
  std::optional<CacheRecord> get(const std::string& key, const image::ImageStore& store) const;
  void put(const std::string& key, const CacheRecord& record) const;

  /// Removes every record, the layers and blobs they name that no image uses (intermediate
  /// stages, superseded builds), the RUN --mount=type=cache directories and the stat cache.
  /// Returns the bytes freed.
  std::uint64_t prune(image::ImageStore& store) const;

  /// <root>/build-cache/mounts/<sha256 of id>: a RUN --mount=type=cache directory (created).
  std::string cache_mount_dir(const std::string& id) const;

  /// sha256 hex of `parent` + NUL + `text`: the key of a step.
  static std::string key(const std::string& parent, const std::string& text);

  const std::string& dir() const noexcept { return m_dir; }

 private:
  std::string m_dir;
};

}  // namespace berth::build
