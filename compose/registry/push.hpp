#pragma once
// `berth image push` / `berth push`: an image of the store into its registry, as docker pushes.
//   the stored manifest → each layer blob (top layer first), then the config blob, on a few
//   threads (bounded): HEAD, a cross-repository mount when another repository of the registry
//   is known to have it (blob_sources), else an upload streamed from the blob file → the
//   manifest PUT, exactly the stored bytes (so the digest stays what it was), to the tag.
// Where each blob went is recorded, so the next push to another repository mounts it.
#include <cstdint>
#include <functional>
#include <string>

#include "compose/image/reference.hpp"
#include "compose/image/store.hpp"
#include "compose/registry/config.hpp"
#include "compose/registry/credentials.hpp"
#include "compose/registry/pull.hpp"

namespace berth::registry {

/// One line of docker's push output: a layer's status (id = its 12 hex digits: "Preparing",
/// "Pushing" with byte counts, "Pushed", "Layer already exists", "Mounted from <repo>") or a
/// message (id empty: "The push refers to repository [host/name]", "<tag>: digest: sha256:…
/// size: N"). The same shape as pull's lines.
using PushEvent = PullEvent;

struct PushOptions {
  int parallel_uploads = 5;      ///< docker's max-concurrent-uploads
  std::uint64_t chunk_size = 0;  ///< > 0: chunked uploads of this size (0: monolithic, chunked on 413)
  std::function<void(const PushEvent&)> on_event;  ///< called from several threads, one call at a time
};

struct PushResult {
  image::Digest manifest;
  std::uint64_t size = 0;  ///< of the manifest, in bytes
};

class Pusher {
 public:
  Pusher(image::ImageStore& store, Config config, CredentialStore credentials)
      : m_store(store), m_config(std::move(config)), m_credentials(std::move(credentials)) {}

  /// Pushes the image `ref` names to `ref`. Throws std::runtime_error with docker's wording for
  /// an image that is not here ("An image does not exist locally with the tag: x"), else naming
  /// the reference, the blob and the registry's answer ("push x:1: blob sha256:…: unauthorized:
  /// authentication required").
  PushResult push(const image::Reference& ref, const PushOptions& options = {});

 private:
  image::ImageStore& m_store;
  Config m_config;
  CredentialStore m_credentials;
};

}  // namespace berth::registry
