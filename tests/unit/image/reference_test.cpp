// Image references normalise as docker's do; digests are strict; times and sizes print as
// docker prints them.
#include <gtest/gtest.h>

#include "compose/gocompat/rfc3339.hpp"
#include "compose/image/digest.hpp"
#include "compose/image/reference.hpp"

using namespace berth::image;

namespace {

const std::string kHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(ImageReference, NormalisesLikeDocker) {
  struct Case {
    const char* in;
    const char* full;
    const char* familiar;
  } cases[] = {
      {"busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"},
      {"library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"user/app:v1", "docker.io/user/app:v1", "user/app:v1"},
      {"localhost/app", "localhost/app:latest", "localhost/app:latest"},
      {"localhost:5000/a/b:tag", "localhost:5000/a/b:tag", "localhost:5000/a/b:tag"},
      {"ghcr.io/org/x-y_z.w:1.0-rc_1", "ghcr.io/org/x-y_z.w:1.0-rc_1", "ghcr.io/org/x-y_z.w:1.0-rc_1"},
      {"Registry.Example/a", "Registry.Example/a:latest", "Registry.Example/a:latest"},
      {"[::1]:5000/a", "[::1]:5000/a:latest", "[::1]:5000/a:latest"},
      {"a__b/c--d", "docker.io/a__b/c--d:latest", "a__b/c--d:latest"},
  };
  for (const auto& c : cases) {
    Reference r = parse_reference(c.in);
    EXPECT_EQ(r.str(), c.full) << c.in;
    EXPECT_EQ(r.familiar(), c.familiar) << c.in;
  }
}

TEST(ImageReference, DigestWithoutTagHasNoImpliedTag) {
  Reference r = parse_reference("busybox@sha256:" + kHex);
  EXPECT_EQ(r.tag, "");
  ASSERT_TRUE(r.digest);
  EXPECT_EQ(r.str(), "docker.io/library/busybox@sha256:" + kHex);
  EXPECT_EQ(r.familiar(), "busybox@sha256:" + kHex);
  Reference both = parse_reference("localhost:5000/x:1@sha256:" + kHex);
  EXPECT_EQ(both.domain, "localhost:5000");
  EXPECT_EQ(both.tag, "1");
  EXPECT_EQ(both.familiar_name(), "localhost:5000/x");
}

TEST(ImageReference, RefusesMalformed) {
  for (const char* bad : {"", "Busybox", "library/Busybox", "a//b", "a/", "-a", "a-", "a..b", "a___b", "a:", "a:-tag",
                          "a@sha256:abc", "a@md5:abc", ":tag", "host:port/x", "a b"})
    EXPECT_FALSE(try_parse_reference(bad)) << "accepted `" << bad << "`";
  EXPECT_THROW(parse_reference(kHex), std::invalid_argument);
  try {
    parse_reference("library/Busybox");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "invalid reference format: repository name (library/Busybox) must be lowercase");
  }
  EXPECT_FALSE(try_parse_reference("a:" + std::string(129, 't')));
  EXPECT_TRUE(try_parse_reference("a:" + std::string(128, 't')));
  EXPECT_FALSE(try_parse_reference("localhost/" + std::string(250, 'a')));
}

TEST(ImageDigest, ParsesOnlyLowercaseSha256) {
  auto d = Digest::parse("sha256:" + kHex);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->hex(), kHex);
  EXPECT_EQ(d->short_hex(), kHex.substr(0, 12));
  EXPECT_FALSE(Digest::parse("sha256:" + kHex.substr(1)));
  EXPECT_FALSE(Digest::parse("sha512:" + kHex));
  std::string upper = kHex;
  upper[0] = 'E';
  EXPECT_FALSE(Digest::parse("sha256:" + upper));
  EXPECT_THROW(Digest::from_hex("xyz"), std::invalid_argument);
}

TEST(ImageDigest, StreamingEqualsOneShot) {
  EXPECT_EQ(sha256_of("").hex(), kHex);
  EXPECT_EQ(sha256_of("abc").hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  std::string big(1 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4097) h.update(std::string_view(big).substr(i, 4097));
  EXPECT_EQ(h.finish(), sha256_of(big));
}

}  // namespace
