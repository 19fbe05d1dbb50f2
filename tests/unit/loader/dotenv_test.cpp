// parse_dotenv() against compose-go v2's dotenv fixtures and godotenv_test.go cases, and
// read_env_file() with the default and the `raw` format.
#include "compose/loader/dotenv.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace berth::loader;

namespace {

Lookup none() {
  return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}

Lookup vars(Environment env) {
  return [env = std::move(env)](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

Environment parse(std::string_view text, const Lookup& lookup = none()) { return parse_dotenv(text, "t.env", lookup); }

std::string dotenv_error(std::string_view text, const Lookup& lookup = none()) {
  try {
    parse(text, lookup);
    return "no error";
  } catch (const LoadError& e) {
    return e.what();
  }
}

std::string value_of(std::string_view line, const std::string& key) {
  Environment env = parse(line);
  auto it = env.find(key);
  return it == env.end() ? "<missing " + key + ">" : it->second;
}

const std::string fixtures = BERTH_TESTDATA_DIR "/compose-go/testdata/dotenv/fixtures/";

#define REQUIRE_FIXTURES() \
  ASSERT_TRUE(std::filesystem::is_directory(fixtures)) << "vendored fixtures missing in " << fixtures

Environment dotenv_fixture(const std::string& name, const Lookup& lookup = none()) {
  return read_env_file(fixtures + name, "", lookup);
}

using berth::test::TempDir;

/// Writes `content` to `dir`/`name` and returns that path.
std::string write(const TempDir& dir, const std::string& name, std::string_view content) {
  std::string file = dir / name;
  berth::test::write_bytes(file, std::string(content));
  return file;
}

}  // namespace

// ---- the fixtures of compose-go's dotenv package ----

TEST(DotenvFixtures, Plain) {
  REQUIRE_FIXTURES();
  // ParseWithLookup keeps the key "456" (only godotenv's Read drops keys starting with a digit).
  Environment want{{"OPTION_A", "1"}, {"OPTION_B", "2"}, {"OPTION_C", "3"}, {"OPTION_D", "4"},        {"OPTION_E", "5"},
                   {"456", "ABC"},    {"OPTION_F", ""},  {"OPTION_G", ""},  {"OPTION_H", "my string"}};
  EXPECT_EQ(dotenv_fixture("plain.env"), want);
  EXPECT_EQ(dotenv_fixture("utf8-bom.env"), want);
}

TEST(DotenvFixtures, Quoted) {
  REQUIRE_FIXTURES();
  Environment want{{"OPTION_A", "1"},          {"OPTION_B", "2"},
                   {"OPTION_C", ""},           {"OPTION_D", "\\n"},
                   {"OPTION_E", "1"},          {"OPTION_F", "2"},
                   {"OPTION_G", ""},           {"OPTION_H", "\n"},
                   {"OPTION_I", "echo 'asd'"}, {"OPTION_J", "first line\nsecond line\nthird line\nand so on"},
                   {"OPTION_K", "Let's go!"},  {"OPTION_Z", "last value"}};
  EXPECT_EQ(dotenv_fixture("quoted.env"), want);
}

TEST(DotenvFixtures, UnquotedExportedEqualsSpecialCustom) {
  REQUIRE_FIXTURES();
  EXPECT_EQ(dotenv_fixture("unquoted.env"),
            (Environment{{"OPTION_A", "some quoted phrase"},
                         {"OPTION_B", "first one with an unquoted phrase"},
                         {"OPTION_C", "then another one with an unquoted phrase"},
                         {"OPTION_D", "then another one with an unquoted phrase special \xC3\xA8 char"},
                         {"OPTION_E", "then another one quoted phrase"}}));
  EXPECT_EQ(dotenv_fixture("exported.env"), (Environment{{"OPTION_A", "2"}, {"OPTION_B", "\\n"}}));
  EXPECT_EQ(dotenv_fixture("equals.env"),
            (Environment{{"OPTION_A", "postgres://localhost:5432/database?sslmode=disable"}}));
  EXPECT_EQ(
      dotenv_fixture("special.env"),
      (Environment{{"VAR.WITH.DOTS", "dots"}, {"VAR_WITH_UNDERSCORES", "underscores"}, {"VAR-WITH-DASHES", "dashes"}}));
  EXPECT_EQ(dotenv_fixture("custom.format"), (Environment{{"FOO", "BAR"}, {"ZOT", "QIX"}}));  // YAML-style `KEY:VALUE`
}

TEST(DotenvFixtures, Substitutions) {
  REQUIRE_FIXTURES();
  Environment want{{"OPTION_A", "1"}, {"OPTION_B", "1"}, {"OPTION_C", "1"}, {"OPTION_D", "1_1"}, {"OPTION_E", ""}};
  EXPECT_EQ(dotenv_fixture("substitutions.env"), want);
  EXPECT_EQ(dotenv_fixture("substitutions-default.env"), want);
  // The lookup (the shell) is asked before the file's own earlier keys.
  EXPECT_EQ(
      dotenv_fixture("substitutions.env", vars({{"OPTION_A", "9"}})),
      (Environment{{"OPTION_A", "1"}, {"OPTION_B", "9"}, {"OPTION_C", "9"}, {"OPTION_D", "9_9"}, {"OPTION_E", ""}}));
  EXPECT_EQ(dotenv_fixture("substitutions-default.env", vars({{"OPTION_NOT_DEFINED", "x"}}))["OPTION_E"], "x");
}

TEST(DotenvFixtures, Inherited) {
  REQUIRE_FIXTURES();
  auto os_env = vars({{"VAR_TO_BE_LOADED_FROM_OS_ENV", "SOME_RANDOM_VALUE"}});
  EXPECT_EQ(dotenv_fixture("inherited-multi-var.env", os_env),
            (Environment{{"foo", "bar"}, {"VAR_TO_BE_LOADED_FROM_OS_ENV", "SOME_RANDOM_VALUE"}, {"bar", "baz"}}));
  EXPECT_EQ(dotenv_fixture("inherited-multi-var.env"), (Environment{{"foo", "bar"}, {"bar", "baz"}}));
  EXPECT_EQ(dotenv_fixture("inherited-single-var.env", os_env),
            (Environment{{"VAR_TO_BE_LOADED_FROM_OS_ENV", "SOME_RANDOM_VALUE"}}));
  EXPECT_TRUE(dotenv_fixture("inherited-not-found.env", os_env).empty());
}

TEST(DotenvFixtures, Invalid1FailsAtLineSeven) {
  REQUIRE_FIXTURES();
  try {
    dotenv_fixture("invalid1.env");
    FAIL() << "invalid1.env parsed";
  } catch (const LoadError& e) {
    ASSERT_EQ(e.items().size(), 1u);
    EXPECT_EQ(e.items()[0].where.file, fixtures + "invalid1.env");
    EXPECT_EQ(e.items()[0].where.line, 7);
    EXPECT_EQ(e.items()[0].where.column, 1);
    EXPECT_EQ(e.items()[0].message, "key cannot contain a space");
  }
}

// ---- godotenv_test.go TestParsing and friends ----

TEST(DotenvParse, KeysAndSeparators) {
  EXPECT_EQ(value_of("FOO=bar", "FOO"), "bar");
  EXPECT_EQ(value_of("FOO =bar", "FOO"), "bar");
  EXPECT_EQ(value_of("FOO= bar", "FOO"), "bar");
  EXPECT_EQ(value_of("OPTION_A: 1", "OPTION_A"), "1");
  EXPECT_EQ(value_of("OPTION_A: Foo=bar", "OPTION_A"), "Foo=bar");
  EXPECT_EQ(value_of("OPTION_A=1:B", "OPTION_A"), "1:B");
  EXPECT_EQ(value_of("FOO.BAR=foobar", "FOO.BAR"), "foobar");
  EXPECT_EQ(value_of("a[0]-b=x", "a[0]-b"), "x");
  EXPECT_EQ(value_of("FOO=foobar=", "FOO"), "foobar=");
  EXPECT_EQ(value_of("=\"value\"", ""), "value");
  EXPECT_EQ(value_of(" KEY =value", "KEY"), "value");
  EXPECT_EQ(value_of("   KEY=value", "KEY"), "value");
  EXPECT_EQ(value_of("\tKEY=value", "KEY"), "value");
  EXPECT_EQ(value_of("K\xC3\xA9Y=value", "K\xC3\xA9Y"), "value");
}

TEST(DotenvParse, ExportPrefix) {
  EXPECT_EQ(value_of("export OPTION_A=2", "OPTION_A"), "2");
  EXPECT_EQ(value_of("export OPTION_B='\\n'", "OPTION_B"), "\\n");
  EXPECT_EQ(value_of("export exportFoo=2", "exportFoo"), "2");
  EXPECT_EQ(value_of("exportFOO=2", "exportFOO"), "2");
  EXPECT_EQ(value_of("export_FOO =2", "export_FOO"), "2");
  EXPECT_EQ(value_of("export.FOO= 2", "export.FOO"), "2");
  EXPECT_EQ(value_of("export\tOPTION_A=2", "OPTION_A"), "2");
  EXPECT_EQ(value_of("  export OPTION_A=2", "OPTION_A"), "2");
  EXPECT_EQ(value_of("\texport OPTION_A=2", "OPTION_A"), "2");
  EXPECT_EQ(value_of("export OPTION_A=\"export A\"", "OPTION_A"), "export A");
}

TEST(DotenvParse, UnquotedValuesAndComments) {
  EXPECT_EQ(value_of("FOO=bar ", "FOO"), "bar");
  EXPECT_EQ(value_of("FOO=bar # this is foo", "FOO"), "bar");
  EXPECT_EQ(value_of("FOO=bar #this is foo", "FOO"), "bar");
  EXPECT_EQ(value_of("FOO=bar #", "FOO"), "bar");
  EXPECT_EQ(value_of("FOO=123#not-an-inline-comment", "FOO"), "123#not-an-inline-comment");
  EXPECT_EQ(value_of("FOO=a\\tb", "FOO"), "a\\tb");
  EXPECT_EQ(value_of("FOO= #x", "FOO"), "#x");  // blanks after `=` go first, so no " #" is left
  EXPECT_TRUE(parse("\n").empty());
  EXPECT_TRUE(parse("\r\n").empty());
  EXPECT_TRUE(parse("\t\t ").empty());
  EXPECT_TRUE(parse("# Comment").empty());
  EXPECT_TRUE(parse("\t # comment\n# another").empty());
}

// Comments as compose-go's parser reads them, beyond godotenv_test.go's cases: only a blank then
// `#` starts an inline comment of an unquoted value (a tab does not), blanks after `=` are dropped
// before the cut, the cut comes before interpolation, and a `#` where a key belongs is an error.
TEST(DotenvParse, CommentsTable) {
  struct Case {
    std::string_view text;
    Environment want;
  };
  const Case cases[] = {
      {"FOO=bar\t#x", {{"FOO", "bar\t#x"}}},
      {"FOO=bar  # x", {{"FOO", "bar"}}},
      {"FOO=a #b #c", {{"FOO", "a"}}},
      {"FOO=#bar", {{"FOO", "#bar"}}},
      {"FOO= # not a comment", {{"FOO", "# not a comment"}}},
      {"FOO=\n# FOO2=x\nBAR=1", {{"FOO", ""}, {"BAR", "1"}}},
      {"FOO=bar # c\n# full line\n  # indented\nBAR='x' # c\nBAZ=\"y\"#c",
       {{"FOO", "bar"}, {"BAR", "x"}, {"BAZ", "y"}}},
      {"#FOO=1\n #BAR=2\n", {}},
      {"FOO=${X:-a}#b", {{"FOO", "a#b"}}},
  };
  for (const auto& c : cases) EXPECT_EQ(parse(c.text), c.want) << c.text;
  EXPECT_NE(dotenv_error("FOO # comment").find("unexpected character \"#\""), std::string::npos);
  EXPECT_NE(dotenv_error("FOO=${X:-a #b}").find("invalid interpolation format"), std::string::npos);
}

TEST(DotenvParse, QuotedValues) {
  EXPECT_EQ(value_of("FOO=\"bar\"", "FOO"), "bar");
  EXPECT_EQ(value_of("FOO='bar'", "FOO"), "bar");
  EXPECT_EQ(value_of("FOO=\"escaped\\\"bar\"", "FOO"), "escaped\"bar");
  EXPECT_EQ(value_of("FOO=\"\\\"quoted\\\"\"", "FOO"), "\"quoted\"");
  EXPECT_EQ(value_of("FOO=\"'d'\"", "FOO"), "'d'");
  EXPECT_EQ(value_of("FOO=\"bar#baz\"", "FOO"), "bar#baz");
  EXPECT_EQ(value_of("FOO=\"bar#baz\"#", "FOO"), "bar#baz");
  EXPECT_EQ(value_of("FOO=\"bar#baz\" # comment", "FOO"), "bar#baz");
  EXPECT_EQ(value_of("FOO='bar#baz' # comment", "FOO"), "bar#baz");
  EXPECT_EQ(value_of("FOO=\"bar#baz#bang\" # comment", "FOO"), "bar#baz#bang");
  EXPECT_EQ(value_of("FOO='a\\'b\\\\'", "FOO"), "a'b\\\\");                // single quotes: only \' loses its backslash
  EXPECT_EQ(parse("A=\"a\" B=2"), (Environment{{"A", "a"}, {"B", "2"}}));  // a statement may follow a quote
  EXPECT_EQ(parse("TEST_URLS=\"stratum+tcp://a:3333\nstratum+tcp://b:443\""),
            (Environment{{"TEST_URLS", "stratum+tcp://a:3333\nstratum+tcp://b:443"}}));
}

TEST(DotenvParse, DoubleQuotedEscapes) {
  EXPECT_EQ(value_of("FOO=\"bar\\nbaz\"", "FOO"), "bar\nbaz");
  EXPECT_EQ(value_of("FOO=\"a\\tb\"", "FOO"), "a\tb");
  EXPECT_EQ(value_of("KEY=\"Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z\"", "KEY"), "Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ");
  EXPECT_EQ(value_of("FOO=\"bar\\n\\ b\\az\"", "FOO"), "bar\n\\ b\az");
  EXPECT_EQ(value_of("FOO=\"bar\\\\\\n\\ b\\az\"", "FOO"), "bar\\\n\\ b\az");
  EXPECT_EQ(value_of("FOO=\"bar\\\\r\\ b\\az\"", "FOO"), "bar\\r\\ b\az");
  EXPECT_EQ(value_of("KEY=\"\\0123\"", "KEY"), "S");
  EXPECT_EQ(value_of("KEY=\"\\0377\"", "KEY"), "\xC3\xBF");  // a rune, UTF-8 encoded
  EXPECT_EQ(value_of("KEY=\"\\0400|\\08|\\01|\\0\"", "KEY"), "\\0400|\\08|\\01|\\0");
  EXPECT_EQ(value_of("KEY=\"\\x07\"", "KEY"), "\\x07");
  EXPECT_EQ(value_of("KEY=\"\\u12e4\"", "KEY"), "\\u12e4");
  EXPECT_EQ(value_of("KEY=\"\\U00101234\"", "KEY"), "\\U00101234");
  EXPECT_EQ(value_of("KEY=\"\\c\"", "KEY"), "\\c");
}

TEST(DotenvParse, Expansion) {
  EXPECT_EQ(parse("FOO=test\nBAR=$FOO"), (Environment{{"FOO", "test"}, {"BAR", "test"}}));
  EXPECT_EQ(parse("FOO=test\nBAR=${FOO}bar"), (Environment{{"FOO", "test"}, {"BAR", "testbar"}}));
  EXPECT_EQ(parse("BAR=$FOO"), (Environment{{"BAR", ""}}));
  EXPECT_EQ(parse("FOO=test\nBAR=\"quote $FOO\""), (Environment{{"FOO", "test"}, {"BAR", "quote test"}}));
  EXPECT_EQ(parse("BAR='quote $FOO'"), (Environment{{"BAR", "quote $FOO"}}));
  EXPECT_EQ(value_of("FOO=\"foo\\$BAR\"", "FOO"), "foo$BAR");
  EXPECT_EQ(value_of("FOO=\"foo\\${BAR}\"", "FOO"), "foo${BAR}");
  EXPECT_EQ(parse("FOO=test\nBAR=\"foo\\${FOO} ${FOO}\""), (Environment{{"FOO", "test"}, {"BAR", "foo${FOO} test"}}));
  EXPECT_EQ(parse("A=$$B ${U:-d}"), (Environment{{"A", "$B d"}}));
  // A key's own value is not replaced by the lookup; only references consult it first.
  EXPECT_EQ(parse("A=1\nB=$A", vars({{"A", "9"}})), (Environment{{"A", "1"}, {"B", "9"}}));
}

TEST(DotenvParse, BareKeys) {
  auto os_env = vars({{"FOO", "from-os"}, {"EMPTY", ""}});
  EXPECT_EQ(parse("FOO\nEMPTY\nMISSING\n", os_env), (Environment{{"FOO", "from-os"}, {"EMPTY", ""}}));
  EXPECT_EQ(parse("FOO=file\nMISSING\n", os_env), (Environment{{"FOO", "file"}}));
  EXPECT_EQ(parse("FOO", os_env), (Environment{{"FOO", "from-os"}}));  // last line without a newline
  EXPECT_EQ(parse("MISSING", os_env), Environment{});
}

TEST(DotenvParse, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(dotenv_error("lol$wut"), "t.env:1:4: unexpected character \"$\" in variable name \"lol$wut\"");
  EXPECT_EQ(dotenv_error("A=1\n\nMY KEY=1\n"), "t.env:3:1: key cannot contain a space");
  EXPECT_EQ(dotenv_error("A=1\nB=\"x\ny"), "t.env:2:3: unterminated quoted value \"x");
  EXPECT_EQ(dotenv_error("A=${B:?need B}"), "t.env:1:3: required variable B is missing a value: need B");
  EXPECT_EQ(dotenv_error("A=\"${B\""),
            "t.env:1:3: invalid interpolation format for \"${B\"; you may need to escape any $ with another $");
  EXPECT_EQ(dotenv_error("export "), "t.env:1:8: zero length string");
  EXPECT_EQ(dotenv_error("A=1\nB=${C:?x}", vars({{"C", "set"}})), "no error");
}

TEST(DotenvParse, UnterminatedQuotes) {
  for (std::string_view text : {"KEY=\"", "KEY=\"value", "KEY=\"value\\\"", "KEY=\"value'", "KEY='", "KEY='value",
                                "KEY='value\\'", "KEY='value\""}) {
    EXPECT_NE(dotenv_error(text).find("t.env:1:5: unterminated quoted value"), std::string::npos) << text;
  }
}

// ---- read_env_file ----

TEST(DotenvReadFile, DefaultFormatAndErrors) {
  TempDir dir;
  std::string file = write(dir, "app.env", "Q=\"x\"\nA:1\n");
  EXPECT_EQ(read_env_file(file, "", none()), (Environment{{"A", "1"}, {"Q", "x"}}));
  EXPECT_EQ(read_env_file(file, ".env", none()), (Environment{{"A", "1"}, {"Q", "x"}}));
  try {
    read_env_file(dir.path() + "/missing.env", "", none());
    FAIL() << "missing file read";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.path() + "/missing.env"), std::string::npos) << e.what();
  }
  try {
    read_env_file(file, "RAW", none());
    FAIL() << "unknown format accepted";
  } catch (const LoadError& e) {
    EXPECT_EQ(std::string(e.what()), file + ": unsupported env_file format \"RAW\"");
  }
}

TEST(DotenvReadFile, RawFormatTakesLinesLiterally) {
  TempDir dir;
  auto raw = [&](std::string_view content, const Lookup& lookup = none()) {
    return read_env_file(write(dir, "raw.env", content), "raw", lookup);
  };
  EXPECT_EQ(raw("Q=\"x\"\nA:1\n"), (Environment{{"Q", "\"x\""}}));
  EXPECT_EQ(raw("\xEF\xBB\xBF  K=v $HOME 'q' # not a comment  \r\n# comment\n\nE=\nH=a=b"),
            (Environment{{"K", "v $HOME 'q' # not a comment  "}, {"E", ""}, {"H", "a=b"}}));
  EXPECT_EQ(raw("BARE\nGONE\n", vars({{"BARE", "b"}})), (Environment{{"BARE", "b"}}));
  auto error = [&](std::string_view content) {
    try {
      raw(content);
      return std::string("no error");
    } catch (const LoadError& e) {
      return e.items()[0].message + " @" + std::to_string(e.items()[0].where.line);
    }
  };
  EXPECT_EQ(error("A=1\n=x\n"), "no variable name on line '=x' @2");
  EXPECT_EQ(error("export A=1"), "variable 'export A' contains whitespaces @1");
  EXPECT_EQ(error("A=1\nB=\xff\n"), "invalid utf8 bytes at line 2 @2");
}
