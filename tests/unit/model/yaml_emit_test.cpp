// The YAML printer against go-yaml v3's output: which strings get quoted and how, literal blocks,
// empty containers, nesting, numbers, and go-yaml's map key order.
#include "compose/model/yaml_emit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

using berth::model::to_yaml;
using Tree = nlohmann::ordered_json;

/// How a string value prints after `k:`.
std::string value_of(const std::string& s) {
  Tree t = Tree::object();
  t["k"] = s;
  std::string out = to_yaml(t);
  EXPECT_EQ(out.rfind("k:", 0), 0u) << out;
  return out.substr(2, out.size() - 3);  // drop "k:" and the final newline
}

TEST(YamlEmit, PlainStringsStayPlain) {
  EXPECT_EQ(value_of("redis"), " redis");
  EXPECT_EQ(value_of("1m0s"), " 1m0s");
  EXPECT_EQ(value_of("02:42:ac:11:65:43"), " 02:42:ac:11:65:43");
  EXPECT_EQ(value_of("2001:3984:3989::10"), " 2001:3984:3989::10");
  EXPECT_EQ(value_of("8080:80"), " 8080:80");  // not a base-60 number: 80 is not [0-5]?[0-9] followed by the end
  EXPECT_EQ(value_of("c 1:3 mr"), " c 1:3 mr");
  EXPECT_EQ(value_of("label=level:s0:c100,c200"), " label=level:s0:c100,c200");
  EXPECT_EQ(value_of("echo \"hello world\""), " echo \"hello world\"");
  EXPECT_EQ(value_of("-p"), " -p");
  EXPECT_EQ(value_of("a#b"), " a#b");
  EXPECT_EQ(value_of("it's"), " it's");
  EXPECT_EQ(value_of("tRue"), " tRue");
  EXPECT_EQ(value_of("."), " .");
  EXPECT_EQ(value_of("h\xC3\xA9llo"), " h\xC3\xA9llo");
  EXPECT_EQ(value_of("tcp://192.168.0.42:123"), " tcp://192.168.0.42:123");
}

TEST(YamlEmit, StringsThatReadBackAsOtherTypesAreDoubleQuoted) {
  for (const char* s : {"3000",
                        "0440",
                        "52428800",
                        "1.5",
                        "1e3",
                        ".5",
                        "0x1F",
                        "0b101",
                        "0o17",
                        "1_000",
                        "08",
                        "+1",
                        "-1",
                        "true",
                        "True",
                        "FALSE",
                        "null",
                        "Null",
                        "~",
                        ".inf",
                        "-.Inf",
                        ".nan",
                        "yes",
                        "Yes",
                        "on",
                        "OFF",
                        "y",
                        "n",
                        "NO",
                        "12:30",
                        "80:08",
                        "2024-01-02",
                        "2024-1-2",
                        "2024-01-02T10:00:00Z",
                        "2024-01-02 10:00:00"}) {
    EXPECT_EQ(value_of(s), std::string(" \"") + s + "\"") << s;
  }
  EXPECT_EQ(value_of(""), " \"\"");
}

TEST(YamlEmit, StringsPlainWouldMisreadAreSingleQuoted) {
  EXPECT_EQ(value_of("a: b"), " 'a: b'");
  EXPECT_EQ(value_of("key:"), " 'key:'");
  EXPECT_EQ(value_of("- a"), " '- a'");
  EXPECT_EQ(value_of("-"), " '-'");
  EXPECT_EQ(value_of("#x"), " '#x'");
  EXPECT_EQ(value_of("a #b"), " 'a #b'");
  EXPECT_EQ(value_of(" lead"), " ' lead'");
  EXPECT_EQ(value_of("trail "), " 'trail '");
  EXPECT_EQ(value_of("..."), " '...'");
  EXPECT_EQ(value_of("---x"), " '---x'");
  EXPECT_EQ(value_of("'quoted'"), " '''quoted'''");
  for (const char* s : {"@x", "`x", "%x", "!x", "&x", "*x", "|x", ">x", "[x", "]x", "{x", "}x", ",x", "\"x"})
    EXPECT_EQ(value_of(s), std::string(" '") + s + "'") << s;
}

TEST(YamlEmit, UnprintableCharactersForceDoubleQuotesWithEscapes) {
  EXPECT_EQ(value_of("tab\there"), " \"tab\\there\"");
  EXPECT_EQ(value_of(std::string("nul\0x", 5)), " \"nul\\0x\"");
  EXPECT_EQ(value_of("bell\x07"), " \"bell\\a\"");
  EXPECT_EQ(value_of("del\x7F"), " \"del\\x7F\"");
  EXPECT_EQ(value_of("emoji \xF0\x9F\x98\x80"), " \"emoji \\U0001F600\"");  // go-yaml's is_printable stops at U+FFFF
  EXPECT_EQ(value_of("cr\rx"), " \"cr\\rx\"");
  EXPECT_EQ(value_of("q\"\\\t"), " \"q\\\"\\\\\\t\"");
}

TEST(YamlEmit, MultiLineStringsAreLiteralBlocks) {
  EXPECT_EQ(value_of("FROM alpine\nRUN echo \"hello\" > /world.txt\n"),
            " |\n  FROM alpine\n  RUN echo \"hello\" > /world.txt");
  EXPECT_EQ(value_of("a\nb"), " |-\n  a\n  b");
  EXPECT_EQ(value_of("a\n\nb\n"), " |\n  a\n\n  b");
  EXPECT_EQ(value_of(" lead\nx"), " |2-\n   lead\n  x");
  EXPECT_EQ(value_of("\nx\n"), " |2\n\n  x");
  EXPECT_EQ(value_of("a\n b"), " |-\n  a\n   b");
  // A space before a line break cannot be kept in a block scalar, nor in single quotes.
  EXPECT_EQ(value_of("trailing \nx"), " \"trailing \\nx\"");
  // A keep-chomping block before another key.
  Tree t = Tree::object();
  t["k"] = "a\n\n";
  t["z"] = 1;
  EXPECT_EQ(to_yaml(t), "k: |+\n  a\n\nz: 1\n");
}

TEST(YamlEmit, LiteralBlocksIndentUnderTheirParent) {
  Tree t =
      Tree::parse(R"({"services": {"bar": {"build": {"context": "/p", "dockerfile_inline": "FROM a\nRUN b\n"}}}})");
  EXPECT_EQ(to_yaml(t),
            "services:\n"
            "  bar:\n"
            "    build:\n"
            "      context: /p\n"
            "      dockerfile_inline: |\n"
            "        FROM a\n"
            "        RUN b\n");
  EXPECT_EQ(to_yaml(Tree::parse(R"(["x\ny\n", "z"])")), "- |\n  x\n  y\n- z\n");
  EXPECT_EQ(to_yaml(Tree::parse(R"({"a": {"b": ["x\ny"]}})")), "a:\n  b:\n    - |-\n      x\n      y\n");
}

TEST(YamlEmit, EmptyContainersAndNulls) {
  Tree t = Tree::object();
  t["a"] = Tree::object();
  t["b"] = Tree::array();
  t["c"] = nullptr;
  t["d"] = Tree::array({Tree::object()});
  t["e"] = Tree::array({Tree::array()});
  t["f"] = Tree::object({{"g", Tree::object()}});
  EXPECT_EQ(to_yaml(t), "a: {}\nb: []\nc: null\nd:\n  - {}\ne:\n  - []\nf:\n  g: {}\n");
  EXPECT_EQ(to_yaml(Tree::object()), "{}\n");
  EXPECT_EQ(to_yaml(Tree::array()), "[]\n");
}

TEST(YamlEmit, NestingFollowsGoYamlLayout) {
  Tree t = Tree::parse(R"({"ports": [{"mode": "ingress", "target": 3000}], "x": [["a", "b"], ["c"]],
                           "m": [{"a": 1, "b": [1, 2]}, {"c": {"d": 1}}]})");
  EXPECT_EQ(to_yaml(t),
            "ports:\n"
            "  - mode: ingress\n"
            "    target: 3000\n"
            "x:\n"
            "  - - a\n"
            "    - b\n"
            "  - - c\n"
            "m:\n"
            "  - a: 1\n"
            "    b:\n"
            "      - 1\n"
            "      - 2\n"
            "  - c:\n"
            "      d: 1\n");
}

TEST(YamlEmit, NumbersPrintAsGoPrintsThem) {
  Tree t = Tree::object();
  t["i"] = 1;
  t["neg"] = -5;
  t["u"] = std::numeric_limits<std::uint64_t>::max();
  t["f"] = 0.3;
  t["g"] = 0.0001;
  t["h"] = 123456.0;
  t["big"] = 1e6;
  t["big2"] = 1234567.0;
  t["small"] = 1e-5;
  t["whole"] = 2.0;
  t["nan"] = std::nan("");
  t["inf"] = -std::numeric_limits<double>::infinity();
  t["t"] = true;
  t["z"] = false;
  EXPECT_EQ(to_yaml(t),
            "i: 1\nneg: -5\nu: 18446744073709551615\nf: 0.3\ng: 0.0001\nh: 123456\nbig: 1e+06\nbig2: 1.234567e+06\n"
            "small: 1e-05\nwhole: 2\nnan: .nan\ninf: -.inf\nt: true\nz: false\n");
}

TEST(YamlEmit, KeysAreQuotedLikeValues) {
  Tree t = Tree::object();
  t["3000"] = 1;
  t["true"] = 2;
  t["y"] = 3;
  t[""] = 4;
  t["a b"] = 5;
  t["a: b"] = 6;
  t["com.example.number"] = "42";
  EXPECT_EQ(to_yaml(t), "\"3000\": 1\n\"true\": 2\n\"y\": 3\n\"\": 4\na b: 5\n'a: b': 6\ncom.example.number: \"42\"\n");
}

TEST(YamlEmit, KeyOrderIsGoYamls) {
  using berth::model::yaml_key_less;
  std::vector<std::string> keys = {
      "aB", "a10", "a_b", "a9", "BAR", "com.example", "ENV.WITH.DOT", "ENV_WITH_UNDERSCORE", "a", "a01", "a1"};
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return yaml_key_less(a, b); });
  EXPECT_EQ(keys, (std::vector<std::string>{"BAR", "ENV.WITH.DOT", "ENV_WITH_UNDERSCORE", "a", "a_b", "a1", "a01", "a9",
                                            "a10", "aB", "com.example"}));
}

}  // namespace

TEST(YamlEmit, BytesThatAreNotUtf8AreEscapedAsThemselves) {
  nlohmann::ordered_json tree{{"k", std::string("x\xff\xfe")}};
  EXPECT_EQ(berth::model::to_yaml(tree), "k: \"x\\xFF\\xFE\"\n");
}

TEST(YamlEmit, HugeNumericKeysSortWithoutOverflow) {
  // Found by the loader fuzzer: go-yaml's key order parses digit runs into int64 (wrapping).
  EXPECT_TRUE(berth::model::yaml_key_less("a2", "a10"));
  (void)berth::model::yaml_key_less("44444444444444444444444", "4444444444444000003519738280108680078");
}

namespace {

// go-yaml's Encoder with SetIndent(4) (its default, and compose bridge's files): a mapping in a
// sequence item sits at the dash + 2, what it holds at the next multiple of 4, a literal block
// 4 deeper than its key.
TEST(YamlEmit, IndentFourAsGoYaml) {
  Tree t = Tree::parse(R"({"spec":{"containers":[{"name":"a","ports":[{"name":"p","containerPort":80}],
      "resources":{"limits":{"cpu":"1"}}}],"ingress":[{"from":[{"podSelector":{"k":"v"}}]}]},
      "data":{"f":"one\ntwo\n"}})");
  EXPECT_EQ(to_yaml(t, 4),
            "spec:\n"
            "    containers:\n"
            "        - name: a\n"
            "          ports:\n"
            "            - name: p\n"
            "              containerPort: 80\n"
            "          resources:\n"
            "            limits:\n"
            "                cpu: \"1\"\n"
            "    ingress:\n"
            "        - from:\n"
            "            - podSelector:\n"
            "                k: v\n"
            "data:\n"
            "    f: |\n"
            "        one\n"
            "        two\n");
}

}  // namespace
