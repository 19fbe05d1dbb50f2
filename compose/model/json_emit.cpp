// A JSON printer matching Go's json.MarshalIndent(v, "", "  ") (what `docker compose config
// --format json` prints): HTML-safe escaping (<, >, & as \u003c, \u003e, \u0026; U+2028/9
// escaped), invalid UTF-8 replaced by U+FFFD, floats in Go's shortest form ("1", "0.3", "1e-7").
#include "compose/model/json_emit.hpp"

#include "compose/gocompat/float.hpp"

namespace berth::model {

namespace {

using Tree = nlohmann::ordered_json;

/// Length of the valid UTF-8 sequence starting at s[i], or 0 (Go's utf8.DecodeRuneInString).
std::size_t utf8_length(const std::string& s, std::size_t i) {
  auto b = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  auto cont = [&](std::size_t k) { return (b(k) & 0xC0) == 0x80; };
  unsigned c = b(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return (b(i + 1) >= lo && b(i + 1) <= hi && cont(i + 2)) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return (b(i + 1) >= lo && b(i + 1) <= hi && cont(i + 2) && cont(i + 3)) ? 4 : 0;
  }
  return 0;
}

void write_string(std::string& out, const std::string& s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0x0F];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    std::size_t n = utf8_length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    // U+2028 and U+2029 are valid JSON but break JavaScript, so Go escapes them.
    if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s, i, n);
    }
    i += n;
  }
  out += '"';
}

void write_value(std::string& out, const Tree& v, int depth) {
  auto newline = [&](int d) {
    out += '\n';
    out.append(static_cast<std::size_t>(d) * 2, ' ');
  };
  switch (v.type()) {
    case Tree::value_t::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, value] : v.items()) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        write_string(out, key);
        out += ": ";
        write_value(out, value, depth + 1);
      }
      newline(depth);
      out += '}';
      return;
    }
    case Tree::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        write_value(out, item, depth + 1);
      }
      newline(depth);
      out += ']';
      return;
    }
    case Tree::value_t::string:
      write_string(out, v.get_ref<const std::string&>());
      return;
    case Tree::value_t::number_float:
      out += gocompat::format_json(v.get<double>());
      return;
    case Tree::value_t::null:
    case Tree::value_t::discarded:
      out += "null";
      return;
    default:
      out += v.dump();
      return;  // booleans and integers print the same everywhere
  }
}

}  // namespace

std::string to_json_text(const nlohmann::ordered_json& tree) {
  std::string out;
  write_value(out, tree, 0);
  return out;
}

}  // namespace berth::model
