// Messages of the schema validator: one clear message per problem, at the right pointer.
#include "compose/loader/validate_schema.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "compose/loader/yaml_to_json.hpp"
#include "schema/schema.hpp"

using namespace berth::loader;
using nlohmann::json;

namespace {

/// "path: message" for every diagnostic of `yaml` against Berth's schema.
std::vector<std::string> messages(const std::string& yaml) {
  Document doc = parse_yaml(yaml, "c.yaml");
  Diagnostics diags(&doc.positions);
  validate_schema(doc.value, diags);
  std::vector<std::string> out;
  for (const auto& d : diags.items()) out.push_back(d.path + ": " + d.message);
  return out;
}

std::string only_message(const std::string& yaml) {
  auto all = messages(yaml);
  EXPECT_EQ(all.size(), 1u) << ::testing::PrintToString(all);
  return all.empty() ? "" : all.front();
}

}  // namespace

TEST(SchemaValidator, AcceptsATypicalFile) {
  EXPECT_TRUE(messages("services:\n  web:\n    image: nginx\n    ports: ['80:80', 443]\n"
                       "    depends_on: {db: {condition: service_healthy}}\n"
                       "  db:\n    image: postgres\n    x-note: 1\nx-common: &c {a: 1}\n")
                  .empty());
}

TEST(SchemaValidator, UnknownKeySuggestsTheClosestName) {
  EXPECT_EQ(only_message("services:\n  web:\n    imgae: nginx\n"),
            "services.web.imgae: additional property \"imgae\" is not allowed (did you mean \"image\"?)");
  EXPECT_EQ(only_message("servics:\n  web:\n    image: nginx\n"),
            "servics: additional property \"servics\" is not allowed (did you mean \"services\"?)");
  // An abbreviation is recognised too.
  EXPECT_EQ(only_message("services:\n  web:\n    networks:\n      front:\n        ipv4addr: 10.0.0.2\n"),
            "services.web.networks.front.ipv4addr: additional property \"ipv4addr\" is not allowed "
            "(did you mean \"ipv4_address\"?)");
}

TEST(SchemaValidator, UnknownKeyWithoutNearMissListsSmallSets) {
  EXPECT_EQ(only_message("services:\n  web:\n    extends: {service: base, from: other.yaml}\n"),
            "services.web.extends.from: additional property \"from\" is not allowed (expected one of: file, service)");
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    blkio_config: {x-foo: 1}\n"),
            "services.web.blkio_config.x-foo: additional property \"x-foo\" is not allowed "
            "(extension fields are not allowed here)");
}

TEST(SchemaValidator, OneOfWithNoBranchOfTheRightTypeListsTheAlternatives) {
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    ports: [true]\n"),
            "services.web.ports[0]: must be a string, a number or a mapping, not a boolean");
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    environment: 3\n"),
            "services.web.environment: must be a mapping or a list, not a number");
}

TEST(SchemaValidator, OneOfReportsTheInnerErrorsOfTheBranchOfTheRightType) {
  EXPECT_EQ(
      only_message("services:\n  web:\n    image: a\n    ports:\n      - target: 80\n        publishd: 8080\n"),
      "services.web.ports[0].publishd: additional property \"publishd\" is not allowed (did you mean \"published\"?)");
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    environment: {A: {b: 1}}\n"),
            "services.web.environment.A: must be a string, a number, a boolean or null, not a mapping");
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    gpus: some\n"),
            "services.web.gpus: must be one of: all (got \"some\")");
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    cpu_percent: 150\n"),
            "services.web.cpu_percent: must be at most 100 (got 150)");
}

TEST(SchemaValidator, TypeAndEnumMessages) {
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    restart: [always]\n"),
            "services.web.restart: must be a string, not a list");
  EXPECT_EQ(only_message("services:\n  web:\n    image: 1.25\n"),
            "services.web.image: must be a string, not a number (put it in quotes)");
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    cgroup: shared\n"),
            "services.web.cgroup: must be one of: host, private (got \"shared\")");
}

TEST(SchemaValidator, MissingRequiredPropertyIsReportedOnTheMapping) {
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    depends_on:\n      db: {required: true}\n"),
            "services.web.depends_on.db: missing required property \"condition\"");
  // A misspelt required key is one problem, not two.
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    depends_on:\n      db: {conditon: service_started}\n"),
            "services.web.depends_on.db.conditon: additional property \"conditon\" is not allowed "
            "(did you mean \"condition\"?)");
}

TEST(SchemaValidator, NamesDuplicatesAndPatterns) {
  EXPECT_EQ(only_message("services:\n  web app:\n    image: a\n"),
            "services.web app: name \"web app\" is not allowed (names must match ^[a-zA-Z0-9._-]+$)");
  EXPECT_EQ(only_message("services:\n  web:\n    image: a\n    cap_add: [NET_ADMIN, NET_ADMIN]\n"),
            "services.web.cap_add[1]: duplicate item \"NET_ADMIN\" (same as item 0)");
  EXPECT_EQ(
      only_message("services:\n  web:\n    image: a\n    pull_policy: sometimes\n"),
      "services.web.pull_policy: must match the pattern "
      "always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+ (got \"sometimes\")");
}

TEST(SchemaValidator, ReportsEveryProblemOfADocument) {
  auto all = messages(
      "services:\n  web:\n    imgae: nginx\n    restart: 3\n  db:\n    image: postgres\n    ports: [{}, null]\n"
      "volumes:\n  data: {drvier: local}\nfoo: 1\n");
  ASSERT_EQ(all.size(), 5u) << ::testing::PrintToString(all);
  auto has = [&](const std::string& text) { return std::find(all.begin(), all.end(), text) != all.end(); };
  EXPECT_TRUE(has("services.web.imgae: additional property \"imgae\" is not allowed (did you mean \"image\"?)"));
  EXPECT_TRUE(has("services.web.restart: must be a string, not a number (put it in quotes)"));
  EXPECT_TRUE(has("services.db.ports[1]: must be a string, a number or a mapping, not null"));
  EXPECT_TRUE(has("volumes.data.drvier: additional property \"drvier\" is not allowed (did you mean \"driver\"?)"));
  EXPECT_TRUE(has("foo: additional property \"foo\" is not allowed"));
}

TEST(SchemaValidator, DiagnosticsCarryFileLineAndColumn) {
  Document doc =
      parse_yaml("services:\n  web:\n    image: nginx\n    imgae: nginx\n    ports:\n      - true\n", "c.yaml");
  Diagnostics diags(&doc.positions);
  validate_schema(doc.value, diags);
  ASSERT_EQ(diags.items().size(), 2u);
  EXPECT_EQ(format(diags.items()[0]),
            "c.yaml:4:5: services.web.imgae: additional property \"imgae\" is not allowed (did you mean \"image\"?)");
  EXPECT_EQ(format(diags.items()[1]),
            "c.yaml:6:9: services.web.ports[0]: must be a string, a number or a mapping, not a boolean");
}

TEST(SchemaValidator, ContextBecomesAPointerAndADisplayPath) {
  Pointer p = context_to_pointer({"<root>", "[services]", "[web]", "[ports]", "[0]"});
  EXPECT_EQ(p.to_string(), "/services/web/ports/0");
  EXPECT_EQ(display_path(p), "services.web.ports[0]");
  EXPECT_EQ(context_to_pointer({"<root>", "[x/y]", "[a~b]"}).to_string(), "/x~1y/a~0b");
  EXPECT_TRUE(context_to_pointer({"<root>"}).empty());
}

TEST(SchemaValidator, EditDistanceCountsASwapAsOne) {
  EXPECT_EQ(edit_distance("imgae", "image"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(SchemaValidator, CompilesArbitrarySchemasAndRejectsBrokenOnes) {
  SchemaValidator v(R"({"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}})");
  EXPECT_TRUE(v.accepts(json{{"n", 2}}));
  EXPECT_FALSE(v.accepts(json{{"n", 0}}));
  auto problems = v.problems(json{{"n", 0}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].where.to_string(), "/n");
  EXPECT_EQ(problems[0].message, "must be at least 1 (got 0)");
  EXPECT_THROW(SchemaValidator("{not json"), std::runtime_error);
  EXPECT_THROW(SchemaValidator(R"({"type": 42})"), std::runtime_error);
}

TEST(SchemaValidator, FallsBackToValijsonForKeywordsItCannotExplain) {
  SchemaValidator v(R"({"properties": {"a": {"not": {"type": "string"}}}})");
  auto problems = v.problems(json{{"a", "text"}});
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].where.to_string(), "/a");
}

namespace {
void expect_descriptions(const json& node, const std::string& at) {
  if (node.is_array())
    for (size_t i = 0; i < node.size(); ++i) expect_descriptions(node[i], at + "/" + std::to_string(i));
  if (!node.is_object()) return;
  if (auto props = node.find("properties"); props != node.end() && props->is_object()) {
    for (const auto& [key, sub] : props->items())
      EXPECT_TRUE(sub.contains("description")) << at << "/properties/" << key;
  }
  for (const auto& [key, sub] : node.items()) expect_descriptions(sub, at + "/" + key);
}
}  // namespace

TEST(SchemaValidator, OurSchemaIsEmbeddedAndDescribesEveryKey) {
  json schema = json::parse(berth::schema::compose_schema());
  EXPECT_GT(schema["definitions"]["service"]["properties"].size(), 90u);
  expect_descriptions(schema, "");
}

TEST(SchemaValidator, ValidatesFromSeveralThreadsAtOnce) {
  const json bad = json::parse(R"({"services": {"web": {"imgae": "x", "ports": [true]}}})");
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        Diagnostics diags;
        validate_schema(bad, diags);  // run alone, the first calls race to compile the schema
        if (diags.items().size() == 2) ++right;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(right.load(), 100);
}

TEST(SchemaValidator, AProblemOfTheWholeFileSaysSo) {
  Document doc = parse_yaml("- web\n- db\n", "c.yaml");
  Diagnostics diags(&doc.positions);
  validate_schema(doc.value, diags);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].path, "");
  EXPECT_EQ(diags.items()[0].message, "the file must be a mapping, not a list");
}
