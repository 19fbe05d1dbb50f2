#pragma once
// Layers stored uncompressed (from `image import`, docker-save archives, builds) go to a
// registry gzip-compressed, as docker pushes them. A layer is compressed with ISA-L into a
// temporary file under <root>/tmp, uploaded from it and deleted; <root>/push-gzip/<diff id hex>
// remembers the compressed digest and size, so a later push asks the registry for that blob
// (HEAD) before compressing again, and compression is deterministic, so the digest is the same
// when it must be redone. The pushed manifest names the compressed layers, so its digest is not
// the stored one (docker's is not either). Without ISA-L such layers go up as they are. The image
// store deletes an entry (and the blob-sources record of its gzip form) with the uncompressed
// blob, whose digest is the diff id (see compose/image/store.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "compose/image/digest.hpp"
#include "compose/image/store.hpp"

namespace berth::registry {

/// Whether a layer of this media type is stored uncompressed and this build compresses it.
bool compress_on_push(const std::string& media_type);

/// The compressed form's media type: OCI "…layer.v1.tar" → "…tar+gzip", Docker's
/// "…rootfs.diff.tar" → "…rootfs.diff.tar.gzip".
std::string gzip_media_type(const std::string& media_type);

struct GzipLayer {
  image::Digest digest;
  std::uint64_t size = 0;
};

/// The compressed digests already made, by diff id (a cache: a missing or unreadable entry only
/// means compressing again).
class PushGzipCache {
 public:
  explicit PushGzipCache(const std::string& store_root) : m_dir(store_root + "/" + std::string(image::kPushGzipDir)) {}
  std::optional<GzipLayer> find(const image::Digest& diff_id) const;
  /// Best effort: a failed write loses the hint, nothing else.
  void remember(const image::Digest& diff_id, const GzipLayer& layer) const;

 private:
  std::string m_dir;
};

/// A gzip copy of blob `blob` of `store`, in a temporary file under the store's tmp dir that is
/// removed when this goes. Throws std::runtime_error naming the blob when its content is not what
/// its digest says ("tampered with or corrupted").
class GzipTempFile {
 public:
  GzipTempFile(const image::ImageStore& store, const image::Digest& blob);
  ~GzipTempFile();
  GzipTempFile(const GzipTempFile&) = delete;
  GzipTempFile& operator=(const GzipTempFile&) = delete;

  const std::string& path() const { return m_path; }
  const GzipLayer& layer() const { return *m_layer; }

 private:
  std::string m_path;
  std::optional<GzipLayer> m_layer;  ///< set once the file is complete
};

/// The manifest `stored` with the descriptor of each layer in `compressed` (keyed by the stored
/// blob's digest) replaced by its gzip form, as the bytes to push.
std::string manifest_with(const nlohmann::json& stored, const std::map<image::Digest, GzipLayer>& compressed);

}  // namespace berth::registry
