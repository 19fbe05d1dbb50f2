// The JSON printer against Go's encoding/json (MarshalIndent with two spaces).
#include "compose/model/json_emit.hpp"

#include <gtest/gtest.h>

namespace {

using berth::model::to_json_text;
using Tree = nlohmann::ordered_json;

TEST(ModelJsonEmit, IndentsLikeMarshalIndent) {
  Tree t = Tree::parse(R"({"b": {"x": [1, {"y": null}], "e": {}, "l": []}, "a": true})");
  EXPECT_EQ(to_json_text(t),
            "{\n"
            "  \"b\": {\n"
            "    \"x\": [\n"
            "      1,\n"
            "      {\n"
            "        \"y\": null\n"
            "      }\n"
            "    ],\n"
            "    \"e\": {},\n"
            "    \"l\": []\n"
            "  },\n"
            "  \"a\": true\n"
            "}");
}

TEST(ModelJsonEmit, EscapesStringsLikeGo) {
  EXPECT_EQ(to_json_text(Tree("echo \"hello\" > /w.txt <&>")), R"("echo \"hello\" \u003e /w.txt \u003c\u0026\u003e")");
  EXPECT_EQ(to_json_text(Tree("a\nb\tc\r\x01\b\f\\")), R"("a\nb\tc\r\u0001\b\f\\")");
  EXPECT_EQ(to_json_text(Tree("line\xE2\x80\xA8sep\xE2\x80\xA9")), R"("line\u2028sep\u2029")");
  EXPECT_EQ(to_json_text(Tree("h\xC3\xA9 \xF0\x9F\x98\x80 \x7F")), "\"h\xC3\xA9 \xF0\x9F\x98\x80 \x7F\"");
  EXPECT_EQ(to_json_text(Tree(std::string("bad\xFF"))), R"("bad\ufffd")");
}

TEST(ModelJsonEmit, FloatsPrintLikeGo) {
  EXPECT_EQ(to_json_text(Tree(0.3)), "0.3");
  EXPECT_EQ(to_json_text(Tree(2.0)), "2");
  EXPECT_EQ(to_json_text(Tree(0.000001)), "0.000001");
  EXPECT_EQ(to_json_text(Tree(1e-7)), "1e-7");
  EXPECT_EQ(to_json_text(Tree(123456789.0)), "123456789");
  EXPECT_EQ(to_json_text(Tree(1e21)), "1e+21");
  EXPECT_EQ(to_json_text(Tree(-1.25)), "-1.25");
  EXPECT_EQ(to_json_text(Tree(0.0)), "0");
}

}  // namespace
