// Multi-platform pulls against a real registry: an OCI index of linux/amd64 and linux/arm64/v8
// images with a BuildKit attestation manifest (unknown/unknown) listed first. The host's platform
// by default, `image pull --platform`, a service's `platform:` through `berth pull`, docker's
// message when nothing matches, the attestation never chosen, pulls by digest of the index and of
// one platform's manifest.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "compose/image/platform.hpp"
#include "registry_fixture.hpp"
#include "support/text.hpp"

namespace berth::test {

namespace {

namespace fs = std::filesystem;

using berth::test::contains;

class RegistryPlatform : public RegistryFixture {
 protected:
  void SetUp() override {
    RegistryFixture::SetUp();
    if (IsSkipped()) return;
    m_reg = std::make_unique<RegistryServer>(*m_tmp / "registry");
    m_digests = m_reg->push_multiarch("multi/bb:1", {"linux/amd64", "linux/arm64/v8"});
    ASSERT_EQ(m_digests.size(), 4u);
  }
  /// The registry (a process) goes before the fixture looks for leftover processes.
  void TearDown() override {
    m_reg.reset();
    EngineFixture::TearDown();
  }
  std::string ref() const { return m_reg->host() + "/multi/bb:1"; }
  /// True when the store holds the manifest of `name` ("linux/amd64", "attestation", "index").
  bool stored(const std::string& name) const {
    return fs::exists(root() + "/blobs/sha256/" + m_digests.at(name).substr(7));
  }
  /// The image's config architecture as `image inspect` shows it.
  std::string architecture(const std::string& image) {
    auto r = berth({"image", "inspect", image});
    std::smatch m;
    return std::regex_search(r.out, m, std::regex(R"re("Architecture": ?"([^"]*)")re")) ? m[1].str() : r.out + r.err;
  }
  std::unique_ptr<RegistryServer> m_reg;
  std::map<std::string, std::string> m_digests;
};

}  // namespace

TEST_F(RegistryPlatform, TheHostPlatformIsPickedAndTheAttestationNever) {
  const image::Platform host = image::host_platform();
  if (host.str() != "linux/amd64" && host.str() != "linux/arm64")
    GTEST_SKIP() << "the index has no image for " << host.str();
  auto r = berth({"image", "pull", ref()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Digest: " + m_digests["index"])) << r.out;
  const std::string mine = host.architecture == "amd64" ? "linux/amd64" : "linux/arm64/v8";
  const std::string other = host.architecture == "amd64" ? "linux/arm64/v8" : "linux/amd64";
  EXPECT_TRUE(stored(mine));
  EXPECT_FALSE(stored(other));
  EXPECT_FALSE(stored("attestation"));
  EXPECT_TRUE(stored("index"));
  EXPECT_EQ(architecture(ref()), host.architecture);
  EXPECT_FALSE(contains(m_reg->log(), "GET /v2/multi/bb/manifests/" + m_digests["attestation"])) << m_reg->log();
}

TEST_F(RegistryPlatform, ImagePullPlatformFlagPicksArm64) {
  auto r = berth({"image", "pull", "--platform", "linux/arm64", ref()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(stored("linux/arm64/v8"));
  EXPECT_FALSE(stored("linux/amd64"));
  EXPECT_EQ(architecture(ref()), "arm64");
}

TEST_F(RegistryPlatform, AServicePlatformIsHonouredByBerthPull) {
  write_compose("services:\n  app:\n    image: " + ref() + "\n    platform: linux/arm64\n");
  auto r = berth({"pull"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(stored("linux/arm64/v8"));
  EXPECT_FALSE(stored("linux/amd64"));
  EXPECT_EQ(architecture(ref()), "arm64");
}

TEST_F(RegistryPlatform, NoMatchingPlatformIsDockersErrorAndStoresNothing) {
  auto armonly = m_reg->push_multiarch("armonly/bb:1", {"linux/arm64/v8"});
  const image::Platform host = image::host_platform();
  if (host.architecture != "arm64") {
    auto r = berth({"image", "pull", m_reg->host() + "/armonly/bb:1"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "no matching manifest for " + host.str() + " in the manifest list entries")) << r.err;
  }
  auto s390 = berth({"image", "pull", "--platform", "linux/s390x", ref()});
  EXPECT_EQ(s390.exit_code, 1);
  EXPECT_TRUE(contains(s390.err, "no matching manifest for linux/s390x in the manifest list entries")) << s390.err;
  // Asking for the attestation's own platform does not select it either.
  auto unknown = berth({"image", "pull", "--platform", "unknown/unknown", ref()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.err, "no matching manifest for unknown/unknown")) << unknown.err;
  EXPECT_FALSE(stored("attestation"));
  EXPECT_FALSE(fs::exists(root() + "/blobs/sha256/" + armonly["attestation"].substr(7)));
  EXPECT_FALSE(contains(berth({"image", "ls"}).out, "multi/bb"));
  EXPECT_FALSE(contains(berth({"image", "ls"}).out, "armonly/bb"));
}

TEST_F(RegistryPlatform, PullsByDigestOfTheIndexAndOfOnePlatformManifest) {
  auto arm = berth({"image", "pull", "--platform", "linux/arm64", m_reg->host() + "/multi/bb@" + m_digests["index"]});
  ASSERT_EQ(arm.exit_code, 0) << arm.err;
  EXPECT_TRUE(contains(arm.out, "Digest: " + m_digests["index"])) << arm.out;
  EXPECT_TRUE(stored("linux/arm64/v8"));
  EXPECT_FALSE(stored("linux/amd64"));

  const std::string amd = m_reg->host() + "/multi/bb@" + m_digests["linux/amd64"];
  auto one = berth({"image", "pull", amd});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(contains(one.out, "Digest: " + m_digests["linux/amd64"])) << one.out;
  EXPECT_TRUE(stored("linux/amd64"));
  EXPECT_EQ(architecture(amd), "amd64");
}

}  // namespace berth::test
