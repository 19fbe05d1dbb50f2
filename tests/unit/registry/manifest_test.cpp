// parse_manifest (compose/registry/manifest.cpp) and the platform choice from an index
// (compose/image/platform.cpp) on documents as registries serve them, and on the malformed ones
// the registry_manifest fuzz target produced: a field of the wrong type must give an error that
// names the manifest (or simply not match), never json's own type_error.
#include <gtest/gtest.h>

#include <stdexcept>

#include "compose/image/platform.hpp"
#include "compose/registry/manifest.hpp"

namespace berth::registry {

namespace {

constexpr const char* kManifestTestDigest = "sha256:9e50d0c8cb0c7c42cf6343f57c9389c52d4ee9f62dba35e1b060b4e4ce03e3db";

std::string manifest_error_of(const std::string& body, const std::string& content_type = "") {
  try {
    parse_manifest(body, content_type, "manifest x:1");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(RegistryManifest, KindsAndMediaTypes) {
  auto index = parse_manifest(R"({"schemaVersion":2,"manifests":[]})", "", "manifest x:1");
  EXPECT_TRUE(index.is_index());
  EXPECT_EQ(index.media_type, kOciIndex);
  const std::string body =
      std::string(R"({"schemaVersion":2,"config":{"digest":")") + kManifestTestDigest + R"("},"layers":[]})";
  auto m = parse_manifest(body, std::string(kDockerManifest) + "; charset=utf-8", "manifest x:1");
  EXPECT_EQ(m.media_type, kDockerManifest);
  EXPECT_FALSE(m.is_index());
  EXPECT_EQ(m.digest, image::sha256_of(body));
  EXPECT_NE(manifest_error_of(R"({"schemaVersion":1,"fsLayers":[]})").find("schema 1 are no longer supported"),
            std::string::npos);
  EXPECT_EQ(manifest_error_of(R"({"mediaType":"text/plain"})"), "manifest x:1: unsupported media type \"text/plain\"");
  EXPECT_EQ(manifest_error_of("[]"), "manifest x:1: expected a JSON object");
}

TEST(RegistryManifest, FieldsOfTheWrongTypeNameTheManifest) {  // found by registry_manifest_fuzz
  EXPECT_EQ(manifest_error_of(R"({"mediaType":1,"manifests":[]})"), "manifest x:1: `mediaType` is not a string");
  EXPECT_EQ(manifest_error_of(R"({"schemaVersion":"2","manifests":[]})"),
            "manifest x:1: `schemaVersion` is not an integer");
  EXPECT_EQ(manifest_error_of(R"({"schemaVersion":null,"manifests":[]})"),
            "manifest x:1: `schemaVersion` is not an integer");
  // A float too large for an int was converted to one (undefined behaviour).
  EXPECT_EQ(manifest_error_of(R"({"schemaVersion":2.8e48,"manifests":[]})"),
            "manifest x:1: `schemaVersion` is not an integer");
  EXPECT_EQ(manifest_error_of(R"({"schemaVersion":1.0,"fsLayers":[]})"),
            "manifest x:1: `schemaVersion` is not an integer");
}

TEST(RegistryManifest, ANumberTooLargeIsNotJson) {  // found by registry_manifest_fuzz: json's out_of_range escaped
  const std::string e = manifest_error_of("819e791");
  EXPECT_EQ(e.rfind("manifest x:1: not JSON: ", 0), 0u) << e;
  EXPECT_NE(e.find("number overflow"), std::string::npos) << e;
}

TEST(RegistryManifest, IndexEntriesWithOddPlatformsAreSkipped) {  // found by registry_manifest_fuzz
  auto index = nlohmann::json::parse(R"({"manifests":[
    {"digest":"a","platform":{"os":1,"architecture":"amd64"}},
    {"digest":"b","platform":{"os":"linux","architecture":["amd64"]}},
    {"digest":"c","platform":{"os":"linux","architecture":"arm","variant":7}},
    {"digest":"d","platform":{"os":"unknown","architecture":"unknown"}},
    {"digest":"e","platform":{"os":"linux","architecture":"amd64"}},
    {"digest":"f","platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]})");
  auto amd = image::select_platform(index, image::parse_platform("linux/amd64"));
  ASSERT_TRUE(amd);
  EXPECT_EQ((*amd)["digest"], "e");
  auto arm = image::select_platform(index, image::parse_platform("linux/arm64/v8"));
  ASSERT_TRUE(arm);
  EXPECT_EQ((*arm)["digest"], "f");
  EXPECT_FALSE(image::select_platform(index, image::parse_platform("linux/arm/v7")));  // "c"'s variant is no string
  auto any_arm = image::select_platform(index, image::parse_platform("linux/arm"));
  ASSERT_TRUE(any_arm);
  EXPECT_EQ((*any_arm)["digest"], "c");  // no variant asked for: any
  EXPECT_FALSE(image::select_platform(index, image::parse_platform("unknown/unknown")));
}

}  // namespace berth::registry
