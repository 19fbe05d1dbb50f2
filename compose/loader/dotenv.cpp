// `.env` / env_file parsing: a port of compose-go v2's dotenv parser (dotenv/parser.go) and, for
// `format: raw`, of docker/cli's kvfile parser that docker compose registers under that name.
//
// The dotenv parser is not line based: it repeatedly finds the next statement, reads a key up to
// `=`, `:` or a newline (a newline makes it a bare key, taken from the lookup), then a value:
//  - unquoted: up to the end of the line, cut at the first " #", right-trimmed, interpolated;
//  - '...' and "...": up to the next unescaped matching quote, across lines; `\<quote>` drops
//    the backslash, other backslash pairs are kept; double quotes then expand \a \b \f \n \r \t
//    \v \" \\ \$ and \0NNN (octal) and interpolate.
// Whatever follows a closing quote on the same line is parsed as the next statement (a `# ...`
// there is a comment). Interpolation asks `lookup` first and the file's earlier keys second, as
// compose-go's expandVariables does: the shell environment wins over the file.
//
// Deliberate differences from compose-go: errors give the true line:column of the problem
// (compose-go's counter forgets the newline after a bare key); a bare key on the last line
// without a newline is a bare key (compose-go stores it as the value of the empty key ""); and
// "letter or digit" outside ASCII is an approximation of Go's unicode tables.
#include "compose/loader/dotenv.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"

namespace berth::loader {
namespace {

constexpr char32_t bad_rune = 0xFFFD;

// One UTF-8 sequence at s[i] -> {code point, width}; invalid input is U+FFFD of width 1, as in Go.
std::pair<char32_t, size_t> decode(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return {c, 1};
  size_t width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (width == 0 || c > 0xF4 || i + width > s.size()) return {bad_rune, 1};
  char32_t r = c & (0x7F >> width);
  for (size_t k = 1; k < width; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {bad_rune, 1};
    r = (r << 6) | (byte(i + k) & 0x3F);
  }
  bool overlong = (width == 3 && r < 0x800) || (width == 4 && r < 0x10000);
  if (overlong || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return {bad_rune, 1};
  return {r, width};
}

// parser.go's isSpace: blanks, but not the line break.
bool is_blank(char32_t r) {
  return r == '\t' || r == '\v' || r == '\f' || r == '\r' || r == ' ' || r == 0x85 || r == 0xA0;
}

// Go's unicode.IsSpace.
bool is_space(char32_t r) {
  return is_blank(r) || r == '\n' || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 ||
         r == 0x202F || r == 0x205F || r == 0x3000;
}

// unicode.IsLetter || unicode.IsNumber: exact for ASCII and Latin-1; beyond, every code point
// counts except combining marks, the punctuation/symbol blocks of the BMP, private use, variation
// selectors, specials (U+FFFD, what invalid UTF-8 decodes to) and the supplementary private planes.
bool is_letter_or_number(char32_t r) {
  if (r < 0x80) return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  if (r < 0xC0)
    return r == 0xAA || r == 0xB2 || r == 0xB3 || r == 0xB5 || r == 0xB9 || r == 0xBA || (r >= 0xBC && r <= 0xBE);
  if (r <= 0xFF) return r != 0xD7 && r != 0xF7;
  auto in = [r](char32_t lo, char32_t hi) { return r >= lo && r <= hi; };
  bool symbol = in(0x300, 0x36F) || in(0x2000, 0x206F) || in(0x2190, 0x23FF) || in(0x2500, 0x27BF) ||
                (in(0x3000, 0x303F) && !in(0x3005, 0x3007)) || in(0xE000, 0xF8FF) || in(0xFE00, 0xFE0F) ||
                r == 0xFEFF || in(0xFFF0, 0xFFFF) || r >= 0xF0000;
  return !symbol;
}

void append_utf8(std::string& out, char32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

// Go's %q for the short strings shown in messages.
std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// expandEscapes: the escape sequences of double-quoted values. `\$` becomes `$$` so that the
// interpolation that follows leaves a literal `$`; unknown sequences stay as written.
std::string expand_escapes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[i + 1];
    static constexpr std::string_view simple = "abfnrtv\"\\";
    static constexpr std::string_view meaning = "\a\b\f\n\r\t\v\"\\";
    if (size_t k = simple.find(c); k != std::string_view::npos) {
      out += meaning[k];
      ++i;
    } else if (c == '$') {
      out += "$$";
      ++i;
    } else if (c == '0') {
      // \0 and up to three digits; only exactly three octal digits up to 0377 are a character.
      size_t n = 0;
      while (n < 3 && i + 2 + n < s.size() && s[i + 2 + n] >= '0' && s[i + 2 + n] <= '9') ++n;
      std::string_view digits = s.substr(i + 2, n);
      bool octal = n == 3 && std::all_of(digits.begin(), digits.end(), [](char d) { return d <= '7'; });
      int value = octal ? (digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0') : 256;
      if (value <= 255)
        append_utf8(out, static_cast<char32_t>(value));
      else
        out.append(s.substr(i, 2 + n));
      i += 1 + n;
    } else {
      out += '\\';  // the next character is handled on its own, as a non-match of the regexp
    }
  }
  return out;
}

class DotenvParser {
 public:
  DotenvParser(std::string_view src, const std::string& file, const Lookup& lookup)
      : m_src(src), m_file(file), m_lookup(lookup) {}

  Environment parse() {
    size_t pos = 0;
    while ((pos = statement_start(pos)) != std::string_view::npos) {
      auto [key, key_at, rest, inherited] = locate_key(pos);
      if (key.find(' ') != std::string::npos) fail(key_at, "key cannot contain a space");
      if (inherited) {
        if (std::optional<std::string> value = m_lookup(key)) m_out[key] = std::move(*value);
        pos = rest;
        continue;
      }
      auto [value, next] = extract_value(rest);
      m_out[key] = std::move(value);
      pos = next;
    }
    return std::move(m_out);
  }

 private:
  [[noreturn]] void fail(size_t at, std::string message) const {
    at = std::min(at, m_src.size());
    std::string_view before = m_src.substr(0, at);
    int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    size_t line_start = before.rfind('\n');
    int column = 1 + static_cast<int>(line_start == std::string_view::npos ? at : at - line_start - 1);
    throw LoadError({Diagnostic{Location{m_file, line, column}, "", std::move(message)}});
  }

  // Skips white space and comment lines; npos at the end of the input.
  size_t statement_start(size_t pos) const {
    while (pos < m_src.size()) {
      auto [r, width] = decode(m_src, pos);
      if (is_space(r)) {
        pos += width;
      } else if (r == '#') {
        pos = m_src.find('\n', pos);
      } else {
        return pos;
      }
    }
    return std::string_view::npos;
  }

  size_t skip_blanks(size_t pos) const {
    while (pos < m_src.size()) {
      auto [r, width] = decode(m_src, pos);
      if (!is_blank(r)) break;
      pos += width;
    }
    return pos;
  }

  // {key, where the key starts, where the value starts, bare key?}
  std::tuple<std::string, size_t, size_t, bool> locate_key(size_t pos) const {
    std::string_view src = m_src.substr(pos);
    // ^export\s+ (RE2's \s: \t \n \f \r and space), then only blanks are trimmed.
    if (src.size() > 6 && src.substr(0, 6) == "export" &&
        std::string_view("\t\n\f\r ").find(src[6]) != std::string_view::npos) {
      pos = skip_blanks(pos + 6);
    }
    if (pos >= m_src.size()) fail(pos, "zero length string");
    size_t start = pos;
    size_t i = pos;
    while (i < m_src.size()) {
      auto [r, width] = decode(m_src, i);
      if (r == '=' || r == ':' || r == '\n') {
        return {trim_right(m_src.substr(start, i - start)), start, skip_blanks(i + 1), r == '\n'};
      }
      bool allowed = is_blank(r) || r == '_' || r == '.' || r == '-' || r == '[' || r == ']' || is_letter_or_number(r);
      if (!allowed) {
        std::string_view line = m_src.substr(start, m_src.find('\n', start) - start);
        std::string ch;
        append_utf8(ch, r);
        fail(i, "unexpected character " + go_quote(ch) + " in variable name " + go_quote(line));
      }
      i += width;
    }
    return {trim_right(m_src.substr(start)), start, m_src.size(), true};
  }

  // Drops trailing unicode.IsSpace runes.
  static std::string trim_right(std::string_view s) {
    size_t keep = 0;
    for (size_t i = 0; i < s.size();) {
      auto [r, width] = decode(s, i);
      i += width;
      if (!is_space(r)) keep = i;
    }
    return std::string(s.substr(0, keep));
  }

  // {value, where the next statement may start}
  std::pair<std::string, size_t> extract_value(size_t pos) {
    if (pos >= m_src.size() || (m_src[pos] != '"' && m_src[pos] != '\'')) {
      size_t end = std::min(m_src.find('\n', pos), m_src.size());
      std::string_view value = m_src.substr(pos, end - pos);
      value = value.substr(0, value.find(" #"));
      return {expand(trim_right(value), pos), std::min(end + 1, m_src.size())};
    }
    char quote = m_src[pos];
    bool escaped = false;
    std::string chars;
    for (size_t i = pos + 1; i < m_src.size(); ++i) {
      char c = m_src[i];
      if (c != quote) {
        if (!escaped && c == '\\') {
          escaped = true;
          continue;
        }
        if (escaped) chars += '\\';
        escaped = false;
        chars += c;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += c;
        continue;
      }
      if (quote == '"') chars = expand(expand_escapes(chars), pos);
      return {std::move(chars), i + 1};
    }
    fail(pos, "unterminated quoted value " + std::string(m_src.substr(pos, m_src.find('\n', pos) - pos)));
  }

  // Interpolation: the lookup first, then the keys already read from this file.
  std::string expand(const std::string& value, size_t at) const {
    Lookup both = [this](std::string_view name) -> std::optional<std::string> {
      if (std::optional<std::string> v = m_lookup(name)) return v;
      auto it = m_out.find(std::string(name));
      if (it == m_out.end()) return std::nullopt;
      return it->second;
    };
    try {
      return interpolate(value, both);
    } catch (const InterpolationError& e) {
      fail(at, e.what());
    }
  }

  std::string_view m_src;
  const std::string& m_file;
  const Lookup& m_lookup;
  Environment m_out;
};

}  // namespace

Environment parse_dotenv(std::string_view content, const std::string& file, const Lookup& lookup) {
  static const Lookup nothing = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  return DotenvParser(content, file, lookup ? lookup : nothing).parse();
}

// docker/cli's kvfile (docker run --env-file): KEY=VALUE lines taken literally.
Environment parse_raw_env(std::string_view content, const std::string& file, const Lookup& lookup) {
  Environment out;
  int line_no = 0;
  auto fail = [&](std::string message) {
    throw LoadError({Diagnostic{Location{file, line_no, 1}, "", std::move(message)}});
  };
  for (size_t pos = 0; pos < content.size();) {
    ++line_no;
    size_t end = content.find('\n', pos);
    std::string_view line = content.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? content.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (size_t i = 0; i < line.size();) {
      auto [r, width] = decode(line, i);
      if (r == bad_rune && width == 1) fail("invalid utf8 bytes at line " + std::to_string(line_no));
      i += width;
    }
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    while (!line.empty()) {
      auto [r, width] = decode(line, 0);
      if (!is_space(r)) break;
      line.remove_prefix(width);
    }
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    std::string key(line.substr(0, eq));
    if (key.empty()) fail("no variable name on line '" + std::string(line) + "'");
    if (key.find_first_of(" \t") != std::string::npos) fail("variable '" + key + "' contains whitespaces");
    if (eq != std::string_view::npos) {
      out[key] = std::string(line.substr(eq + 1));
    } else if (std::optional<std::string> value = lookup ? lookup(key) : std::nullopt) {
      out[key] = std::move(*value);
    }
  }
  return out;
}

Environment read_env_file(const std::string& path, const std::string& format, const Lookup& lookup) {
  if (!format.empty() && format != ".env" && format != "raw") {
    throw LoadError({Diagnostic{Location{path, 0, 0}, "", "unsupported env_file format " + go_quote(format)}});
  }
  std::string content;
  try {
    content = berth::read_file(path);
  } catch (const SysError& e) {
    throw LoadError({Diagnostic{Location{path, 0, 0}, "", e.what()}});
  }
  return format == "raw" ? parse_raw_env(content, path, lookup) : parse_dotenv(content, path, lookup);
}

}  // namespace berth::loader
