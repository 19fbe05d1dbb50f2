// A YAML printer that reproduces go-yaml v3 (v3.0.1, the version docker compose uses) byte for
// byte for the trees `berth config` prints, with a 2-space indent and no line folding (v3 sets
// best_width to "infinite").
//
// It keeps go-yaml's emitter state (column, `whitespace`, `indention`, the indent stack) and calls
// the same primitives in the same order go-yaml's state machine does for block collections, so
// layout quirks come out the same: sequences indented under their key, a mapping in a sequence
// item starting on the dash's line, `key: {}` for empty collections, the literal-block header
// `|2-` when the text starts with a space or newline. Which style a string gets is decided in
// yaml_style.cpp.
#include "compose/model/yaml_emit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "compose/gocompat/float.hpp"
#include "compose/model/yaml_style.hpp"

namespace berth::model {

namespace {

using Tree = nlohmann::ordered_json;
using namespace yaml;

class Emitter {
 public:
  explicit Emitter(int best_indent) : m_best_indent(best_indent) {}

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
  int m_best_indent;
  bool m_seq_item = false;  ///< the next node is a sequence item (go-yaml's EMIT_BLOCK_SEQUENCE_ITEM state)
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

  // go-yaml's yaml_emitter_increase_indent: the first indent inside a sequence item skips the
  // "- " indicator, every other one goes to the next multiple of the chosen indent (with 2,
  // both are +2; with 4 a mapping in a sequence item sits at the dash + 2 and what it holds at
  // the next multiple of 4).
  void increase_indent(bool flow) {
    m_indents.push_back(m_indent);
    bool seq_item = m_seq_item;
    m_seq_item = false;
    if (m_indent < 0)
      m_indent = flow ? m_best_indent : 0;
    else if (seq_item)
      m_indent += 2;
    else
      m_indent = m_best_indent * ((m_indent + m_best_indent) / m_best_indent);
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
      m_seq_item = true;
      emit_node(item, false);
      m_seq_item = false;
    }
    pop_indent();
  }

  void scalar(const Tree& v, bool simple_key) {
    if (v.is_string()) return string_scalar(v.get_ref<const std::string&>(), simple_key);
    std::string text;
    if (v.is_null())
      text = "null";
    else if (v.is_boolean())
      text = v.get<bool>() ? "true" : "false";
    else if (v.is_number_integer() || v.is_number_unsigned())
      text = v.dump();
    else if (v.is_number_float())
      text = yaml_float(v.get<double>());
    plain(text);
  }

  void string_scalar(std::string_view s, bool simple_key) {
    Style style = string_style(s, simple_key);
    increase_indent(true);
    switch (style) {
      case Style::Plain:
        plain(s);
        break;
      case Style::SingleQuoted:
        single_quoted(s);
        break;
      case Style::DoubleQuoted:
        double_quoted(s);
        break;
      case Style::Literal:
        literal(s);
        break;
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
        // A byte that does not start valid UTF-8 (a shell variable's raw bytes) is written as
        // \xNN of that byte.
        for (std::size_t k = 1; k < w; ++k)
          if (i + k >= s.size() || (at(s, i + k) & 0xC0) != 0x80) w = 1;
        if (w == 0) w = 1;
        std::uint32_t rune = w == 1 ? octet : w == 2 ? octet & 0x1F : w == 3 ? octet & 0x0F : octet & 0x07;
        for (std::size_t k = 1; k < w; ++k) rune = (rune << 6) | (at(s, i + k) & 0x3F);
        i += w;
        put('\\');
        switch (rune) {
          case 0x00:
            put('0');
            break;
          case 0x07:
            put('a');
            break;
          case 0x08:
            put('b');
            break;
          case 0x09:
            put('t');
            break;
          case 0x0A:
            put('n');
            break;
          case 0x0B:
            put('v');
            break;
          case 0x0C:
            put('f');
            break;
          case 0x0D:
            put('r');
            break;
          case 0x1B:
            put('e');
            break;
          case 0x22:
            put('"');
            break;
          case 0x5C:
            put('\\');
            break;
          case 0x85:
            put('N');
            break;
          case 0xA0:
            put('_');
            break;
          case 0x2028:
            put('L');
            break;
          case 0x2029:
            put('P');
            break;
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
    if (is_space(s, 0) || is_break(s, 0))
      write_indicator(std::string(1, static_cast<char>('0' + m_best_indent)), false, false, false);
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

std::string to_yaml(const nlohmann::ordered_json& tree, int indent) {
  Emitter e(indent);
  e.document(tree);
  return std::move(e.out);
}

std::string yaml_float(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value < 0 ? "-.inf" : ".inf";
  return gocompat::format_g(value);
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
    // Go's int64 arithmetic wraps on overflow (a 20-digit key); do the same without UB.
    auto step = [](std::int64_t n, char32_t digit) {
      return static_cast<std::int64_t>(static_cast<std::uint64_t>(n) * 10u + static_cast<std::uint64_t>(digit - '0'));
    };
    for (; ai < ar.size() && is_digit_rune(ar[ai]); ++ai) an = step(an, ar[ai]);
    for (; bi < br.size() && is_digit_rune(br[bi]); ++bi) bn = step(bn, br[bi]);
    if (an != bn) return an < bn;
    if (ai != bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.size() < br.size();
}

}  // namespace berth::model
