#pragma once
// Manifests as registries serve them: the media types Berth accepts (OCI index and manifest,
// Docker manifest list and schema 2; distribution answers 404 for an OCI image when the OCI type
// is not in Accept), and the checks on what comes back: the digest of the exact bytes received
// (a pull by digest must match it), a size cap, and the kind of document.
#include <nlohmann/json.hpp>
#include <string>

#include "compose/image/digest.hpp"

namespace berth::registry {

inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

/// The Accept header for manifest requests (all four types).
std::string manifest_accept_header();

/// The most a manifest or index may weigh (containerd's limit): 4 MiB.
inline constexpr std::size_t kMaxManifestSize = 4 << 20;

/// A manifest or index as received.
struct ManifestDocument {
  std::string bytes;       ///< exactly what the registry sent (its digest is the manifest's)
  image::Digest digest;    ///< sha256 of bytes
  std::string media_type;  ///< from the document, else the Content-Type
  nlohmann::json json;
  bool is_index() const;
};

/// Parses and checks a manifest answer: JSON object, a known media type (schema 1 is refused with
/// docker's hint), an image manifest with a config and layers or an index with manifests.
/// Throws std::runtime_error naming `what` ("manifest busybox:latest").
ManifestDocument parse_manifest(std::string bytes, const std::string& content_type, const std::string& what);

}  // namespace berth::registry
