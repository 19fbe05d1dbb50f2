#include "compose/engine/compose_publish.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "compose/gocompat/sha256.hpp"
#include "support/temp_dir.hpp"

namespace berth::engine {
namespace {

// The secret-detector's keyword detector as docker compose uses it (threshold 0): a
// sensitive-sounding key with a literal of three characters or more.
TEST(ComposePublish, SensitiveLiteralsAreKeywordKeysWithLiteralValues) {
  EXPECT_TRUE(sensitive_literal("MYSQL_ROOT_PASSWORD", "s3cr3t"));
  EXPECT_TRUE(sensitive_literal("api_key", "abc"));
  EXPECT_TRUE(sensitive_literal("GITHUB-TOKEN", "x y z"));
  EXPECT_TRUE(sensitive_literal("app.Db-Pass", "hunter2"));
  EXPECT_FALSE(sensitive_literal("Db.Pass", "hunter2"));  // "db.pass" is none of the keywords
  EXPECT_FALSE(sensitive_literal("MYSQL_ROOT_PASSWORD", "${PASSWORD}"));
  EXPECT_FALSE(sensitive_literal("MYSQL_ROOT_PASSWORD", "$PASSWORD"));
  EXPECT_FALSE(sensitive_literal("MYSQL_ROOT_PASSWORD", "ab"));
  EXPECT_FALSE(sensitive_literal("MYSQL_ROOT_PASSWORD", "pre-${X}"));  // ends in `}`: a template
  EXPECT_FALSE(sensitive_literal("PATH", "/usr/bin"));
  EXPECT_FALSE(sensitive_literal("MY KEY PASSWORD", "value"));  // a space is no key character
}

TEST(ComposePublish, ReplaceAtRewritesTheRestOfTheLine) {
  EXPECT_EQ(replace_at("a:\n  env_file: x.env # note\nb: 1\n", 2, 13, "h.env"), "a:\n  env_file: h.env\nb: 1\n");
  EXPECT_EQ(replace_at("k: v", 1, 4, "w"), "k: w");
}

TEST(ComposePublish, BuildOnlyServicesAreRefusedByName) {
  model::Project p;
  p.services["b"].build = model::BuildConfig{};
  p.services["a"].build = model::BuildConfig{};
  p.services["c"].image = "x";
  EXPECT_EQ(build_only_refusal(p),
            "your Compose stack cannot be published as it only contains a build section for service(s):\n"
            "- \"a\"\n- \"b\"\n");
  p.services.erase("a");
  p.services.erase("b");
  EXPECT_EQ(build_only_refusal(p), "");
}

TEST(ComposePublish, LayersCarryHashedEnvFileNamesAndExtendsParents) {
  test::TempDir dir;
  std::ofstream(dir / "app.env") << "A=1\n";
  std::ofstream(dir / "base.yaml") << "services:\n  base:\n    image: busybox\n";
  std::ofstream(dir / "compose.yaml")
      << "services:\n  web:\n    env_file: app.env\n    extends:\n      file: base.yaml\n"
         "      service: base\n";
  loader::LoadOptions o;
  o.files = {dir / "compose.yaml"};
  const loader::Project project = loader::load_project(o);
  const std::string env_hash = gocompat::sha256_hex(dir / "app.env");
  const std::string base_hash = gocompat::sha256_hex(dir / "base.yaml");
  auto layers = publish_layers(project, false, {});
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0].data, "services:\n  web:\n    env_file: " + env_hash +
                                ".env\n    extends:\n      file: " + base_hash + ".yaml\n      service: base\n");
  EXPECT_EQ(layers[1].annotations.at("com.docker.compose.file"), base_hash + ".yaml");
  EXPECT_EQ(layers[1].annotations.at("com.docker.compose.extends"), "true");
  layers = publish_layers(project, true, {{"web", "docker.io/library/busybox:latest@sha256:" + std::string(64, 'a')}});
  ASSERT_EQ(layers.size(), 4u);
  EXPECT_EQ(layers[2].media_type, "application/vnd.docker.compose.envfile");
  EXPECT_EQ(layers[2].data, "A=1\n");
  EXPECT_EQ(layers[3].annotations.at("com.docker.compose.file"), "image-digests.yaml");
  EXPECT_EQ(layers[3].data,
            "services:\n  web:\n    image: docker.io/library/busybox:latest@sha256:" + std::string(64, 'a') + "\n");

  const std::vector<std::string> prompts = publish_prompts(project, false);
  ASSERT_EQ(prompts.size(), 1u);
  EXPECT_NE(prompts[0].find("  service \"web\": env_file declared\n"), std::string::npos) << prompts[0];
  EXPECT_TRUE(publish_prompts(project, true).empty());
}

}  // namespace
}  // namespace berth::engine
