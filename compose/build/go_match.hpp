#pragma once
// Go's path/filepath.Match on Linux, for the two places the builder needs its exact syntax: a
// COPY/ADD source glob (matched one path element at a time) and the syntax check moby's
// patternmatcher runs on every .dockerignore pattern.
#include <cstddef>
#include <string_view>
#include <utility>

namespace berth::build {

enum class GoMatch { no, yes, bad_pattern };

/// filepath.Match(pattern, name): `*` any run of non-'/' bytes, `?` one non-'/' character,
/// `[...]`/`[^...]` a class of characters and ranges, `\` escaping the next character.
/// bad_pattern where Go returns ErrBadPattern (an unterminated or empty class, a trailing `\`, a
/// bad range).
GoMatch go_match(std::string_view pattern, std::string_view name);

/// Whether Go would report ErrBadPattern for `pattern` (whatever the name).
inline bool go_pattern_valid(std::string_view pattern) { return go_match(pattern, ".") != GoMatch::bad_pattern; }

/// utf8.DecodeRuneInString: the first rune of `s` and its width in bytes; an invalid byte is
/// U+FFFD of width 1 (as Go's regexp and filepath.Match see it), "" is width 0.
std::pair<char32_t, std::size_t> go_decode_rune(std::string_view s);

/// Whether `text` has a character Match treats specially (`*`, `?`, `[`, `\`).
bool has_glob_meta(std::string_view text) noexcept;

}  // namespace berth::build
