#pragma once
// Variable expansion and word splitting of Dockerfile arguments, as BuildKit's shell lexer does
// it (moby/buildkit frontend/dockerfile/shell/lex.go): `$v ${v} ${v:-w} ${v-w} ${v:+w} ${v+w}
// ${v:?e} ${v?e} ${v#p} ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}`, single and double quotes,
// the escape character (`\` or the `escape` directive's), and quote removal. Patterns in
// `#`/`%`/`/` are BuildKit's globs: `*` and `?` (neither crosses a newline), `\*` `\?` `\\`
// literal, everything else (also `[`) literal.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace berth::build {

/// Looks a variable up; std::nullopt when it is not set (as opposed to set to "").
using VarLookup = std::function<std::optional<std::string>(const std::string&)>;

/// Thrown for `${v:?message}` with v unset/empty, or bad syntax (an unterminated `${`, a bad
/// modifier); what() is the message without location (the caller adds `Dockerfile:N`).
class ExpandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Expands variables in one word and removes its quotes: `"$a"b'$c'` with a=x → `xb$c`.
std::string expand_word(std::string_view word, const VarLookup& vars, char escape = '\\');

/// Splits `text` into words at unquoted whitespace, expanding variables and removing quotes in
/// each. As BuildKit's ProcessWords (used for EXPOSE), an unquoted variable's value is split at
/// its whitespace too; a quoted one is not.
std::vector<std::string> expand_words(std::string_view text, const VarLookup& vars, char escape = '\\');

/// Only expands variables, keeping quotes as they are (BuildKit's SkipProcessQuotes, used for
/// COPY/ADD heredoc bodies that are expanded); the escape character still escapes the next one.
std::string expand_only(std::string_view text, const VarLookup& vars, char escape = '\\');

/// The switches of BuildKit's Lex, for callers that need one of its other modes (the parser's
/// heredoc detection keeps quotes and escapes and leaves unset variables as written).
struct LexOptions {
  bool raw_quotes = false;           ///< keep the quote characters in the result
  bool raw_escapes = false;          ///< keep the escape characters in the result
  bool skip_process_quotes = false;  ///< quotes are ordinary characters
  bool skip_unset_env = false;       ///< `$v` / `${v...}` with v unset stay as written
};

struct LexResult {
  std::string word;                ///< the whole text processed (ProcessWord)
  std::vector<std::string> words;  ///< split at unquoted whitespace (ProcessWords)
};

/// The general form of the three functions above.
LexResult lex(std::string_view text, const VarLookup& vars, char escape, const LexOptions& options);

}  // namespace berth::build
