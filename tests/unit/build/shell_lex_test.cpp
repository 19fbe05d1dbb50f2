// The Dockerfile shell lexer (compose/build/shell_lex.cpp) against the behaviour of BuildKit's
// frontend/dockerfile/shell/lex.go: quoting, escapes, every substitution form with the variable
// set, set-but-empty and unset, glob patterns, word splitting and the error texts.
#include "compose/build/shell_lex.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace berth::build;

namespace {

VarLookup shell_lex_vars() {
  static const std::map<std::string, std::string> vars{{"PWD", "/home"},
                                                       {"EMPTY", ""},
                                                       {"FILE", "archive.tar.gz"},
                                                       {"PATHV", "/usr/local/bin"},
                                                       {"SPACE", "abc  def"},
                                                       {"LEAD", "  ab c"},
                                                       {"KOREAN", "\xED\x95\x9C\xEA\xB5\xAD"},
                                                       {"ML", "ab\ncd"}};
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string shell_lex_word(std::string_view word, char escape = '\\') {
  try {
    return expand_word(word, shell_lex_vars(), escape);
  } catch (const ExpandError& e) {
    return std::string("error: ") + e.what();
  }
}

struct ShellLexCase {
  const char* input;
  const char* expected;
};

void shell_lex_check(const std::vector<ShellLexCase>& cases) {
  for (const auto& c : cases) EXPECT_EQ(shell_lex_word(c.input), c.expected) << "input: " << c.input;
}

bool shell_lex_fails(std::string_view word) { return shell_lex_word(word).starts_with("error: "); }

}  // namespace

TEST(ShellLex, QuotesAndEscapes) {
  shell_lex_check({
      {"hello", "hello"},
      {"he'll'o", "hello"},
      {"he\\'llo", "he'llo"},
      {"abc\\tdef", "abctdef"},
      {"\"abc\\tdef\"", "abc\\tdef"},
      {"\"abc\\\\tdef\"", "abc\\tdef"},
      {"'abc\\tdef'", "abc\\tdef"},
      {"hello\\", "hello"},
      {"hello\\\\", "hello\\"},
      {"\"hel'lo\"", "hel'lo"},
      {"'hello\\'", "hello\\"},
      {"\"''\"", "''"},
      {"he\\$PWD", "he$PWD"},
      {"he\\\\$PWD", "he\\/home"},
      {"\"he\\$PWD\"", "he$PWD"},
      {"'$PWD'", "$PWD"},
      {"\"$PWD\"", "/home"},
      {"a\"b c\"d", "ab cd"},
  });
  for (const char* bad : {"he'llo", "he\\\\'llo", "\"hello", "\"hello\\\"", "'hello"}) {
    EXPECT_TRUE(shell_lex_fails(bad)) << bad;
  }
  EXPECT_EQ(shell_lex_word("\"hello"),
            "error: failed to process \"\\\"hello\": unexpected end of statement while "
            "looking for matching double-quote");
}

TEST(ShellLex, PlainVariables) {
  shell_lex_check({
      {"$.", "$."},
      {"he$1x", "hex"},
      {"he$.x", "he$.x"},
      {"he$PWD", "he/home"},
      {"he${PWD}x", "he/homex"},
      {"he${hi}xx", "hexx"},
      {"$EMPTY|", "|"},
      {"$", "$"},
      {"${KOREAN}", "\xED\x95\x9C\xEA\xB5\xAD"},
      {"\\${}", "${}"},
      {"$@x", "x"},
  });
  for (const char* bad : {"${}", "he${}xx", "${", "${PWD", "${:}", "${{}"}) EXPECT_TRUE(shell_lex_fails(bad)) << bad;
  EXPECT_EQ(shell_lex_word("${"), "error: failed to process \"${\": syntax error: missing '}'");
  EXPECT_EQ(shell_lex_word("${}"), "error: failed to process \"${}\": syntax error: bad substitution");
}

TEST(ShellLex, DefaultAndAlternativeForms) {
  shell_lex_check({
      // set
      {"${PWD:-x}", "/home"},
      {"${PWD-x}", "/home"},
      {"${PWD:+x}", "x"},
      {"${PWD+x}", "x"},
      // set but empty
      {"${EMPTY:-x}", "x"},
      {"${EMPTY-x}", ""},
      {"${EMPTY:+x}", ""},
      {"${EMPTY+x}", "x"},
      // unset
      {"${UNSET:-x}", "x"},
      {"${UNSET-x}", "x"},
      {"${UNSET:+x}", ""},
      {"${UNSET+x}", ""},
      // nested words are lexed too
      {"${UNSET:-$PWD}", "/home"},
      {"${UNSET:-'a b'}", "a b"},
      {"${UNSET:-\"$PWD x\"}", "/home x"},
      {"${UNSET:-a\\}b}", "a}b"},
      {"${UNSET:-}", ""},
  });
}

TEST(ShellLex, RequiredForms) {
  EXPECT_EQ(shell_lex_word("${PWD:?x}"), "/home");
  EXPECT_EQ(shell_lex_word("${PWD?x}"), "/home");
  EXPECT_EQ(shell_lex_word("${EMPTY?x}"), "");
  EXPECT_EQ(shell_lex_word("${EMPTY:?}"), "error: failed to process \"${EMPTY:?}\": EMPTY: is not allowed to be empty");
  EXPECT_EQ(shell_lex_word("${EMPTY:?need it}"), "error: failed to process \"${EMPTY:?need it}\": EMPTY: need it");
  EXPECT_EQ(shell_lex_word("${UNSET?}"), "error: failed to process \"${UNSET?}\": UNSET: is not allowed to be unset");
  EXPECT_EQ(shell_lex_word("${UNSET:?no}"), "error: failed to process \"${UNSET:?no}\": UNSET: no");
}

TEST(ShellLex, PrefixAndSuffixPatterns) {
  shell_lex_check({
      {"${FILE#*.}", "tar.gz"},
      {"${FILE##*.}", "gz"},
      {"${FILE%.*}", "archive.tar"},
      {"${FILE%%.*}", "archive"},
      {"${FILE#archive}", ".tar.gz"},
      {"${FILE#nomatch}", "archive.tar.gz"},
      {"${FILE%?z}", "archive.tar."},
      {"${FILE#a?c}", "hive.tar.gz"},
      {"${PATHV#/*/}", "local/bin"},
      {"${PATHV##/*/}", "bin"},
      {"${PATHV%/*}", "/usr/local"},
      {"${PATHV%%/*}", ""},
      {"${FILE#[a]}", "archive.tar.gz"},  // `[` is literal, as in BuildKit
      {"${EMPTY#*}", ""},
      {"${UNSET%%x}", ""},
      {"${FILE#\\*}", "archive.tar.gz"},
      {"${ML#*b}", "\ncd"},
      {"${ML##*}", "\ncd"},  // `*` does not cross a newline
      {"${ML%%c*}", "ab\n"},
      {"${KOREAN%?}", "\xED\x95\x9C"},  // `?` is one UTF-8 character
  });
  EXPECT_EQ(shell_lex_word("${FILE:#x}"),
            "error: failed to process \"${FILE:#x}\": unsupported modifier (:#) in "
            "substitution");
  EXPECT_TRUE(shell_lex_fails("${FILE#\\x}"));
}

TEST(ShellLex, ReplacePatterns) {
  shell_lex_check({
      {"${FILE/a/A}", "Archive.tar.gz"},
      {"${FILE//a/A}", "Archive.tAr.gz"},
      {"${FILE/.*/}", "archive"},  // greedy
      {"${FILE//?/x}", "xxxxxxxxxxxxxx"},
      {"${FILE/nomatch/x}", "archive.tar.gz"},
      {"${PATHV//\\//:}", ":usr:local:bin"},
      {"${FILE/tar/\\}}", "archive.\\}.gz"},
      {"${FILE//r/$PWD}", "a/homechive.ta/home.gz"},
      {"${UNSET/a/b}", ""},
      {"${FILE//a/<$0>}", "<>rchive.t<>r.gz"},          // $0 is expanded (unset) before the replacement is used
      {"${FILE//a/<\\$0>}", "<\\a>rchive.t<\\a>r.gz"},  // Go's ReplaceAllString then sees `$0`
  });
  EXPECT_EQ(shell_lex_word("${FILE/a"), "error: failed to process \"${FILE/a\": syntax error: missing '/' in ${}");
  EXPECT_EQ(shell_lex_word("${FILE/a/b"), "error: failed to process \"${FILE/a/b\": syntax error: missing '}'");
}

TEST(ShellLex, UnsupportedModifiers) {
  EXPECT_EQ(shell_lex_word("${PWD:x}"),
            "error: failed to process \"${PWD:x}\": unsupported modifier (:x) in "
            "substitution");
  EXPECT_EQ(shell_lex_word("${PWD!}"),
            "error: failed to process \"${PWD!}\": unsupported modifier (!) in "
            "substitution");
}

TEST(ShellLex, BacktickEscape) {
  EXPECT_EQ(shell_lex_word("a`$PWD", '`'), "a$PWD");
  EXPECT_EQ(shell_lex_word("C:\\dir", '`'), "C:\\dir");
  EXPECT_EQ(shell_lex_word("\"a`\"b\"", '`'), "a\"b");
  EXPECT_EQ(shell_lex_word("``", '`'), "`");
}

TEST(ShellLex, WordsSplitUnquotedValues) {
  VarLookup vars = shell_lex_vars();
  using Words = std::vector<std::string>;
  EXPECT_EQ(expand_words("hello there  you", vars), (Words{"hello", "there", "you"}));
  EXPECT_EQ(expand_words("hello${SPACE}bye", vars), (Words{"helloabc", "defbye"}));
  EXPECT_EQ(expand_words("hello\"${SPACE}\"bye", vars), (Words{"helloabc  defbye"}));
  EXPECT_EQ(expand_words("hello${LEAD}", vars), (Words{"hello", "ab", "c"}));
  EXPECT_EQ(expand_words("hello\\ there", vars), (Words{"hello there"}));
  EXPECT_EQ(expand_words("hello\\\" there", vars), (Words{"hello\"", "there"}));
  EXPECT_EQ(expand_words("'' \"\" x", vars), (Words{"x"}));
  EXPECT_EQ(expand_words("", vars), Words{});
  EXPECT_THROW(expand_words("hello\" there", vars), ExpandError);
}

TEST(ShellLex, ExpandOnlyKeepsQuotes) {
  VarLookup vars = shell_lex_vars();
  EXPECT_EQ(expand_only("echo \"$PWD\" '$PWD'", vars), "echo \"/home\" '/home'");
  EXPECT_EQ(expand_only("a \\$PWD", vars), "a $PWD");
  EXPECT_EQ(expand_only("x ${UNSET:-d}", vars), "x d");
}

TEST(ShellLex, SkipUnsetKeepsTheReference) {
  LexOptions options;
  options.skip_unset_env = true;
  VarLookup vars = shell_lex_vars();
  EXPECT_EQ(lex("$PWD $UNSET ${UNSET} ${UNSET:-x} ${UNSET/a/b}", vars, '\\', options).word,
            "/home $UNSET ${UNSET} ${UNSET:-x} ${UNSET/a/b}");
  options.raw_quotes = true;
  options.raw_escapes = true;
  EXPECT_EQ(lex("<<\"EOF\" a\\ b", vars, '\\', options).words, (std::vector<std::string>{"<<\"EOF\"", "a\\ b"}));
  EXPECT_EQ(lex("cat << EOF", vars, '\\', options).words, (std::vector<std::string>{"cat", "<< EOF"}));
}
