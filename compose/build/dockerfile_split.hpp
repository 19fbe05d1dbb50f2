#pragma once
// One Dockerfile instruction line (continuations already joined) taken apart as BuildKit's
// parser does (frontend/dockerfile/parser: split_command.go, line_parsers.go, the heredoc part
// of parser.go): keyword, leading `--flags`, the rest; the exec (JSON) form test; heredoc
// markers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<EOF`).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compose/build/dockerfile.hpp"

namespace berth::build {

struct SplitLine {
  std::string keyword;                  ///< as written ("run", "COPY")
  std::vector<std::string> flag_words;  ///< "--from=build", "--link": quotes and escapes removed
  std::string args;                     ///< the rest, trimmed
};

/// Splits at the first blank run; flags are the leading words that start with `--` (a lone
/// `--` ends them). `escape` escapes the next character inside a flag word.
SplitLine split_instruction_line(std::string_view line, char escape);

/// BuildKit's exec form test: `args` (leading blanks ignored) starts with `[` and is a valid
/// JSON array → its elements; otherwise nullopt (shell form). Throws std::invalid_argument
/// ("when using JSON array syntax, arrays must be comprised of strings only") for a JSON array
/// with an element that is not a string.
std::optional<std::vector<std::string>> parse_exec_form(std::string_view args);

/// A word that is a heredoc marker (`<<EOF`, `<<-"EOF"`, `3<<'x'`) → its name, expand and
/// strip_tabs (content empty); nullopt for any other word. Throws ExpandError on bad quoting.
std::optional<Heredoc> parse_heredoc_word(std::string_view word);

/// The heredoc markers of an instruction line, in order (BuildKit lexes the line keeping quotes
/// and escapes, then tests every word; a line it cannot lex has none). Throws ExpandError when a
/// marker's name cannot be lexed.
std::vector<Heredoc> heredoc_markers(std::string_view line);

/// Whitespace as Go's unicode.IsSpace sees it in ASCII.
inline bool dockerfile_is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/// `text` without leading and trailing whitespace.
std::string_view dockerfile_trim(std::string_view text);

/// Splits at runs of BuildKit's reWhitespace ([\t\v\f\r ]+), as its parseStringsWhitespaceDelimited.
std::vector<std::string> split_whitespace(std::string_view text);

}  // namespace berth::build
