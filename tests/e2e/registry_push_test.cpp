// `berth image push` and `berth push` against a real registry (docker-registry on 127.0.0.1):
// docker's lines, digests kept through push → pull, nothing uploaded twice, cross-repository
// mounts, refused credentials, compose's choice of services, a tampered local blob, chunked
// uploads, and --all-tags.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "compose/image/platform.hpp"
#include "compose/image/reference.hpp"
#include "compose/image/store.hpp"
#include "compose/registry/config.hpp"
#include "compose/registry/credentials.hpp"
#include "compose/registry/push.hpp"
#include "registry_fixture.hpp"
#include "support/text.hpp"

namespace berth::test {

namespace {

namespace fs = std::filesystem;

using berth::test::contains;

std::size_t count(const std::string& s, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = s.find(part, at)) != std::string::npos; at += part.size()) ++n;
  return n;
}

class RegistryPush : public RegistryFixture {
 protected:
  /// Tags the fixture's busybox:e2e as `name`.
  void tag(const std::string& name) {
    auto t = berth({"image", "tag", image, name});
    ASSERT_EQ(t.exit_code, 0) << t.err;
  }
  /// The stored image's manifest digest and its layer blobs.
  std::string manifest_digest(const std::string& name) {
    auto r = berth({"image", "inspect", name});
    return nlohmann::json::parse(r.out)[0]["Descriptor"]["digest"];
  }
  std::vector<std::string> layer_blobs(const std::string& name) {
    const std::string d = manifest_digest(name);
    std::ifstream in(root() + "/blobs/sha256/" + d.substr(7));
    std::vector<std::string> out;
    const nlohmann::json manifest = nlohmann::json::parse(in);  // (a temporary would die before the loop)
    for (const auto& l : manifest["layers"]) out.push_back(l["digest"]);
    return out;
  }
  /// `skopeo inspect`'s digest of a reference in the registry.
  std::string remote_digest(const std::string& ref, const std::string& creds = "") {
    std::vector<std::string> args = {"inspect", "--tls-verify=false", "docker://" + ref};
    if (!creds.empty()) args.insert(args.begin() + 1, "--creds=" + creds);
    auto r = run_skopeo(args, m_tmp->path());
    if (r.exit_code != 0) return "(skopeo: " + r.err + ")";
    return nlohmann::json::parse(r.out).value("Digest", "");
  }
  /// A docker config with `auths` for `host` (base64 of user:password).
  /// The digest `push` printed ("<tag>: digest: sha256:… size: N").
  static std::string pushed_digest(const std::string& out) {
    std::smatch m;
    return std::regex_search(out, m, std::regex(": digest: (sha256:[0-9a-f]{64}) size: [0-9]+\n"))
               ? m[1].str()
               : "(none in: " + out + ")";
  }
  /// The manifest the registry serves for `repo_tag` (OCI or Docker media types accepted).
  nlohmann::json remote_manifest(const std::string& host, const std::string& repo, const std::string& tag) {
    auto m = run_command({"/usr/bin/curl", "-s", "-H",
                          "Accept: application/vnd.oci.image.manifest.v1+json, "
                          "application/vnd.docker.distribution.manifest.v2+json",
                          "http://" + host + "/v2/" + repo + "/manifests/" + tag},
                         "/", {});
    return nlohmann::json::parse(m.out);
  }
  /// The image id (config digest) `name` has in the store under `store_root`.
  std::string image_id(const std::string& store_root, const std::string& name) {
    auto r = run_berth({"--root", store_root, "image", "inspect", name}, dir(), berth_env());
    return r.exit_code == 0 ? nlohmann::json::parse(r.out)[0].value("Id", "") : "(" + r.err + ")";
  }
  void write_auths(const std::string& host, const std::string& user_password_base64) {
    write_docker_config(R"({"auths": {")" + host + R"(": {"auth": ")" + user_password_base64 + R"("}}})");
  }
};

}  // namespace

TEST_F(RegistryPush, PushPrintsDockersLinesAndPullBackGivesTheSameDigest) {
  auto reg = start();
  const std::string name = reg->host() + "/test/bb:1";
  tag(name);
  const std::string digest = manifest_digest(name);
  const auto layers = layer_blobs(name);
  ASSERT_FALSE(layers.empty());

  auto r = berth({"image", "push", name});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "The push refers to repository [" + reg->host() + "/test/bb]\n")) << r.out;
  for (const auto& l : layers) {
    const std::string id = l.substr(7, 12);
    EXPECT_TRUE(contains(r.out, id + ": Preparing\n")) << r.out;
    EXPECT_TRUE(contains(r.out, id + ": Pushed\n")) << r.out;
  }
  EXPECT_FALSE(contains(r.out, ": Pushing")) << r.out;  // a progress bar: only on a terminal, as docker
  // busybox:e2e's layers are stored uncompressed (loaded from a plain tar): they go up
  // gzip-compressed, as docker pushes them, so the pushed manifest is a new one.
  const std::string pushed = pushed_digest(r.out);
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\n1: digest: sha256:[0-9a-f]{64} size: [0-9]+\n$"))) << r.out;
  EXPECT_NE(pushed, digest);
  EXPECT_EQ(remote_digest(name), pushed);
  for (const auto& l : remote_manifest(reg->host(), "test/bb", "1")["layers"])
    EXPECT_EQ(l.value("mediaType", ""), "application/vnd.oci.image.layer.v1.tar+gzip") << l.dump();

  // Into another store: the pushed digest, and the same image (same config, so the same id).
  const std::string other = *m_tmp / "other-root";
  auto pulled = run_berth({"--root", other, "image", "pull", name}, dir(), berth_env());
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_TRUE(contains(pulled.out, "Digest: " + pushed)) << pulled.out;
  EXPECT_TRUE(contains(image_id(root(), name), "sha256:")) << image_id(root(), name);
  EXPECT_EQ(image_id(other, name), image_id(root(), name));

  // Again: every layer is there already and no blob is uploaded.
  const std::size_t uploads = count(reg->log(), "\"PUT /v2/test/bb/blobs/uploads/");
  EXPECT_EQ(uploads, layers.size() + 1) << reg->log();  // the layers and the config
  auto again = berth({"image", "push", name});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  for (const auto& l : layers)
    EXPECT_TRUE(contains(again.out, l.substr(7, 12) + ": Layer already exists\n")) << again.out;
  EXPECT_FALSE(contains(again.out, "Pushed")) << again.out;
  EXPECT_EQ(pushed_digest(again.out), pushed) << "compression must give the same bytes every time";
  EXPECT_EQ(count(reg->log(), "\"PUT /v2/test/bb/blobs/uploads/"), uploads);
  EXPECT_EQ(count(reg->log(), "\"POST /v2/test/bb/blobs/uploads/"), layers.size() + 1);

  auto quiet = berth({"image", "push", "-q", name});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, name + "\n");
}

TEST_F(RegistryPush, AnotherRepositoryOfTheRegistryMountsWhatItHas) {
  auto reg = start();
  tag(reg->host() + "/test/a:1");
  ASSERT_EQ(berth({"image", "push", reg->host() + "/test/a:1"}).exit_code, 0);
  tag(reg->host() + "/test/b:1");
  auto r = berth({"image", "push", reg->host() + "/test/b:1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& l : layer_blobs(reg->host() + "/test/b:1"))
    EXPECT_TRUE(contains(r.out, l.substr(7, 12) + ": Mounted from test/a\n")) << r.out;
  EXPECT_EQ(count(reg->log(), "\"PUT /v2/test/b/blobs/uploads/"), 0u) << reg->log();
  EXPECT_EQ(remote_digest(reg->host() + "/test/b:1"), pushed_digest(r.out));
  EXPECT_EQ(remote_digest(reg->host() + "/test/b:1"), remote_digest(reg->host() + "/test/a:1"));

  // A pulled image remembers where its blobs came from: pushed to a new repository, mounted.
  const std::string src = reg->host() + "/test/src:1";
  const std::string pushed = reg->push_image("test/src:1", 1);
  ASSERT_EQ(berth({"image", "pull", "-q", src}).exit_code, 0);
  ASSERT_EQ(berth({"image", "tag", src, reg->host() + "/test/dst:1"}).exit_code, 0);
  auto dst = berth({"image", "push", reg->host() + "/test/dst:1"});
  ASSERT_EQ(dst.exit_code, 0) << dst.err;
  EXPECT_EQ(count(dst.out, "Mounted from test/src\n"), 2u) << dst.out;  // busybox and the 1 MiB layer
  EXPECT_EQ(remote_digest(reg->host() + "/test/dst:1"), pushed);
}

TEST_F(RegistryPush, MissingImageAndRefusedCredentialsAreDockersErrors) {
  auto reg = start({"alice", "s3cret-pw"});
  auto none = berth({"image", "push", reg->host() + "/test/none:1"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(contains(none.err, "An image does not exist locally with the tag: " + reg->host() + "/test/none"))
      << none.err;

  const std::string name = reg->host() + "/private/bb:1";
  tag(name);
  auto no_tag = berth({"image", "push", reg->host() + "/private/bb:2"});
  EXPECT_EQ(no_tag.exit_code, 1);
  EXPECT_TRUE(contains(no_tag.err, "tag does not exist: " + reg->host() + "/private/bb:2")) << no_tag.err;
  auto anon = berth_auth({"image", "push", name});
  EXPECT_EQ(anon.exit_code, 1);
  EXPECT_TRUE(contains(anon.err, reg->host() + "/private/bb")) << anon.err;
  EXPECT_TRUE(contains(anon.err, "authentication required")) << anon.err;

  write_auths(reg->host(), "YWxpY2U6d3Jvbmc=");  // alice:wrong
  auto wrong = berth_auth({"image", "push", name});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(contains(wrong.err, "push " + name + ": unauthorized: authentication required")) << wrong.err;

  write_auths(reg->host(), "YWxpY2U6czNjcmV0LXB3");  // alice:s3cret-pw
  auto good = berth_auth({"image", "push", name});
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(remote_digest(name, "alice:s3cret-pw"), pushed_digest(good.out));
}

TEST_F(RegistryPush, ComposePushPushesBuiltAndNamedServicesOnly) {
  auto reg = start();
  const std::string web = reg->host() + "/app/web:1";
  const std::string extra = reg->host() + "/app/web:extra";
  tag(web);
  fs::create_directories(dir() + "/web");
  fs::create_directories(dir() + "/only-build");
  std::string compose = "services:\n";
  compose += "  web:\n    build:\n      context: ./web\n      tags: [\"" + extra + "\"]\n    image: " + web + "\n";
  compose += "  only-build:\n    build: ./only-build\n";
  compose += "  pulled:\n    image: " + std::string(image) + "\n";
  write_compose(compose);
  tag(extra);
  auto r = berth({"push"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("only-build +Skipped"))) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("pulled +Skipped"))) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("Pushing " + web + ": [0-9a-f]{12} Pushed"))) << r.err;
  EXPECT_TRUE(contains(remote_digest(web), "sha256:")) << remote_digest(web);
  EXPECT_EQ(remote_digest(extra), remote_digest(web));

  // A named service whose image is not here: an error, or a report with --ignore-push-failures.
  const std::string missing = reg->host() + "/app/missing:1";
  write_compose("services:\n  web:\n    build: ./web\n    image: " + web +
                "\n  gone:\n    build: ./web\n    image: " + missing + "\n");
  auto fails = berth({"push", "-q"});
  EXPECT_EQ(fails.exit_code, 1);
  EXPECT_TRUE(contains(fails.err, "An image does not exist locally with the tag: " + reg->host() + "/app/missing"))
      << fails.err;
  auto ignored = berth({"push", "--ignore-push-failures"});
  EXPECT_EQ(ignored.exit_code, 0) << ignored.err;
  EXPECT_TRUE(contains(ignored.err, "Pushing gone: ")) << ignored.err;
  auto one = berth({"push", "web"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
}

TEST_F(RegistryPush, ATamperedLocalBlobIsRefusedAndNamed) {
  auto reg = start();
  const std::string name = reg->host() + "/test/bad:1";
  tag(name);
  const std::string blob = layer_blobs(name).front();
  const std::string path = root() + "/blobs/sha256/" + blob.substr(7);
  flip_byte(path, 600);
  auto r = berth({"image", "push", name});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "push " + name + ": blob " + blob)) << r.err;
  EXPECT_TRUE(contains(r.err, "tampered with or corrupted")) << r.err;
  auto m = run_command({"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "http://" + reg->host() + "/v2/test/bad/manifests/1"},
                       "/", {});
  EXPECT_EQ(m.out, "404") << "a manifest was pushed over a refused blob";
}

TEST_F(RegistryPush, ChunkedUploadsGiveTheSameImage) {
  auto reg = start();
  const std::string name = reg->host() + "/test/chunked:1";
  tag(name);
  berth::image::ImageStore store(root());
  registry::Pusher pusher(store, registry::Config{}, registry::CredentialStore(*m_tmp / "no-docker-config.json"));
  registry::PushOptions o;
  o.chunk_size = 256 * 1024;
  o.parallel_uploads = 2;
  std::vector<std::string> statuses;
  o.on_event = [&](const registry::PushEvent& e) { statuses.push_back(e.id + ": " + e.status); };
  auto result = pusher.push(berth::image::parse_reference(name), o);
  EXPECT_EQ(remote_digest(name), result.manifest.str());
  EXPECT_GT(count(reg->log(), "\"PATCH /v2/test/chunked/blobs/uploads/"), 2u) << reg->log();
  EXPECT_EQ(count(reg->log(), "\"PUT /v2/test/chunked/blobs/uploads/"), layer_blobs(name).size() + 1);
  const std::string other = *m_tmp / "other-root";
  auto pulled = run_berth({"--root", other, "image", "pull", name}, dir(), berth_env());
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_TRUE(contains(pulled.out, "Digest: " + result.manifest.str())) << pulled.out;
  EXPECT_EQ(image_id(other, name), image_id(root(), name));
}

TEST_F(RegistryPush, AllTagsPushesEveryTagOfTheRepositoryOnly) {
  auto reg = start();
  const std::string repo = reg->host() + "/test/multi";
  for (const char* t : {":2", ":1", ":latest"}) tag(repo + t);
  tag(reg->host() + "/test/other:1");  // another repository: not pushed

  auto with_tag = berth({"image", "push", "-a", repo + ":1"});
  EXPECT_EQ(with_tag.exit_code, 1);
  EXPECT_TRUE(contains(with_tag.err, "tag can't be used with --all-tags/-a")) << with_tag.err;
  auto none = berth({"image", "push", "--all-tags", reg->host() + "/test/none"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(contains(none.err, "An image does not exist locally with the tag: " + reg->host() + "/test/none"))
      << none.err;
  EXPECT_EQ(count(reg->log(), "\"PUT /v2/"), 0u) << "nothing may be pushed for refused commands";

  auto r = berth({"image", "push", "--all-tags", repo});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(r.out, "The push refers to repository [" + repo + "]\n"), 1u) << r.out;
  // Every tag, in name order, each with its digest line; the layers went up once.
  const auto one = r.out.find("\n1: digest: "), two = r.out.find("\n2: digest: "),
             latest = r.out.find("\nlatest: digest: ");
  ASSERT_NE(one, std::string::npos) << r.out;
  ASSERT_NE(two, std::string::npos) << r.out;
  ASSERT_NE(latest, std::string::npos) << r.out;
  EXPECT_LT(one, two);
  EXPECT_LT(two, latest);
  const std::string pushed = pushed_digest(r.out);
  for (const char* t : {":1", ":2", ":latest"}) EXPECT_EQ(remote_digest(repo + t), pushed) << t;
  EXPECT_EQ(count(reg->log(), "\"PUT /v2/test/multi/manifests/"), 3u) << reg->log();
  EXPECT_EQ(count(reg->log(), "\"PUT /v2/test/multi/blobs/uploads/"), layer_blobs(repo + ":1").size() + 1);
  EXPECT_EQ(count(reg->log(), "/v2/test/other/"), 0u) << reg->log();

  auto quiet = berth({"image", "push", "-a", "-q", repo});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, repo + "\n");
}

TEST_F(RegistryPush, PlatformPushesThatPlatformsImageAndRefusesAnother) {
  auto reg = start();
  const std::string repo = reg->host() + "/test/plat";
  tag(repo + ":1");
  const image::Platform here = image::host_platform();
  const std::string other = here.architecture == "arm64" ? "linux/amd64" : "linux/arm64";
  auto refused = berth({"image", "push", "--platform", other, repo + ":1"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(contains(refused.err, "image with reference " + repo +
                                        ":1 was found but does not match the specified "
                                        "platform: wanted " +
                                        other + ", actual: " + here.str()))
      << refused.err;
  EXPECT_EQ(count(reg->log(), "\"PUT /v2/"), 0u) << "nothing may be pushed for a refused platform";

  auto r = berth({"image", "push", "--platform", here.str(), repo + ":1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(remote_digest(repo + ":1"), pushed_digest(r.out));
}

}  // namespace berth::test
