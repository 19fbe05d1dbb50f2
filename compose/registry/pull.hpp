#pragma once
// `berth pull` / `image pull`: a reference from its registry (or a mirror) into the image store.
//   manifest (by tag or digest; an index resolves to the wanted platform) → config blob → layers,
//   downloaded in parallel (bounded), each unpacked as soon as it is verified → manifest blob,
//   one syncfs, then the name in images.json. Nothing is named before everything is verified and
//   on disk; an interrupted pull leaves only resumable partial downloads.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "compose/image/platform.hpp"
#include "compose/image/reference.hpp"
#include "compose/image/store.hpp"
#include "compose/registry/config.hpp"
#include "compose/registry/credentials.hpp"

namespace berth::registry {

/// One line of docker's pull progress: a layer's status (id = its 12 hex digits: "Pulling fs
/// layer", "Waiting", "Downloading", "Verifying Checksum", "Download complete", "Extracting",
/// "Pull complete", "Already exists") with byte counts, or a message (id empty: "latest: Pulling
/// from library/busybox", "Digest: sha256:…", "Status: Downloaded newer image for busybox:latest").
struct PullEvent {
  std::string id;
  std::string status;
  std::uint64_t current = 0;
  std::uint64_t total = 0;
};

struct PullOptions {
  std::optional<image::Platform> platform;  ///< default: this machine's
  int parallel_downloads = 3;               ///< docker's max-concurrent-downloads
  std::function<void(const PullEvent&)> on_event;
};

struct PullResult {
  image::Digest manifest;
  image::Digest id;      ///< config digest
  bool updated = false;  ///< the name now points at something it did not before
};

class Puller {
 public:
  Puller(image::ImageStore& store, Config config, CredentialStore credentials)
      : m_store(store), m_config(std::move(config)), m_credentials(std::move(credentials)) {}

  /// Pulls `ref`. Throws std::runtime_error with docker's wording for a missing repository or tag
  /// ("pull access denied for x, repository does not exist or may require 'docker login': ...",
  /// "manifest for x:1 not found: manifest unknown: ..."), the registry's answer otherwise.
  PullResult pull(const image::Reference& ref, const PullOptions& options = {});

 private:
  image::ImageStore& m_store;
  Config m_config;
  CredentialStore m_credentials;
};

/// The digest of what `ref` names in its registry (mirrors first), fetching nothing else: its
/// manifest's, or its index's for a multi-platform image (what docker's distribution inspect
/// gives `config --resolve-image-digests`). Throws as Puller::pull() does.
image::Digest resolve_digest(const image::Reference& ref, const Config& config, const CredentialStore& credentials);

}  // namespace berth::registry
