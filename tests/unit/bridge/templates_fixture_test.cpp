// `bridge convert --templates`: compose bridge's own templates (tests/testdata/
// compose-bridge-transformer, the revision SOURCE names) rendered on compose bridge's fixture give
// exactly the files `docker compose bridge convert` wrote for it (compose-bridge/fixture/
// expected-kubernetes), byte for byte: same names, same layout, same comments.
#include <gtest/gtest.h>

#include <filesystem>

#include "bridge_support.hpp"
#include "compose/bridge/template_yaml.hpp"
#include "compose/bridge/templates.hpp"

namespace berth::bridge {
namespace {

const std::string kTplTestdata = std::string(BERTH_TESTDATA_DIR);
const std::string kTplFixture = kTplTestdata + "/compose-bridge/fixture";
const std::string kTplTemplates = kTplTestdata + "/compose-bridge-transformer/templates";

std::map<std::string, std::string> tpl_read_expected(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[std::filesystem::relative(e.path(), dir).string()] = test::read_bytes(e.path());
  return out;
}

TEST(BridgeTemplates, UpstreamTemplatesGiveTheFixturesOutput) {
  auto project = test_support::load_dir(kTplFixture, "bridge");
  TemplateRun run = render_template_dir(template_model(project.model, project.environment), kTplTemplates);
  std::map<std::string, std::string> actual;
  for (const auto& f : run.files) actual[f.path] = f.text;
  auto expected = tpl_read_expected(kTplFixture + "/expected-kubernetes");
  for (const auto& [path, text] : expected) {
    ASSERT_TRUE(actual.count(path)) << path << " was not written";
    EXPECT_EQ(actual[path], text) << path;
  }
  for (const auto& [path, text] : actual) EXPECT_TRUE(expected.count(path)) << path << " is not in the fixture";
  ASSERT_FALSE(run.messages.empty());
  EXPECT_EQ(run.messages.front(), "Kubernetes resource bridge-configs.yaml created");  // confimap.tmpl comes first
}

TEST(BridgeTemplates, UpstreamHelmTemplatesGiveTheFixturesChart) {
  auto project = test_support::load_dir(kTplFixture, "bridge");
  TemplateRun run = render_template_dir(template_model(project.model, project.environment),
                                        kTplTestdata + "/compose-bridge-transformer/helm-templates");
  std::map<std::string, std::string> actual;
  for (const auto& f : run.files) actual[f.path] = f.text;
  auto expected = tpl_read_expected(kTplFixture + "/expected-helm");
  for (const auto& [path, text] : expected) {
    ASSERT_TRUE(actual.count(path)) << path << " was not written";
    EXPECT_EQ(actual[path], text) << path;
  }
  for (const auto& [path, text] : actual) EXPECT_TRUE(expected.count(path)) << path << " is not in the fixture";
}

TEST(BridgeTemplates, ModelIsWhatTheTransformerReads) {
  auto project = test_support::load_dir(kTplFixture, "bridge");
  auto model = template_model(project.model, project.environment);
  EXPECT_EQ(model["name"], "bridge");
  EXPECT_EQ(model["services"]["serviceA"]["expose"], nlohmann::json::array({"8080"}));
  EXPECT_EQ(model["services"]["serviceA"]["ports"][0]["published"], "80");
  EXPECT_EQ(model["secrets"]["my-secrets"]["content"], "not-secret");
  EXPECT_EQ(model["configs"]["my-config"]["content"], "My config file");
}

TEST(BridgeTemplates, FunctionsAreConvertGos) {
  auto funcs = transformer_funcs();
  auto run = [&](const std::string& text, const nlohmann::json& data = nlohmann::json::object()) {
    gocompat::tmpl::Template t("t", funcs);
    t.parse(text);
    return t.execute(gocompat::tmpl::Value{data, true});
  };
  EXPECT_EQ(
      run("{{ \"My_Service.1\" | safe }} {{ portName \"averyveryverylongname\" 8080 }} {{ portName \"web\" \"80\" }}"),
      "my-service-1 averyveryv-8080 web-80");
  EXPECT_EQ(
      run("{{ \"1m30s\" | seconds }} {{ \"bogus\" | seconds }} {{ uppercase \"tcp\" }} {{ title \"if_not present\" }}"),
      "90 0 TCP If_not Present");
  EXPECT_EQ(run("{{ map \"on-failure\" \"always->Always\" \"on-failure -> OnFailure\" }} {{ map \"x\" \"a->b\" }}"),
            "OnFailure x");
  EXPECT_EQ(run("{{ .t | truncate 1 | join \" \" }}|{{ indent \"a\\nb\" 2 }}|{{ base64 \"hi\" }}",
                {{"t", {"CMD-SHELL", "curl", "-f"}}}),
            "curl -f|  a\n  b\n|aGk=");
  EXPECT_EQ(run("{{ helmValue \".Values.%s.image\" \"web\" }} {{ isString 1 }} {{ hasAttribute .m \"a\" }} {{ "
                "getAttribute .m \"a\" }}",
                {{"m", {{"a", 1}}}}),
            "\xE2\x8C\xA6 .Values.web.image \xE2\x8C\xAB false true 1");
  EXPECT_THROW(run("{{ required \"services.web.image\" .nope }}"), TransformerExit);
}

TEST(BridgeTemplates, YamlIsReencodedAsGoYamlV3) {
  auto docs = reencode_documents(
      "# lead\n\n---\n#! a.yaml\n# c\nk: v\nm:\n  n: 1\n  s:\n  - x\n  - y:   z\n    w: \"q\"  # why\n"
      "lit: |\n  one\n  two\n\n\n# tail\n---\nplain: doc\n");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].file, "a.yaml");
  EXPECT_EQ(
      docs[0].text,
      "# lead\n\n#! a.yaml\n# c\nk: v\nm:\n    n: 1\n    s:\n        - x\n        - y: z\n          w: \"q\" # why\n"
      "lit: |\n    one\n    two\n\n# tail\n");
  EXPECT_EQ(docs[1].file, "");
  EXPECT_EQ(docs[1].text, "plain: doc\n");
  EXPECT_THROW(reencode_documents("a: b\n\tc: d\n"), std::runtime_error);
}

}  // namespace
}  // namespace berth::bridge
