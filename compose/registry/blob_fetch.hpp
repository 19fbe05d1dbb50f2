#pragma once
// Downloading one blob into the image store: streamed to <root>/partial/<hex> while hashed (never
// held in memory), resumed with `Range` after an interrupted transfer or a crash (the bytes
// already there are hashed first), verified (size and digest) before it is renamed into
// blobs/. A blob that does not verify is deleted and named in the error. Two downloads of the
// same blob (two pulls, two services) take turns on an flock of the partial file: the second
// finds the blob stored and reads nothing.
#include <cstdint>
#include <functional>

#include "compose/image/digest.hpp"
#include "compose/image/store.hpp"
#include "compose/registry/client.hpp"

namespace berth::registry {

struct BlobProgress {
  /// Bytes of the blob present so far (resumed bytes included) and its size.
  std::function<void(std::uint64_t have, std::uint64_t size)> on_bytes;
  /// The download resumed at this offset (a 206 answer).
  std::function<void(std::uint64_t offset)> on_resume;
};

/// Makes sure blob `digest` of `size` bytes is in the store, fetching it from `client`'s
/// repository if needed. Returns false when it was already there. Throws RegistryError for
/// an error answer, std::runtime_error for a blob that fails verification, HttpError when the
/// transfer fails three times in a row.
bool fetch_blob(RepositoryClient& client, image::ImageStore& store, const image::Digest& digest, std::uint64_t size,
                const BlobProgress& progress = {});

}  // namespace berth::registry
