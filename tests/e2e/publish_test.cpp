// `berth publish` against a real registry (Debian's docker-registry on loopback): the artifact's
// manifest as docker compose writes it (fetched over HTTP), `-f oci://` loading it back to the
// same model, and docker compose's refusals and declined prompts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "compose/image/digest.hpp"
#include "registry_fixture.hpp"
#include "support/text.hpp"

namespace berth::test {

namespace {

using berth::test::contains;

class Publish : public RegistryFixture {
 protected:
  /// The manifest's bytes as the registry serves them.
  std::string manifest_text(const std::string& host, const std::string& repo, const std::string& reference) {
    return run_command({"/usr/bin/curl", "-s", "-H",
                        "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json",
                        "http://" + host + "/v2/" + repo + "/manifests/" + reference},
                       "/", {})
        .out;
  }
  nlohmann::json manifest(const std::string& host, const std::string& repo, const std::string& reference) {
    return nlohmann::json::parse(manifest_text(host, repo, reference));
  }
};

constexpr const char* kApp = R"(services:
  web:
    image: busybox:e2e
    command: ["sleep", "60"]
    environment:
      GREETING: hello
    ports:
      - "127.0.0.1:18080:80"
    depends_on: [db]
  db:
    image: busybox:e2e
)";

TEST_F(Publish, PublishedApplicationLoadsBackAsTheSameModel) {
  auto reg = start();
  write_compose(kApp);
  auto local = berth({"config"});
  ASSERT_EQ(local.exit_code, 0) << local.err;

  auto r = berth({"publish", "-y", reg->host() + "/test/app:1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, reg->host() + "/test/app:1 published")) << r.err;

  const nlohmann::json m = manifest(reg->host(), "test/app", "1");
  EXPECT_EQ(m.value("mediaType", ""), "application/vnd.oci.image.manifest.v1+json") << m.dump();
  EXPECT_EQ(m.value("artifactType", ""), "application/vnd.docker.compose.project") << m.dump();
  EXPECT_EQ(m["config"].value("mediaType", ""), "application/vnd.oci.empty.v1+json") << m.dump();
  EXPECT_EQ(m["config"].value("data", ""), "e30=") << m.dump();
  ASSERT_EQ(m["layers"].size(), 1u) << m.dump();
  EXPECT_EQ(m["layers"][0].value("mediaType", ""), "application/vnd.docker.compose.file+yaml");
  EXPECT_EQ(m["layers"][0]["annotations"].value("com.docker.compose.file", ""), "compose.yaml");
  EXPECT_TRUE(m["layers"][0]["annotations"].contains("com.docker.compose.version"));
  EXPECT_TRUE(m["annotations"].contains("org.opencontainers.image.created"));

  // From another directory: only the artifact gives the model.
  auto remote = run_berth({"--root", root(), "-f", "oci://" + reg->host() + "/test/app:1", "-p", project(), "config"},
                          m_tmp->path(), [&] {
                            auto env = berth_env();
                            env["XDG_CACHE_HOME"] = *m_tmp / "cache";
                            return env;
                          }());
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  EXPECT_EQ(remote.out, local.out);

  // `include` of the artifact: its services join the including project's.
  std::filesystem::create_directories(*m_tmp / "including");
  std::ofstream(*m_tmp / "including/compose.yaml")
      << "include:\n  - oci://" + reg->host() + "/test/app:1\nservices:\n  extra:\n    image: busybox:e2e\n";
  auto env = berth_env();
  env["XDG_CACHE_HOME"] = *m_tmp / "cache";
  auto included = run_berth({"--root", root(), "-p", project(), "config", "--services"}, *m_tmp / "including", env);
  ASSERT_EQ(included.exit_code, 0) << included.err;
  EXPECT_EQ(included.out, "db\nextra\nweb\n");

  // Disabled by COMPOSE_EXPERIMENTAL_OCI_REMOTE, as docker compose.
  env["COMPOSE_EXPERIMENTAL_OCI_REMOTE"] = "false";
  auto disabled =
      run_berth({"--root", root(), "-f", "oci://" + reg->host() + "/test/app:1", "config"}, m_tmp->path(), env);
  EXPECT_EQ(disabled.exit_code, 1);
  EXPECT_TRUE(contains(disabled.err, "OCI remote resource is disabled by \"COMPOSE_EXPERIMENTAL_OCI_REMOTE\""))
      << disabled.err;
}

TEST_F(Publish, SeveralComposeFilesComeBackMergedInOrder) {
  auto reg = start();
  write_compose(kApp);
  std::ofstream(dir() + "/override.yaml") << "services:\n  web:\n    environment:\n      GREETING: bonjour\n";
  auto local = berth({"-f", "compose.yaml", "-f", "override.yaml", "config"});
  ASSERT_EQ(local.exit_code, 0) << local.err;
  auto r = berth({"-f", "compose.yaml", "-f", "override.yaml", "publish", "-y", reg->host() + "/test/two:1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json m = manifest(reg->host(), "test/two", "1");
  ASSERT_EQ(m["layers"].size(), 2u) << m.dump();
  EXPECT_EQ(m["layers"][1]["annotations"].value("com.docker.compose.file", ""), "override.yaml");
  auto env = berth_env();
  env["XDG_CACHE_HOME"] = *m_tmp / "cache";
  auto remote = run_berth({"--root", root(), "-f", "oci://" + reg->host() + "/test/two:1", "-p", project(), "config"},
                          m_tmp->path(), env);
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  EXPECT_EQ(remote.out, local.out);
  EXPECT_TRUE(contains(remote.out, "GREETING: bonjour")) << remote.out;
}

TEST_F(Publish, OciVersion10HasNoArtifactTypeAndTheComposeConfigType) {
  auto reg = start();
  write_compose(kApp);
  auto r = berth({"publish", "-y", "--oci-version", "1.0", reg->host() + "/test/app:old"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json m = manifest(reg->host(), "test/app", "old");
  EXPECT_FALSE(m.contains("artifactType")) << m.dump();
  EXPECT_EQ(m["config"].value("mediaType", ""), "application/vnd.docker.compose.config.empty.v1+json") << m.dump();
}

TEST_F(Publish, EnvFilesGoUpOnlyWithWithEnvUnderTheirHashedNames) {
  auto reg = start();
  std::ofstream(dir() + "/app.env") << "TOKEN_NAME=demo\n";
  write_compose("services:\n  web:\n    image: busybox:e2e\n    env_file: app.env\n");
  // Without -y and without a terminal the env prompt reads standard input: nothing there declines.
  auto declined = berth_bounded(60, {"publish", reg->host() + "/test/env:1"}, "");
  EXPECT_EQ(declined.exit_code, 130) << declined.out << declined.err;
  EXPECT_TRUE(contains(declined.out, "service \"web\": env_file declared")) << declined.out;
  EXPECT_FALSE(contains(reg->log(), "PUT /v2/test/env/manifests/")) << reg->log();

  auto r = berth({"publish", "--with-env", reg->host() + "/test/env:1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json m = manifest(reg->host(), "test/env", "1");
  ASSERT_EQ(m["layers"].size(), 2u) << m.dump();
  EXPECT_EQ(m["layers"][1].value("mediaType", ""), "application/vnd.docker.compose.envfile");
  const std::string hashed = m["layers"][1]["annotations"].value("com.docker.compose.envfile", "");
  EXPECT_EQ(hashed.size(), 64u + 4u) << hashed;
  // The compose file names the env file by that name.
  auto text = run_command(
      {"/usr/bin/curl", "-s", "http://" + reg->host() + "/v2/test/env/blobs/" + m["layers"][0].value("digest", "")},
      "/", {});
  EXPECT_EQ(text.out, "services:\n  web:\n    image: busybox:e2e\n    env_file: " + hashed + "\n");
}

TEST_F(Publish, RefusalsAndDeclinedPrompts) {
  auto reg = start();
  write_compose("services:\n  app:\n    build: .\n  other:\n    build: .\n");
  auto build_only = berth({"publish", "-y", reg->host() + "/test/x:1"});
  EXPECT_EQ(build_only.exit_code, 1);
  EXPECT_TRUE(contains(build_only.err,
                       "your Compose stack cannot be published as it only contains a build section for service(s):\n"
                       "- \"app\"\n- \"other\"\n"))
      << build_only.err;

  write_compose("services:\n  web:\n    image: busybox:e2e\n    volumes: [\"/srv/data:/user-data\"]\n");
  auto bind = berth_bounded(60, {"publish", reg->host() + "/test/x:1"}, "n\n");
  EXPECT_EQ(bind.exit_code, 130) << bind.err;
  EXPECT_TRUE(contains(bind.out, "you are about to publish bind mounts declaration within your OCI artifact.\n"))
      << bind.out;
  EXPECT_TRUE(contains(bind.out, "web/srv/data:/user-data:rw")) << bind.out;
  auto accepted = berth_bounded(60, {"publish", reg->host() + "/test/x:1"}, "y\n");
  EXPECT_EQ(accepted.exit_code, 0) << accepted.err;

  write_compose(
      "services:\n  db:\n    image: busybox:e2e\n    environment:\n      DB_PASSWORD: hunter22\n"
      "      API_TOKEN: ${FROM_SHELL}\n");
  auto secret = berth_bounded(60, {"publish", reg->host() + "/test/y:1"}, "");
  EXPECT_EQ(secret.exit_code, 130);
  EXPECT_TRUE(contains(secret.out, "service \"db\": literal value for \"DB_PASSWORD\"\n")) << secret.out;

  std::ofstream(dir() + "/other.yaml") << "services: {}\n";
  write_compose("include: [other.yaml]\nservices:\n  web:\n    image: busybox:e2e\n");
  auto include = berth({"publish", "-y", reg->host() + "/test/z:1"});
  EXPECT_EQ(include.exit_code, 1);
  EXPECT_TRUE(contains(include.err, "cannot publish compose file with local includes")) << include.err;
  EXPECT_FALSE(contains(reg->log(), "/v2/test/z/manifests/")) << reg->log();
}

TEST_F(Publish, AppCopiesTheImagesUnderAnIndexWhoseSubjectIsTheArtifact) {
  auto reg = start();
  const std::string image_digest = reg->push_image("lib/bb:1");
  write_compose("services:\n  web:\n    image: " + reg->host() + "/lib/bb:1\n");
  auto r = berth({"publish", "-y", "--app", reg->host() + "/test/app:1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // The artifact pins the image (--app resolves digests) in an image-digests.yaml layer.
  const std::string artifact_text = manifest_text(reg->host(), "test/app", "1");
  const nlohmann::json artifact = nlohmann::json::parse(artifact_text);
  ASSERT_EQ(artifact["layers"].size(), 2u) << artifact_text;
  EXPECT_EQ(artifact["layers"][1]["annotations"].value("com.docker.compose.file", ""), "image-digests.yaml");
  // The image is in the application's repository, by digest.
  const nlohmann::json copied = manifest(reg->host(), "test/app", image_digest);
  EXPECT_TRUE(copied.contains("layers")) << copied.dump();
  // The index went up by digest last: it names the image and has the artifact as its subject.
  std::smatch m;
  std::string log = reg->log(), index_digest;
  for (std::regex re("PUT /v2/test/app/manifests/(sha256:[0-9a-f]{64})"); std::regex_search(log, m, re);
       log = m.suffix())
    index_digest = m[1];
  ASSERT_FALSE(index_digest.empty()) << reg->log();
  const nlohmann::json index = manifest(reg->host(), "test/app", index_digest);
  EXPECT_EQ(index.value("mediaType", ""), "application/vnd.oci.image.index.v1+json") << index.dump();
  ASSERT_EQ(index["manifests"].size(), 1u) << index.dump();
  EXPECT_EQ(index["manifests"][0].value("digest", ""), image_digest);
  EXPECT_EQ(index["subject"].value("digest", ""), image::sha256_of(artifact_text).str()) << index.dump();
  EXPECT_EQ(index["subject"].value("artifactType", ""), "application/vnd.docker.compose.project");
}

}  // namespace
}  // namespace berth::test
