// A YAML printer that reproduces go-yaml v3 (v3.0.1, the version docker compose uses) byte for
// byte for the trees `berth config` prints, with a 2-space indent and no line folding (v3 sets
// best_width to "infinite").
//
// It keeps go-yaml's emitter state (column, `whitespace`, `indention`, the indent stack) and calls
// the same primitives in the same order go-yaml's state machine does for block collections, so
// layout quirks come out the same: sequences indented under their key, a mapping in a sequence
// item starting on the dash's line, `key: {}` for empty collections, the literal-block header
// `|2-` when the text starts with a space or newline.
//
// Which style a string gets is go-yaml's two-step decision: encode.go asks resolve.go whether the
// text would read back as something else than a string (a number, bool, null, timestamp, YAML 1.1
// bool or base-60 float: then double quotes); then the emitter's analysis of the characters may
// still refuse plain style (leading "- ", ": " inside, trailing space ...: then single quotes, or
// double quotes when single ones cannot hold it).
#include "compose/model/yaml_emit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "compose/model/go_format.hpp"

namespace berth::model {

namespace {

using Tree = nlohmann::ordered_json;

// ---- character classes (go-yaml yamlprivateh.go), over UTF-8 bytes ----

std::size_t width(unsigned char c) {
  if ((c & 0x80) == 0x00) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;  // invalid lead byte: step over it rather than loop forever
}

unsigned char at(std::string_view s, std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0; }

bool is_space(std::string_view s, std::size_t i) { return at(s, i) == ' '; }
bool is_tab(std::string_view s, std::size_t i) { return at(s, i) == '\t'; }
bool is_blank(std::string_view s, std::size_t i) { return is_space(s, i) || is_tab(s, i); }

bool is_break(std::string_view s, std::size_t i) {
  auto c = at(s, i);
  return c == '\r' || c == '\n' || (c == 0xC2 && at(s, i + 1) == 0x85) ||
         (c == 0xE2 && at(s, i + 1) == 0x80 && (at(s, i + 2) == 0xA8 || at(s, i + 2) == 0xA9));
}

bool is_blankz(std::string_view s, std::size_t i) { return is_blank(s, i) || is_break(s, i) || i >= s.size() || at(s, i) == 0; }

bool is_printable(std::string_view s, std::size_t i) {
  auto c = at(s, i), c1 = at(s, i + 1), c2 = at(s, i + 2);
  return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c == 0xC2 && c1 >= 0xA0) || (c > 0xC2 && c < 0xED) ||
         (c == 0xED && c1 < 0xA0) || c == 0xEE ||
         (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)));
}

bool is_bom(std::string_view s, std::size_t i) { return at(s, i) == 0xEF && at(s, i + 1) == 0xBB && at(s, i + 2) == 0xBF; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// ---- resolve.go: would this text, written plain, read back as something else than a string? ----

/// Go's strconv.ParseInt/ParseUint with base 0 (sign, 0x/0o/0b prefixes, legacy leading-0 octal).
bool parses_as_go_integer(std::string_view s) {
  bool sign = !s.empty() && (s[0] == '+' || s[0] == '-');
  if (sign) s.remove_prefix(1);
  if (s.empty()) return false;
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x') base = 16, s.remove_prefix(2);
    else if (p == 'o') base = 8, s.remove_prefix(2);
    else if (p == 'b') base = 2, s.remove_prefix(2);
    else base = 8, s.remove_prefix(1);
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
  while (i < s.size() && is_digit(s[i]) && i - start < static_cast<std::size_t>(max_digits)) out = out * 10 + (s[i++] - '0');
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
      "true",  "True",  "TRUE",  "false", "False", "FALSE", "~",     "null",  "Null",  "NULL",
      ".nan",  ".NaN",  ".NAN",  ".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf", "+.INF", "-.inf",
      "-.Inf", "-.INF"};
  char c = s[0];
  bool hinted = c == '+' || c == '-' || c == '.' || is_digit(c) || std::string_view("yYnNtTfFoO~").find(c) != std::string_view::npos;
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
  static const std::vector<std::string_view> words = {"y",  "Y",  "yes", "Yes", "YES", "on",  "On",  "ON",
                                                      "n",  "N",  "no",  "No",  "NO",  "off", "Off", "OFF"};
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
    if (i < s.size() && s[i] >= '0' && s[i] <= '5' && i + 1 < s.size() && is_digit(s[i + 1])) i += 2;
    else if (i < s.size() && is_digit(s[i])) i += 1;
    else return false;
    ++groups;
  }
  if (groups == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  }
  return i == s.size();
}

// ---- emitterc.go ----

enum class Style { Plain, SingleQuoted, DoubleQuoted, Literal };

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
        case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*': case '!':
        case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
          block_indicators = true;
          break;
        case '?': case ':': case '-':
          if (followed_by_whitespace) block_indicators = true;
          break;
        default:
          break;
      }
    } else if ((c == ':' && followed_by_whitespace) || (c == '#' && preceded_by_whitespace)) {
      block_indicators = true;
    }
    if (c == '\t') tabs = true;
    else if (!is_printable(v, i)) special = true;
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

/// encode.go's stringv, then yaml_emitter_select_scalar_style.
Style string_style(std::string_view s, bool simple_key, const Analysis& a) {
  bool can_use_plain = resolves_to_string(s) && !is_base60_float(s) && !is_old_bool(s);
  Style style = s.find('\n') != std::string_view::npos ? Style::Literal
                : can_use_plain                         ? Style::Plain
                                                        : Style::DoubleQuoted;
  if (simple_key && a.multiline) style = Style::DoubleQuoted;
  if (style == Style::Plain && (!a.block_plain_allowed || (s.empty() && simple_key))) style = Style::SingleQuoted;
  if (style == Style::SingleQuoted && !a.single_quoted_allowed) style = Style::DoubleQuoted;
  if (style == Style::Literal && (!a.block_allowed || simple_key)) style = Style::DoubleQuoted;
  return style;
}

class Emitter {
 public:
  std::string out;

  void document(const Tree& root) {
    emit_node(root, /*simple_key=*/false);
    write_indent();  // document end: finish the last line
    if (m_open_ended) {
      write_indicator("...", true, false, false);
      write_indent();
    }
  }

 private:
  static constexpr int kBestIndent = 2;
  int m_indent = -1;
  std::vector<int> m_indents;
  std::size_t m_column = 0;
  bool m_whitespace = true;
  bool m_indention = true;
  bool m_open_ended = false;

  void put(char c) {
    out += c;
    ++m_column;
  }

  void put_break() {
    out += '\n';
    m_column = 0;
    m_indention = true;
  }

  /// Copies one UTF-8 character, counting it as one column.
  void write(std::string_view s, std::size_t& i) {
    std::size_t w = std::min(width(at(s, i)), s.size() - i);
    out.append(s.substr(i, w));
    ++m_column;
    i += w;
  }

  void write_break(std::string_view s, std::size_t& i) {
    if (s[i] == '\n') {
      put_break();
      ++i;
    } else {
      write(s, i);
      m_column = 0;
      m_indention = true;
    }
  }

  void write_indent() {
    std::size_t indent = static_cast<std::size_t>(std::max(m_indent, 0));
    if (!m_indention || m_column > indent || (m_column == indent && !m_whitespace)) put_break();
    while (m_column < indent) put(' ');
    m_whitespace = true;
  }

  void write_indicator(std::string_view indicator, bool need_whitespace, bool is_whitespace, bool is_indention) {
    if (need_whitespace && !m_whitespace) put(' ');
    for (std::size_t i = 0; i < indicator.size();) write(indicator, i);
    m_whitespace = is_whitespace;
    m_indention = m_indention && is_indention;
    m_open_ended = false;
  }

  void increase_indent(bool flow) {
    m_indents.push_back(m_indent);
    if (m_indent < 0) m_indent = flow ? kBestIndent : 0;
    else m_indent += kBestIndent;
  }

  void pop_indent() {
    m_indent = m_indents.back();
    m_indents.pop_back();
  }

  void emit_node(const Tree& v, bool simple_key) {
    if (v.is_object() && !v.empty()) return block_mapping(v);
    if (v.is_array() && !v.empty()) return block_sequence(v);
    if (v.is_object() || v.is_array()) {
      bool map = v.is_object();
      write_indicator(map ? "{" : "[", true, true, false);
      increase_indent(true);
      pop_indent();
      write_indicator(map ? "}" : "]", false, false, false);
      return;
    }
    scalar(v, simple_key);
  }

  void block_mapping(const Tree& map) {
    increase_indent(false);
    for (const auto& [key, value] : map.items()) {
      write_indent();
      // check_simple_key: a key longer than 128 bytes or spanning lines needs the `? key` form.
      if (key.size() <= 128 && key.find('\n') == std::string::npos) {
        string_scalar(key, true);
        write_indicator(":", false, false, false);
      } else {
        write_indicator("?", true, false, true);
        string_scalar(key, false);
        write_indent();
        write_indicator(":", true, false, true);
      }
      emit_node(value, false);
    }
    pop_indent();
  }

  void block_sequence(const Tree& seq) {
    increase_indent(false);
    for (const auto& item : seq) {
      write_indent();
      write_indicator("-", true, false, true);
      emit_node(item, false);
    }
    pop_indent();
  }

  void scalar(const Tree& v, bool simple_key) {
    if (v.is_string()) return string_scalar(v.get_ref<const std::string&>(), simple_key);
    std::string text;
    if (v.is_null()) text = "null";
    else if (v.is_boolean()) text = v.get<bool>() ? "true" : "false";
    else if (v.is_number_integer() || v.is_number_unsigned()) text = v.dump();
    else if (v.is_number_float()) text = yaml_float(v.get<double>());
    plain(text);
  }

  void string_scalar(std::string_view s, bool simple_key) {
    Analysis a = analyze(s);
    Style style = string_style(s, simple_key, a);
    increase_indent(true);
    switch (style) {
      case Style::Plain: plain(s); break;
      case Style::SingleQuoted: single_quoted(s); break;
      case Style::DoubleQuoted: double_quoted(s); break;
      case Style::Literal: literal(s); break;
    }
    pop_indent();
  }

  void plain(std::string_view s) {
    if (!s.empty() && !m_whitespace) put(' ');
    for (std::size_t i = 0; i < s.size();) write(s, i);
    if (!s.empty()) m_whitespace = false;
    m_indention = false;
  }

  void single_quoted(std::string_view s) {
    write_indicator("'", true, false, false);
    bool breaks = false;
    for (std::size_t i = 0; i < s.size();) {
      if (is_break(s, i)) {
        if (!breaks && s[i] == '\n') put_break();
        write_break(s, i);
        breaks = true;
      } else {
        if (breaks) write_indent();
        if (s[i] == '\'') put('\'');
        write(s, i);
        m_indention = false;
        breaks = false;
      }
    }
    write_indicator("'", false, false, false);
    m_whitespace = m_indention = false;
  }

  void double_quoted(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    write_indicator("\"", true, false, false);
    for (std::size_t i = 0; i < s.size();) {
      if (!is_printable(s, i) || is_bom(s, i) || is_break(s, i) || s[i] == '"' || s[i] == '\\') {
        auto octet = at(s, i);
        std::size_t w = width(octet);
        std::uint32_t rune = w == 1 ? octet & 0x7F : w == 2 ? octet & 0x1F : w == 3 ? octet & 0x0F : octet & 0x07;
        for (std::size_t k = 1; k < w; ++k) rune = (rune << 6) | (at(s, i + k) & 0x3F);
        i += w;
        put('\\');
        switch (rune) {
          case 0x00: put('0'); break;
          case 0x07: put('a'); break;
          case 0x08: put('b'); break;
          case 0x09: put('t'); break;
          case 0x0A: put('n'); break;
          case 0x0B: put('v'); break;
          case 0x0C: put('f'); break;
          case 0x0D: put('r'); break;
          case 0x1B: put('e'); break;
          case 0x22: put('"'); break;
          case 0x5C: put('\\'); break;
          case 0x85: put('N'); break;
          case 0xA0: put('_'); break;
          case 0x2028: put('L'); break;
          case 0x2029: put('P'); break;
          default: {
            int digits = rune <= 0xFF ? 2 : rune <= 0xFFFF ? 4 : 8;
            put(rune <= 0xFF ? 'x' : rune <= 0xFFFF ? 'u' : 'U');
            for (int k = (digits - 1) * 4; k >= 0; k -= 4) put(hex[(rune >> k) & 0x0F]);
          }
        }
      } else {
        write(s, i);
      }
    }
    write_indicator("\"", false, false, false);
    m_whitespace = m_indention = false;
  }

  void literal(std::string_view s) {
    write_indicator("|", true, false, false);
    // Block scalar hints: an indentation indicator when the text starts with a space or break,
    // then the chomping indicator: '-' without a final break, '+' with more than one.
    if (is_space(s, 0) || is_break(s, 0)) write_indicator(std::string(1, static_cast<char>('0' + kBestIndent)), false, false, false);
    m_open_ended = false;
    std::size_t last = s.size() - 1;
    while (last > 0 && (at(s, last) & 0xC0) == 0x80) --last;
    if (!is_break(s, last)) {
      write_indicator("-", false, false, false);
    } else if (last == 0) {
      write_indicator("+", false, false, false);
      m_open_ended = true;
    } else {
      std::size_t prev = last - 1;
      while (prev > 0 && (at(s, prev) & 0xC0) == 0x80) --prev;
      if (is_break(s, prev)) {
        write_indicator("+", false, false, false);
        m_open_ended = true;
      }
    }
    put_break();  // go-yaml v3.0.1 (issue 755): the header always ends its own line
    m_whitespace = true;
    bool breaks = true;
    for (std::size_t i = 0; i < s.size();) {
      if (is_break(s, i)) {
        write_break(s, i);
        breaks = true;
      } else {
        if (breaks) write_indent();
        write(s, i);
        m_indention = false;
        breaks = false;
      }
    }
  }
};

/// Decodes one UTF-8 character (for key ordering); invalid bytes decode as themselves.
char32_t next_rune(std::string_view s, std::size_t& i) {
  auto c = at(s, i);
  std::size_t w = std::min(width(c), s.size() - i);
  char32_t r = w == 1 ? c : w == 2 ? c & 0x1F : w == 3 ? c & 0x0F : c & 0x07;
  for (std::size_t k = 1; k < w; ++k) r = (r << 6) | (at(s, i + k) & 0x3F);
  i += w;
  return r;
}

/// unicode.IsLetter, exactly for ASCII; other characters count as letters unless they are in the
/// Latin-1 or general punctuation blocks (good enough for ordering keys).
bool is_letter(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  if (r >= 0xA0 && r <= 0xBF) return r == 0xAA || r == 0xB5 || r == 0xBA;
  if (r == 0xD7 || r == 0xF7) return false;
  if (r >= 0x2000 && r <= 0x2BFF) return false;
  if (r >= 0x3000 && r <= 0x303F) return false;
  return true;
}

bool is_digit_rune(char32_t r) { return r >= '0' && r <= '9'; }

}  // namespace

std::string to_yaml(const nlohmann::ordered_json& tree) {
  Emitter e;
  e.document(tree);
  return std::move(e.out);
}

std::string yaml_float(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value < 0 ? "-.inf" : ".inf";
  return go::format_g(value);
}

bool yaml_key_less(std::string_view a, std::string_view b) {
  // go-yaml sorter.go keyList.Less, for string keys.
  std::vector<char32_t> ar, br;
  for (std::size_t i = 0; i < a.size();) ar.push_back(next_rune(a, i));
  for (std::size_t i = 0; i < b.size();) br.push_back(next_rune(b, i));
  for (std::size_t i = 0; i < ar.size() && i < br.size(); ++i) {
    if (ar[i] == br[i]) continue;
    bool al = is_letter(ar[i]), bl = is_letter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return bl;
    std::int64_t an = 0, bn = 0;
    if (ar[i] == '0' || br[i] == '0') {
      for (std::size_t j = i; j-- > 0 && is_digit_rune(ar[j]);) {
        if (ar[j] != '0') {
          an = bn = 1;
          break;
        }
      }
    }
    std::size_t ai = i, bi = i;
    for (; ai < ar.size() && is_digit_rune(ar[ai]); ++ai) an = an * 10 + static_cast<std::int64_t>(ar[ai] - '0');
    for (; bi < br.size() && is_digit_rune(br[bi]); ++bi) bn = bn * 10 + static_cast<std::int64_t>(br[bi] - '0');
    if (an != bn) return an < bn;
    if (ai != bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.size() < br.size();
}

}  // namespace berth::model
