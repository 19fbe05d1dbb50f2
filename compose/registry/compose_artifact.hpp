#pragma once
// A compose application as an OCI artifact, as docker compose publishes and loads it
// (internal/oci/push.go, pkg/remote/oci.go):
//   layers   each compose file (application/vnd.docker.compose.file+yaml, annotated with its
//            base name and the compose version; an `extends` parent also with
//            com.docker.compose.extends), env files (application/vnd.docker.compose.envfile)
//   config   OCI 1.1: the empty descriptor `{}` and artifactType application/vnd.docker.compose.project;
//            OCI 1.0: `{}` as application/vnd.docker.compose.config.empty.v1+json, no artifactType
//   manifest an OCI image manifest whose descriptors carry their data inline, PUT to the tag;
//            without a chosen version 1.1 first, then 1.0 when the registry refuses it with a 4xx
//            other than 401/403/407.
// Loading (`-f oci://host/repo:tag`): the manifest (or the compose manifest an image index names),
// then each layer into <cache>/<manifest digest hex>/: the compose files one after the other in
// compose.yaml ("---" between them), extends parents and env files under their annotated names.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compose/image/reference.hpp"
#include "compose/registry/config.hpp"
#include "compose/registry/credentials.hpp"

namespace berth::registry {

inline constexpr const char* kComposeProjectArtifactType = "application/vnd.docker.compose.project";
inline constexpr const char* kComposeFileMediaType = "application/vnd.docker.compose.file+yaml";
inline constexpr const char* kComposeEmptyConfigMediaType = "application/vnd.docker.compose.config.empty.v1+json";
inline constexpr const char* kComposeEnvFileMediaType = "application/vnd.docker.compose.envfile";

/// One layer of the artifact: its bytes travel inline in the manifest and as a blob.
struct ArtifactLayer {
  std::string media_type;
  std::string data;
  std::map<std::string, std::string> annotations;  ///< sorted, as Go marshals a map
};

/// A compose file's layer: com.docker.compose.file = the base name of `path`.
ArtifactLayer compose_file_layer(const std::string& path, std::string data);
/// An env file's layer: com.docker.compose.envfile = the base name of `path`.
ArtifactLayer env_file_layer(const std::string& path, std::string data);

/// The manifest text for OCI `version` "1.0" or "1.1" (docker compose's generateManifest, with
/// encoding/json's field order), created at `created` (RFC 3339). Throws for another version.
std::string artifact_manifest(const std::vector<ArtifactLayer>& layers, const std::string& version,
                              const std::string& created);

struct ArtifactPushResult {
  std::string digest;   ///< of the manifest
  std::string version;  ///< the OCI version the registry took
  std::uint64_t size = 0;
};

/// Pushes the layers and the manifest to `ref`'s tag. `version`: "", "1.0" or "1.1".
/// Throws std::runtime_error naming `ref` and what failed.
ArtifactPushResult push_compose_artifact(const image::Reference& ref, const std::vector<ArtifactLayer>& layers,
                                         const std::string& version, const Config& config,
                                         const CredentialStore& credentials);

/// `publish --app`: each of `images` copied from its registry into `ref`'s repository (the
/// manifest or index and everything it names, by digest; blobs mounted within one registry),
/// then docker compose's application index — those manifests, the compose manifest as its
/// subject — pushed by digest. Returns the index's digest. Throws std::runtime_error naming the
/// image and what failed.
std::string push_application_index(const image::Reference& ref, const ArtifactPushResult& compose_manifest,
                                   const std::vector<image::Reference>& images, const Config& config,
                                   const CredentialStore& credentials);

/// `oci://...` loaded: the directory (under `cache_dir`) holding compose.yaml and the files it
/// names, fetched unless a previous load left it. Throws std::runtime_error as docker compose
/// words it ("failed to pull OCI resource ...", "... is not a compose project OCI artifact ...").
std::string fetch_compose_artifact(const image::Reference& ref, const std::string& cache_dir, const Config& config,
                                   const CredentialStore& credentials);

/// Where fetched artifacts go: $XDG_CACHE_HOME/docker-compose, else $HOME/.cache/docker-compose
/// (docker compose's cache), from `environment`.
std::string compose_artifact_cache(const std::map<std::string, std::string>& environment);

}  // namespace berth::registry
