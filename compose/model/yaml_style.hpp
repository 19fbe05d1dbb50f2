#pragma once
// go-yaml v3's choice of scalar style for a string, and the UTF-8 character classes its emitter
// uses (yamlprivateh.go). Internal to compose/model: the YAML printer (yaml_emit.cpp) uses it.
#include <cstddef>
#include <string_view>

namespace berth::model::yaml {

// ---- character classes (go-yaml yamlprivateh.go), over UTF-8 bytes ----

inline std::size_t width(unsigned char c) {
  if ((c & 0x80) == 0x00) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;  // invalid lead byte: step over it rather than loop forever
}

inline unsigned char at(std::string_view s, std::size_t i) {
  return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
}

inline bool is_space(std::string_view s, std::size_t i) { return at(s, i) == ' '; }
inline bool is_tab(std::string_view s, std::size_t i) { return at(s, i) == '\t'; }
inline bool is_blank(std::string_view s, std::size_t i) { return is_space(s, i) || is_tab(s, i); }

inline bool is_break(std::string_view s, std::size_t i) {
  auto c = at(s, i);
  return c == '\r' || c == '\n' || (c == 0xC2 && at(s, i + 1) == 0x85) ||
         (c == 0xE2 && at(s, i + 1) == 0x80 && (at(s, i + 2) == 0xA8 || at(s, i + 2) == 0xA9));
}

inline bool is_blankz(std::string_view s, std::size_t i) {
  return is_blank(s, i) || is_break(s, i) || i >= s.size() || at(s, i) == 0;
}

inline bool is_printable(std::string_view s, std::size_t i) {
  auto c = at(s, i), c1 = at(s, i + 1), c2 = at(s, i + 2);
  return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c == 0xC2 && c1 >= 0xA0) || (c > 0xC2 && c < 0xED) ||
         (c == 0xED && c1 < 0xA0) || c == 0xEE ||
         (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)));
}

inline bool is_bom(std::string_view s, std::size_t i) {
  return at(s, i) == 0xEF && at(s, i + 1) == 0xBB && at(s, i + 2) == 0xBF;
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// How go-yaml writes a string scalar.
enum class Style { Plain, SingleQuoted, DoubleQuoted, Literal };

/// The style go-yaml v3 gives string `s` in block context; `simple_key` for mapping keys.
Style string_style(std::string_view s, bool simple_key);

}  // namespace berth::model::yaml
