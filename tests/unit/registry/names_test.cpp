// compose/registry: references → endpoints and credential keys, the config file, WWW-Authenticate
// challenges and base64 — no network.
#include <gtest/gtest.h>

#include "compose/gocompat/base64.hpp"
#include "compose/image/reference.hpp"
#include "compose/registry/challenge.hpp"
#include "compose/registry/config.hpp"
#include "compose/registry/credentials.hpp"
#include "compose/registry/endpoint.hpp"

using namespace berth::registry;
using berth::image::parse_reference;

TEST(RegistryEndpoint, DockerHubAndOthers) {
  Config none;
  auto hub = pull_endpoints(parse_reference("busybox"), none);
  ASSERT_EQ(hub.size(), 1u);
  EXPECT_EQ(hub[0].base_url, "https://registry-1.docker.io");
  EXPECT_EQ(credential_key("docker.io"), "https://index.docker.io/v1/");
  auto ghcr = pull_endpoints(parse_reference("ghcr.io/org/app:1"), none);
  EXPECT_EQ(ghcr.back().base_url, "https://ghcr.io");
  EXPECT_EQ(credential_key("ghcr.io"), "ghcr.io");
  auto local = pull_endpoints(parse_reference("localhost:5000/a/b"), none);
  EXPECT_EQ(local.back().base_url, "http://localhost:5000");
  EXPECT_EQ(credential_key("localhost:5000"), "localhost:5000");
  EXPECT_EQ(pull_endpoints(parse_reference("127.0.0.2:80/x"), none).back().base_url, "http://127.0.0.2:80");
  EXPECT_EQ(pull_endpoints(parse_reference("[::1]:5000/x"), none).back().base_url, "http://[::1]:5000");
  EXPECT_EQ(pull_endpoints(parse_reference("10.0.0.1:5000/x"), none).back().base_url, "https://10.0.0.1:5000");
}

TEST(RegistryEndpoint, Loopback) {
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("localhost:5000"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3:1"));
  EXPECT_TRUE(is_loopback_host("[::1]:5000"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("localhost.example.com"));
  EXPECT_FALSE(is_loopback_host("[::2]:5000"));
}

TEST(RegistryConfig, MirrorsAndInsecureRegistries) {
  Config c;
  merge_config(c, R"({"registry-mirrors": ["https://mirror.example/"], "insecure-registries": ["lan:5000"],
                     "registries": {"ghcr.io": {"mirrors": ["http://cache.lan/ghcr"]}}})",
               "/etc/berth/config.json");
  auto hub = pull_endpoints(parse_reference("busybox"), c);
  ASSERT_EQ(hub.size(), 2u);
  EXPECT_TRUE(hub[0].mirror);
  EXPECT_EQ(hub[0].base_url, "https://mirror.example");
  EXPECT_EQ(hub[1].base_url, "https://registry-1.docker.io");
  auto lan = pull_endpoints(parse_reference("lan:5000/app"), c);
  EXPECT_EQ(lan.back().base_url, "http://lan:5000");
  auto ghcr = pull_endpoints(parse_reference("ghcr.io/o/a"), c);
  ASSERT_EQ(ghcr.size(), 2u);
  EXPECT_EQ(ghcr[0].base_url, "http://cache.lan");
  EXPECT_EQ(ghcr[0].path_prefix, "/ghcr");
  try {
    merge_config(c, R"({"registries": {"x": {"insecure": "yes"}}})", "/u/config.json");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "/u/config.json: registries.x.insecure: expected true or false");
  }
}

TEST(RegistryChallenge, BearerBasicAndSeveral) {
  auto c = parse_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(c[0].param("service"), "registry.docker.io");
  EXPECT_EQ(c[0].param("scope"), "repository:library/busybox:pull");
  auto two = parse_challenges(R"(Basic realm="Registry \"Realm\"", Bearer realm=https://a/t, error="invalid_token")");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].scheme, "basic");
  EXPECT_EQ(two[0].param("realm"), "Registry \"Realm\"");
  EXPECT_EQ(two[1].param("realm"), "https://a/t");
  EXPECT_EQ(two[1].param("error"), "invalid_token");
  EXPECT_TRUE(parse_challenges("").empty());
  auto broken = parse_challenges(R"(Bearer realm="unterminated)");
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_TRUE(broken[0].params.empty());
}

TEST(RegistryCredentials, Base64) {
  EXPECT_EQ(berth::gocompat::base64_encode("alice:s3cret-pw"), "YWxpY2U6czNjcmV0LXB3");
  EXPECT_EQ(berth::gocompat::base64_decode("YWxpY2U6czNjcmV0LXB3"), "alice:s3cret-pw");
  EXPECT_EQ(berth::gocompat::base64_decode("YQ=="), "a");
  EXPECT_EQ(berth::gocompat::base64_decode("YWI="), "ab");
  EXPECT_FALSE(berth::gocompat::base64_decode("abc"));
  EXPECT_FALSE(berth::gocompat::base64_decode("a*c="));
}
