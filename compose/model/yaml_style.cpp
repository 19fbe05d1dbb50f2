// Which style go-yaml v3 gives a string, in two steps as go-yaml takes them: encode.go asks
// resolve.go whether the text, written plain, would read back as something else than a string (a
// number, bool, null or timestamp; or a YAML 1.1 bool or base-60 number, which v3 still avoids):
// then it asks for double quotes. Then the emitter's analysis of the characters may still refuse
// plain style (a leading "- ", ": " inside, a trailing space, ...): then single quotes, or double
// quotes when single ones cannot hold the text. Text with a line break asks for a literal block.
#include "compose/model/yaml_style.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace berth::model::yaml {

namespace {

// ---- resolve.go: would this text, written plain, read back as something else than a string? ----

/// Go's strconv.ParseInt/ParseUint with base 0 (sign, 0x/0o/0b prefixes, legacy leading-0 octal).
bool parses_as_go_integer(std::string_view s) {
  bool sign = !s.empty() && (s[0] == '+' || s[0] == '-');
  if (sign) s.remove_prefix(1);
  if (s.empty()) return false;
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x')
      base = 16, s.remove_prefix(2);
    else if (p == 'o')
      base = 8, s.remove_prefix(2);
    else if (p == 'b')
      base = 2, s.remove_prefix(2);
    else
      base = 8, s.remove_prefix(1);
    if (s.empty()) return false;
  }
  // Values too large for int64 and uint64 fail in Go too; then the float test may still match.
  std::uint64_t v = 0;
  for (char c : s) {
    int d = is_digit(c) ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : 99;
    if (d >= base) return false;
    auto b = static_cast<std::uint64_t>(base), digit = static_cast<std::uint64_t>(d);
    if (v > (UINT64_MAX - digit) / b) return false;
    v = v * b + digit;
  }
  return true;
}

/// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool is_yaml_style_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return false;
  } else {
    std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) ++i;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

/// Reads 1-2 digits (Go's time.Parse for "1", "2", "15", "4", "5" layout elements).
bool take_number(std::string_view s, std::size_t& i, int& out, int max_digits = 2) {
  std::size_t start = i;
  out = 0;
  while (i < s.size() && is_digit(s[i]) && i - start < static_cast<std::size_t>(max_digits))
    out = out * 10 + (s[i++] - '0');
  return i > start;
}

/// go-yaml's parseTimestamp: "2006-1-2", "2006-1-2 15:4:5.999999999",
/// "2006-1-2T15:4:5.999999999Z07:00" (also with a lower-case t).
bool is_timestamp(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i != 4 || i == s.size() || s[i] != '-') return false;
  ++i;
  int month = 0, day = 0;
  if (!take_number(s, i, month) || month < 1 || month > 12) return false;
  if (i >= s.size() || s[i++] != '-') return false;
  if (!take_number(s, i, day) || day < 1 || day > 31) return false;
  if (i == s.size()) return true;
  char sep = s[i++];
  if (sep != 'T' && sep != 't' && sep != ' ') return false;
  int h = 0, m = 0, sec = 0;
  if (!take_number(s, i, h) || h > 23 || i >= s.size() || s[i++] != ':') return false;
  if (!take_number(s, i, m) || m > 59 || i >= s.size() || s[i++] != ':') return false;
  if (!take_number(s, i, sec) || sec > 59) return false;
  if (i < s.size() && s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return false;
  }
  if (sep == ' ') return i == s.size();
  if (i < s.size() && s[i] == 'Z') return i + 1 == s.size();
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    ++i;
    int zh = 0, zm = 0;
    std::size_t start = i;
    if (!take_number(s, i, zh) || i - start != 2 || i >= s.size() || s[i++] != ':') return false;
    start = i;
    return take_number(s, i, zm) && i - start == 2 && i == s.size();
  }
  return false;
}

bool resolves_to_string(std::string_view s) {
  if (s.empty()) return false;  // null
  static const std::vector<std::string_view> special = {
      "true", "True", "TRUE", "false", "False", "FALSE", "~",     "null",  "Null",  "NULL",  ".nan",
      ".NaN", ".NAN", ".inf", ".Inf",  ".INF",  "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"};
  char c = s[0];
  bool hinted = c == '+' || c == '-' || c == '.' || is_digit(c) ||
                std::string_view("yYnNtTfFoO~").find(c) != std::string_view::npos;
  if (!hinted) return true;
  if (std::find(special.begin(), special.end(), s) != special.end()) return false;
  if (c == '.') {
    std::size_t i = 1;
    while (i < s.size() && is_digit(s[i])) ++i;
    return !(i > 1 && is_yaml_style_float(s));
  }
  if (c == '+' || c == '-' || is_digit(c)) {
    if (is_timestamp(s)) return false;
    std::string plain;
    for (char ch : s)
      if (ch != '_') plain += ch;
    if (parses_as_go_integer(plain) || is_yaml_style_float(plain)) return false;
  }
  return true;
}

/// YAML 1.1 booleans that go-yaml v3 still quotes for the sake of YAML 1.1 readers.
bool is_old_bool(std::string_view s) {
  static const std::vector<std::string_view> words = {"y", "Y", "yes", "Yes", "YES", "on",  "On",  "ON",
                                                      "n", "N", "no",  "No",  "NO",  "off", "Off", "OFF"};
  return std::find(words.begin(), words.end(), s) != words.end();
}

/// ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ (YAML 1.1 sexagesimal numbers, "12:30").
bool is_base60_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i >= s.size() || !is_digit(s[i])) return false;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  int groups = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    if (i < s.size() && s[i] >= '0' && s[i] <= '5' && i + 1 < s.size() && is_digit(s[i + 1]))
      i += 2;
    else if (i < s.size() && is_digit(s[i]))
      i += 1;
    else
      return false;
    ++groups;
  }
  if (groups == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  }
  return i == s.size();
}

// ---- emitterc.go: what the characters allow ----

struct Analysis {
  bool multiline = false;
  bool block_plain_allowed = true;
  bool single_quoted_allowed = true;
  bool block_allowed = true;
};

/// yaml_emitter_analyze_scalar (flow context never happens here: only block collections).
Analysis analyze(std::string_view v) {
  Analysis a;
  if (v.empty()) {
    a.block_allowed = false;
    return a;
  }
  bool block_indicators = false, line_breaks = false, special = false, tabs = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false, previous_space = false, previous_break = false;
  if (v.size() >= 3 && (v.substr(0, 3) == "---" || v.substr(0, 3) == "...")) block_indicators = true;
  bool preceded_by_whitespace = true;
  for (std::size_t i = 0, w = 0; i < v.size(); i += w) {
    w = width(at(v, i));
    bool followed_by_whitespace = i + w >= v.size() || is_blank(v, i + w);
    char c = v[i];
    if (i == 0) {
      switch (c) {
        case '#':
        case ',':
        case '[':
        case ']':
        case '{':
        case '}':
        case '&':
        case '*':
        case '!':
        case '|':
        case '>':
        case '\'':
        case '"':
        case '%':
        case '@':
        case '`':
          block_indicators = true;
          break;
        case '?':
        case ':':
        case '-':
          if (followed_by_whitespace) block_indicators = true;
          break;
        default:
          break;
      }
    } else if ((c == ':' && followed_by_whitespace) || (c == '#' && preceded_by_whitespace)) {
      block_indicators = true;
    }
    if (c == '\t')
      tabs = true;
    else if (!is_printable(v, i))
      special = true;
    if (is_space(v, i)) {
      if (i == 0) leading_space = true;
      if (i + w == v.size()) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (is_break(v, i)) {
      line_breaks = true;
      if (i == 0) leading_break = true;
      if (i + w == v.size()) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = previous_break = false;
    }
    preceded_by_whitespace = is_blankz(v, i);
  }
  a.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break) a.block_plain_allowed = false;
  if (trailing_space) a.block_allowed = false;
  if (break_space) a.block_plain_allowed = a.single_quoted_allowed = false;
  if (space_break || tabs || special) a.block_plain_allowed = a.single_quoted_allowed = false;
  if (space_break || special) a.block_allowed = false;
  if (line_breaks) a.block_plain_allowed = false;
  if (block_indicators) a.block_plain_allowed = false;
  return a;
}

}  // namespace

// encode.go's stringv, then yaml_emitter_select_scalar_style.
Style string_style(std::string_view s, bool simple_key) {
  Analysis a = analyze(s);
  bool can_use_plain = resolves_to_string(s) && !is_base60_float(s) && !is_old_bool(s);
  Style style = s.find('\n') != std::string_view::npos ? Style::Literal
                : can_use_plain                        ? Style::Plain
                                                       : Style::DoubleQuoted;
  if (simple_key && a.multiline) style = Style::DoubleQuoted;
  if (style == Style::Plain && (!a.block_plain_allowed || (s.empty() && simple_key))) style = Style::SingleQuoted;
  if (style == Style::SingleQuoted && !a.single_quoted_allowed) style = Style::DoubleQuoted;
  if (style == Style::Literal && (!a.block_allowed || simple_key)) style = Style::DoubleQuoted;
  return style;
}

}  // namespace berth::model::yaml
