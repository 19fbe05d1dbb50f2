// compose/loader/variables: compose-go's ExtractVariables cases (template/variables_test.go) and
// its later rules: references nested in defaults and error messages, and one variable used
// several times (required if any use is, the first default and presence value kept).
#include "compose/loader/variables.hpp"

#include <gtest/gtest.h>

namespace berth::loader {

// Found by argument-dependent lookup from std::map's ==, so not in the unnamed namespace.
bool operator==(const Variable& a, const Variable& b) {
  return a.name == b.name && a.default_value == b.default_value && a.presence_value == b.presence_value &&
         a.required == b.required;
}

namespace {

using Vars = std::map<std::string, Variable>;

Vars vars(std::initializer_list<Variable> list) {
  Vars out;
  for (const auto& v : list) out[v.name] = v;
  return out;
}

Vars extract(const char* json) { return extract_variables(nlohmann::json::parse(json)); }

TEST(ExtractVariables, ComposeGoCases) {
  EXPECT_EQ(extract("{}"), Vars{});
  EXPECT_EQ(extract(R"({"foo": "bar"})"), Vars{});
  EXPECT_EQ(extract(R"({"foo": "$bar"})"), vars({{"bar", "", "", false}}));
  EXPECT_EQ(extract(R"({"foo": "${bar}"})"), vars({{"bar", "", "", false}}));
  EXPECT_EQ(extract(R"({"foo": "${bar?:foo}"})"), vars({{"bar", "", "", true}}));
  EXPECT_EQ(extract(R"({"foo": "${bar?foo}"})"), vars({{"bar", "", "", true}}));
  EXPECT_EQ(extract(R"({"foo": "${bar:-foo}"})"), vars({{"bar", "foo", "", false}}));
  EXPECT_EQ(extract(R"({"foo": "${bar-foo}"})"), vars({{"bar", "foo", "", false}}));
  EXPECT_EQ(extract(R"({"foo": "${bar:+foo}"})"), vars({{"bar", "", "foo", false}}));
  EXPECT_EQ(extract(R"({"foo": "${bar+foo}"})"), vars({{"bar", "", "foo", false}}));
  EXPECT_EQ(extract(R"({"foo": "${bar:-foo}", "bar": {"foo": "${fruit:-banana}", "bar": "vegetable"},
                        "baz": ["foo", "$docker:${project:-cli}", "$toto"]})"),
            vars({{"bar", "foo", "", false},
                  {"fruit", "banana", "", false},
                  {"toto", "", "", false},
                  {"docker", "", "", false},
                  {"project", "cli", "", false}}));
  EXPECT_EQ(extract(R"({"domainname": "${SUBDOMAIN:-redis}.${ROOTDOMAIN:?}"})"),
            vars({{"ROOTDOMAIN", "", "", true}, {"SUBDOMAIN", "redis", "", false}}));
  EXPECT_EQ(extract(R"({"domainname": "${SUBDOMAIN:-$ROOTDOMAIN}"})"),
            vars({{"ROOTDOMAIN", "", "", false}, {"SUBDOMAIN", "$ROOTDOMAIN", "", false}}));
}

TEST(ExtractVariables, NestedEscapedKeysAndRepeatedUses) {
  // nested in a braced default, a presence value and a required message
  EXPECT_EQ(extract(R"({"a": "${A:-${B:-x}}", "b": "${C:+${D}}", "c": "${E:?${MSG}}"})"),
            vars({{"A", "${B:-x}", "", false},
                  {"B", "x", "", false},
                  {"C", "", "${D}", false},
                  {"D", "", "", false},
                  {"E", "", "", true},
                  {"MSG", "", "", false}}));
  // `$$` is no variable, keys are never read, numbers and booleans are not strings
  EXPECT_EQ(extract(R"({"${KEY}": "$$NOT", "n": 1, "t": true})"), Vars{});
  // the rest of a greedy match after its first balanced brace
  EXPECT_EQ(extract(R"({"x": "${A:-a}-${B}"})"), vars({{"A", "a", "", false}, {"B", "", "", false}}));
  // required as soon as one use is; the first default kept, an empty one does not erase it
  EXPECT_EQ(extract(R"({"a": ["${V:-first}", "${V}", "${V:-second}", "${V:?}"]})"), vars({{"V", "first", "", true}}));
  // a `${` starting no valid reference: compose-go lists a variable with an empty name
  EXPECT_EQ(extract(R"({"x": "${1}"})"), vars({{"", "", "", false}}));
}

}  // namespace
}  // namespace berth::loader
