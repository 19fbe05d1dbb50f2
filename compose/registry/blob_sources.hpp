#pragma once
// Where the store's blobs are known to exist remotely, for cross-repository mounts on push (as
// docker's v2 metadata does): <root>/blob-sources/<hex> holds one "host/repository" line per
// repository a pull fetched the blob from or a push put it in, in the order first noted. A line
// is appended with one O_APPEND write, so concurrent pulls and pushes need no lock; a line two
// of them append at once is harmless (read once). Only ever a hint: a mount the registry refuses becomes an
// upload. The image store deletes a record with its blob (see compose/image/store.hpp).
#include <string>
#include <vector>

#include "compose/image/digest.hpp"
#include "compose/image/store.hpp"

namespace berth::registry {

class BlobSources {
 public:
  /// Records under `store_root` (the image store's root).
  explicit BlobSources(const std::string& store_root) : m_dir(store_root + "/" + std::string(image::kBlobSourcesDir)) {}

  /// Notes that `repository` on `host` has `blob` (nothing when already noted). A hint only:
  /// returns false when it could not be written (a read-only store), which is not an error.
  bool add(const image::Digest& blob, const std::string& host, const std::string& repository) const noexcept;

  /// The repositories on `host` known to have `blob`, the last noted first, without `except`.
  std::vector<std::string> repositories(const image::Digest& blob, const std::string& host,
                                        const std::string& except = "") const;

 private:
  std::string m_dir;
};

}  // namespace berth::registry
