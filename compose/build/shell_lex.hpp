#pragma once
// Variable expansion and word splitting of Dockerfile arguments, as BuildKit's shell lexer does
// it (moby/buildkit frontend/dockerfile/shell/lex.go): `$v ${v} ${v:-w} ${v-w} ${v:+w} ${v+w}
// ${v:?e} ${v?e} ${v#p} ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}`, single and double quotes,
// the escape character (`\` or the `escape` directive's), and quote removal. Patterns in
// `#`/`%`/`/` are shell globs (`*`, `?`, `[...]`).
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
/// each (a variable's value is not split again, as BuildKit's ProcessWords). `ENV a="x y" b=z`
/// style arguments: see split_key_values.
std::vector<std::string> expand_words(std::string_view text, const VarLookup& vars, char escape = '\\');

/// Only expands variables, keeping quotes and escapes as they are (for heredoc bodies that are
/// expanded, and for the parts BuildKit expands without word processing).
std::string expand_only(std::string_view text, const VarLookup& vars, char escape = '\\');

}  // namespace berth::build
