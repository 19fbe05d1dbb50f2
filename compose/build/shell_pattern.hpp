#pragma once
// The patterns of `${v#p} ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}` as BuildKit evaluates them
// (frontend/dockerfile/shell/lex.go turns them into Go regular expressions): `*` is any run and
// `?` any one character, neither matching a newline; `\*`, `\?`, `\\` are literal, `\}` and `\/`
// are `}` and `/`; every other character (also `[`) is literal.
#include <string>
#include <string_view>

namespace berth::build {

/// `${v#p}` (shortest) / `${v##p}` (longest): `value` without the prefix `pattern` matches.
/// Throws ExpandError for a bad escape in `pattern`.
std::string trim_prefix_pattern(std::string_view pattern, const std::string& value, bool longest);

/// `${v%p}` / `${v%%p}`: the same at the end of `value`.
std::string trim_suffix_pattern(std::string_view pattern, const std::string& value, bool longest);

/// `${v/p/r}` (first match) / `${v//p/r}` (every match, with Go's ReplaceAllString: `$0` in
/// `replacement` is the match, `$$` a `$`, other `$name` nothing).
std::string replace_pattern(std::string_view pattern, const std::string& value, const std::string& replacement,
                            bool all);

}  // namespace berth::build
