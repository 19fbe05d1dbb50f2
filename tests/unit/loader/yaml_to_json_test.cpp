#include "compose/loader/yaml_to_json.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "compose/loader/diagnostics.hpp"

using namespace berth::loader;

TEST(YamlToJson, TypesScalarsLikeTheReferenceLoader) {
  auto doc = parse_yaml("a: 1\nb: '1'\nc: true\nd: \"true\"\ne: ~\nf:\ng: 1.5\nh: 0x10\ni: 0440\nj: yes\nk: 1_000\n",
                        "c.yaml");
  const auto& v = doc.value;
  EXPECT_EQ(v["a"], 1);
  EXPECT_EQ(v["b"], "1");
  EXPECT_EQ(v["c"], true);
  EXPECT_EQ(v["d"], "true");
  EXPECT_TRUE(v["e"].is_null());
  EXPECT_TRUE(v["f"].is_null());
  EXPECT_DOUBLE_EQ(v["g"].get<double>(), 1.5);
  EXPECT_EQ(v["h"], 16);
  EXPECT_EQ(v["i"], 0440);
  EXPECT_EQ(v["j"], "yes");  // YAML 1.2: yes is a string
  EXPECT_EQ(v["k"], 1000);
}

TEST(YamlToJson, RecordsPositionsOfKeysAndItems) {
  auto doc = parse_yaml("services:\n  web:\n    ports:\n      - 80\n      - \"8080:80\"\n", "compose.yaml");
  auto loc = doc.positions.find(Pointer("/services/web/ports/1"));
  EXPECT_EQ(loc.file, "compose.yaml");
  EXPECT_EQ(loc.line, 5);
  EXPECT_EQ(loc.column, 9);
  auto key = doc.positions.find(Pointer("/services/web"));
  EXPECT_EQ(key.line, 2);
  EXPECT_EQ(key.column, 3);
  // Unknown children fall back to the nearest ancestor.
  EXPECT_EQ(doc.positions.find(Pointer("/services/web/ports/1/target")).line, 5);
}

TEST(YamlToJson, AppliesMergeKeysWithExplicitKeysWinning) {
  auto doc = parse_yaml(
      "x-base: &base\n  image: busybox\n  restart: always\n"
      "services:\n  a:\n    <<: *base\n    restart: \"no\"\n",
      "c.yaml");
  EXPECT_EQ(doc.value["services"]["a"]["image"], "busybox");
  EXPECT_EQ(doc.value["services"]["a"]["restart"], "no");
}

TEST(YamlToJson, MergeKeyListEarlierWins) {
  auto doc = parse_yaml("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n", "c.yaml");
  EXPECT_EQ(doc.value["c"], (nlohmann::json{{"x", 1}, {"y", 1}, {"z", 2}}));
}

TEST(YamlToJson, RecordsResetAndOverrideTags) {
  auto doc = parse_yaml("services:\n  a:\n    ports: !reset []\n    env: !override {A: 1}\n", "c.yaml");
  EXPECT_EQ(doc.tags.at("/services/a/ports"), MergeTag::Reset);
  EXPECT_EQ(doc.tags.at("/services/a/env"), MergeTag::Override);
}

TEST(YamlToJson, SyntaxErrorNamesFileLineAndColumn) {
  try {
    parse_yaml("services:\n  web:\n    image: [a\n", "bad.yaml");
    FAIL() << "expected LoadError";
  } catch (const LoadError& e) {
    ASSERT_EQ(e.items().size(), 1u);
    EXPECT_EQ(e.items()[0].where.file, "bad.yaml");
    EXPECT_GT(e.items()[0].where.line, 0);
    EXPECT_NE(std::string(e.what()).find("bad.yaml:"), std::string::npos);
  }
}

TEST(YamlToJson, DuplicateKeyIsAnError) {
  try {
    parse_yaml("services:\n  a:\n    image: x\n    image: y\n", "dup.yaml");
    FAIL() << "expected LoadError";
  } catch (const LoadError& e) {
    EXPECT_EQ(format(e.items()[0]), "dup.yaml:4:5: services.a.image: mapping key \"image\" already defined at line 3");
  }
}

TEST(YamlToJson, EmptyDocumentIsNull) { EXPECT_TRUE(parse_yaml("", "e.yaml").value.is_null()); }

TEST(SourceMap, DisplayPathUsesDotsAndIndices) {
  EXPECT_EQ(display_path(Pointer("/services/web/ports/1")), "services.web.ports[1]");
  EXPECT_EQ(display_path(Pointer("/services/a~1b")), "services.a/b");
  EXPECT_EQ(display_path(Pointer("")), "");
}

TEST(YamlToJson, MergedAndAliasedValuesPointAtTheAnchoredText) {
  auto doc = parse_yaml(
      "x-base: &base\n  image: busybox\n  environment: &env\n    A: 1\n"
      "services:\n  a:\n    <<: *base\n    labels: *env\n",
      "c.yaml");
  EXPECT_EQ(doc.value["services"]["a"]["image"], "busybox");
  EXPECT_EQ(doc.positions.find(Pointer("/services/a/image")).line, 2);
  EXPECT_EQ(doc.positions.find(Pointer("/services/a/environment/A")).line, 4);
  EXPECT_EQ(doc.positions.find(Pointer("/services/a/labels")).line, 8);  // the alias itself
  EXPECT_EQ(doc.positions.find(Pointer("/services/a/labels/A")).line, 4);
}

TEST(YamlToJson, ComplexKeysAreRejected) { EXPECT_THROW(parse_yaml("? [a, b]\n: 1\nc: 2\n", "c.yaml"), LoadError); }

TEST(YamlToJson, TooDeepIsAnErrorNotACrash) {
  std::string deep(5000, '[');
  EXPECT_THROW(parse_yaml(deep, "deep.yaml"), LoadError);
}

TEST(YamlToJson, FloatsFollowTheCoreSchema) {
  auto v = parse_yaml("a: 1.5\nb: -.5\nc: 1e3\nd: 1.\ne: 1.2.3\nf: .inf\ng: 1e\nh: '-'\ni: 1_0.5\n", "f.yaml").value;
  EXPECT_DOUBLE_EQ(v["a"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(v["b"].get<double>(), -0.5);
  EXPECT_DOUBLE_EQ(v["c"].get<double>(), 1000);
  EXPECT_DOUBLE_EQ(v["d"].get<double>(), 1.0);
  EXPECT_EQ(v["e"], "1.2.3");
  EXPECT_TRUE(std::isinf(v["f"].get<double>()));
  EXPECT_EQ(v["g"], "1e");
  EXPECT_EQ(v["h"], "-");
  EXPECT_DOUBLE_EQ(v["i"].get<double>(), 10.5);
}

TEST(YamlToJson, InvalidUtf8IsRejectedWithItsPosition) {
  try {
    parse_yaml("services:\n  a:\n    image: caf\xc3\xa9\n  \xff\xff: 1\n", "u.yaml");
    FAIL() << "expected LoadError";
  } catch (const LoadError& e) {
    EXPECT_EQ(format(e.items()[0]),
              "u.yaml:4:3: invalid character: the file must be UTF-8 text without control characters");
  }
  EXPECT_EQ(parse_yaml("a: caf\xc3\xa9\n", "u.yaml").value["a"], "caf\xc3\xa9");
  EXPECT_THROW(parse_yaml("a: \xc0\xaf\n", "u.yaml"), LoadError);              // overlong
  EXPECT_THROW(parse_yaml("a: \xed\xa0\x80\n", "u.yaml"), LoadError);          // surrogate
  EXPECT_THROW(parse_yaml(std::string("a: x\0y\n", 8), "u.yaml"), LoadError);  // NUL
  EXPECT_THROW(parse_yaml("a: \x1f\n", "u.yaml"), LoadError);
  EXPECT_EQ(parse_yaml("a:\tb\r\n", "u.yaml").value["a"], "b");
}
