#include "compose/registry/compose_artifact.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace berth::registry {
namespace {

std::vector<ArtifactLayer> layers() {
  ArtifactLayer compose = compose_file_layer("/src/app/compose.yaml", "services: {}\n");
  compose.annotations["com.docker.compose.version"] = "2.0.0";  // a fixed version for the text below
  ArtifactLayer env = env_file_layer("abc.env", "A=1\n");
  env.annotations["com.docker.compose.version"] = "2.0.0";
  return {compose, env};
}

// encoding/json's text of docker compose's v1.Manifest: field order, inline data (base64), the
// annotations sorted by key. Digests: sha256 of "services: {}\n", "A=1\n" and "{}".
TEST(ComposeArtifact, Oci11ManifestIsDockerComposesText) {
  EXPECT_EQ(
      artifact_manifest(layers(), "1.1", "2026-12-08T00:00:00Z"),
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("artifactType":"application/vnd.docker.compose.project",)"
      R"("config":{"mediaType":"application/vnd.oci.empty.v1+json",)"
      R"("digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},)"
      R"("layers":[{"mediaType":"application/vnd.docker.compose.file+yaml",)"
      R"("digest":"sha256:fa6ccea1ca4e3a031d9e99f25cc05db803aa9bac642c000ddab14f6d9da54b52","size":13,)"
      R"("annotations":{"com.docker.compose.file":"compose.yaml","com.docker.compose.version":"2.0.0"},)"
      R"("data":"c2VydmljZXM6IHt9Cg=="},)"
      R"({"mediaType":"application/vnd.docker.compose.envfile",)"
      R"("digest":"sha256:91d6a3d55e9fea7911c537afae6607c77fa8bc0f3a76c375e104ac5a8cfa84db","size":4,)"
      R"("annotations":{"com.docker.compose.envfile":"abc.env","com.docker.compose.version":"2.0.0"},)"
      R"("data":"QT0xCg=="}],)"
      R"("annotations":{"org.opencontainers.image.created":"2026-12-08T00:00:00Z"}})");
}

TEST(ComposeArtifact, Oci10ManifestHasNoArtifactTypeAndTheComposeConfigType) {
  const nlohmann::json m = nlohmann::json::parse(artifact_manifest(layers(), "1.0", "t"));
  EXPECT_FALSE(m.contains("artifactType"));
  EXPECT_EQ(m["config"]["mediaType"], "application/vnd.docker.compose.config.empty.v1+json");
  EXPECT_EQ(m["config"]["digest"], "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_EQ(m["config"]["data"], "e30=");
}

TEST(ComposeArtifact, UnknownVersionIsRefused) {
  EXPECT_THROW(artifact_manifest(layers(), "1.2", "t"), std::runtime_error);
}

TEST(ComposeArtifact, CacheFollowsXdgThenHome) {
  EXPECT_EQ(compose_artifact_cache({{"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}}), "/x/docker-compose");
  EXPECT_EQ(compose_artifact_cache({{"HOME", "/h"}}), "/h/.cache/docker-compose");
}

}  // namespace
}  // namespace berth::registry
