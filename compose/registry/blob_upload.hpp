#pragma once
// Putting one blob of the image store into a repository, as the distribution spec describes:
//   HEAD /blobs/<digest>                  there already: nothing to send
//   POST /blobs/uploads/?mount=&from=     a repository of the same registry has it: 201 mounted
//                                         (a 202 instead opens an upload session, used below)
//   POST /blobs/uploads/ → PUT <Location>?digest=   one request streamed from the blob file
//   PATCH <Location> (Content-Range) … → PUT ?digest=   chunked: when asked (chunk_size), or when
//                                         the registry refuses the monolithic PUT as too large (413)
// The file is hashed as it is sent: a local blob that is not what its name says is refused
// (named in the error) whatever the registry answered, and the registry's Docker-Content-Digest
// must be ours.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "compose/image/digest.hpp"
#include "compose/image/store.hpp"
#include "compose/registry/client.hpp"

namespace berth::registry {

struct BlobUploadOptions {
  std::vector<std::string> mount_from;  ///< repositories of the same registry known to have it
  std::uint64_t chunk_size = 0;         ///< > 0: chunked PATCH uploads of this size; 0: monolithic first
  /// The blob is about to be sent (not when it exists or was mounted).
  std::function<void()> on_upload;
  /// Bytes of the blob sent so far and its size.
  std::function<void(std::uint64_t sent, std::uint64_t size)> on_bytes;
};

struct BlobUploadResult {
  enum class Outcome { Exists, Mounted, Pushed } outcome = Outcome::Pushed;
  std::string mounted_from;  ///< the repository, for Mounted
};

/// Makes sure blob `digest` (`size` bytes, in `store`) is in `client`'s repository. Throws
/// RegistryError for an error answer (context: "blob <digest>"), std::runtime_error for a local
/// blob that is missing or does not match its digest, HttpError for a failed transfer.
BlobUploadResult upload_blob(RepositoryClient& client, const image::ImageStore& store, const image::Digest& digest,
                             std::uint64_t size, const BlobUploadOptions& options = {});

/// The same for a blob in the file at `path` (e.g. a layer compressed for the push).
BlobUploadResult upload_file(RepositoryClient& client, const std::string& path, const image::Digest& digest,
                             std::uint64_t size, const BlobUploadOptions& options = {});

/// Whether the repository has blob `digest` (HEAD). Throws RegistryError for an answer other than
/// 2xx or 404 (docker's words for 401/403).
bool blob_exists(RepositoryClient& client, const image::Digest& digest);

/// Throws RegistryError for a non-2xx answer to a push request, in docker's words when the body
/// says nothing (HEAD answers have none): 401 "unauthorized: authentication required", 403
/// "denied: requested access to the resource is denied".
[[noreturn]] void throw_push_error(const HttpResponse& response, const std::string& what);

}  // namespace berth::registry
