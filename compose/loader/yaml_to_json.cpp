#include "compose/loader/yaml_to_json.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <sstream>

#include "compose/loader/diagnostics.hpp"

namespace berth::loader {

namespace {

using Json = nlohmann::json;

Location location_of(const YAML::Mark& m, const std::string& file) { return Location{file, m.line + 1, m.column + 1}; }

/// Strips YAML 1.2 digit separators the way Go's strconv with base 0 accepts them.
bool parse_integer(const std::string& s, Json& out) {
  std::string t;
  for (char c : s)
    if (c != '_') t += c;
  if (t.empty()) return false;
  size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
  if (i >= t.size()) return false;
  bool neg = t[0] == '-';
  std::string body = t.substr(i);
  int base = 10;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X'))
    base = 16, body = body.substr(2);
  else if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O'))
    base = 8, body = body.substr(2);
  else if (body.size() > 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B'))
    base = 2, body = body.substr(2);
  else if (body.size() > 1 && body[0] == '0')
    base = 8, body = body.substr(1);  // legacy octal, as Go's base 0
  static const std::string digits = "0123456789abcdef";
  for (char c : body) {
    auto d = digits.find(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (d == std::string::npos || static_cast<int>(d) >= base) return false;
  }
  errno = 0;
  char* end = nullptr;
  if (neg) {
    long long v = std::strtoll(("-" + body).c_str(), &end, base);
    if (errno == ERANGE) return false;
    out = v;
  } else {
    unsigned long long v = std::strtoull(body.c_str(), &end, base);
    if (errno == ERANGE) return false;
    if (v <= static_cast<unsigned long long>(std::numeric_limits<long long>::max()))
      out = static_cast<long long>(v);
    else
      out = v;
  }
  return true;
}

/// YAML 1.2 core float: [-+]? ( .digits | digits[.digits*] ) ([eE][-+]?digits)?  ('_' allowed in digits).
bool looks_like_float(const std::string& s) {
  size_t i = 0, n = s.size();
  auto digits = [&](bool underscores) {
    size_t start = i;
    while (i < n && (std::isdigit(static_cast<unsigned char>(s[i])) || (underscores && s[i] == '_'))) ++i;
    return i > start;
  };
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits(false)) return false;
  } else {
    if (i >= n || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    digits(true);
    if (i < n && s[i] == '.') {
      ++i;
      digits(true);
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits(false)) return false;
  }
  return i == n;
}

bool parse_float(const std::string& s, Json& out) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (!looks_like_float(s)) return false;
  std::string t;
  for (char c : s)
    if (c != '_') t += c;
  out = std::strtod(t.c_str(), nullptr);
  return true;
}

/// Offset of the first byte that is not valid UTF-8 or is a control character, or npos. YAML
/// text must be printable Unicode (go-yaml refuses the rest too), and yaml-cpp does odd things
/// with a NUL (found by the fuzzer: it produced strings that are not UTF-8).
size_t invalid_text_at(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return i;
    // C0 control characters other than tab, LF and CR are not allowed in YAML (go-yaml refuses them too).
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
    if (c == 0x7F) return i;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::string_view::npos;
}

/// Types a plain scalar per the YAML 1.2 core schema.
Json resolve_plain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  char c = s[0];
  if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
    Json v;
    if (parse_integer(s, v)) return v;
    if (parse_float(s, v)) return v;
  }
  return s;
}

/// Builds the JSON value straight from yaml-cpp's parser events: no intermediate node tree
/// (which dominated loading time), positions and tags recorded as values are met.
class Builder : public YAML::EventHandler {
 public:
  Builder(Document& doc, Diagnostics& diags) : m_doc(doc), m_diags(diags) {}

  Json take_root() { return std::move(m_root); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { OnScalar(mark, "?", anchor, ""); }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (expecting_key()) return complex_key(mark);
    auto it = m_anchors.find(anchor);
    std::string ptr = child_pointer(mark);
    if (it == m_anchors.end()) return complete(Json(), ptr, 0, ptr);
    // Problems inside an aliased value point at the anchored text.
    Location here = m_doc.positions.find(Pointer(ptr));
    m_doc.positions.overlay(m_doc.positions, it->second.second, ptr);
    m_doc.positions.set(ptr, here);
    complete(it->second.first, ptr, 0, it->second.second);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (expecting_key()) return key(mark, tag, value);
    std::string ptr = child_pointer(mark);
    record_tag(tag, ptr);
    complete(scalar(tag, value), ptr, anchor, ptr);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, Json::array());
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, Json::object());
  }
  void OnMapEnd() override { close(); }

 private:
  // Every member has a default, so a frame is made naming only what it starts with.
  struct Frame {
    Json value{};
    std::string ptr{};  ///< JSON pointer, as a string (cheaper to extend than json_pointer)
    YAML::anchor_t anchor = 0;
    bool discard = false;                                ///< a complex key being skipped
    std::optional<std::string> key{};                    ///< maps: the key whose value comes next
    bool merge_next = false;                             ///< maps: the next value is a `<<` merge source
    std::vector<std::pair<Json, std::string>> merges{};  ///< `<<` sources and where they were written
    std::vector<std::string> origins{};                  ///< sequences: where each item was written
    std::unordered_map<std::string, int> key_lines{};
  };

  bool expecting_key() const { return !m_stack.empty() && m_stack.back().value.is_object() && !m_stack.back().key; }

  Location loc(const YAML::Mark& m) const { return location_of(m, m_doc.file); }

  static std::string child(const std::string& ptr, std::string_view segment) {
    std::string out = ptr;
    append_pointer_segment(out, segment);
    return out;
  }

  void key(const YAML::Mark& mark, const std::string& tag, const std::string& text) {
    Frame& f = m_stack.back();
    if (text == "<<" && tag == "?") {
      f.key = "<<";
      f.merge_next = true;
      return;
    }
    std::string name = (tag == "?" && (text == "~" || text == "null")) ? "" : text;
    if (auto it = f.key_lines.find(name); it != f.key_lines.end()) {
      m_diags.error_at(loc(mark), display_path(Pointer(child(f.ptr, name))),
                       "mapping key \"" + name + "\" already defined at line " + std::to_string(it->second));
      f.key = name;
      f.discard = true;  // keep the first definition
      return;
    }
    f.key_lines.emplace(name, mark.line + 1);
    f.key = name;
    m_doc.positions.set(child(f.ptr, name), loc(mark));
  }

  void complex_key(const YAML::Mark& mark) {
    Frame& f = m_stack.back();
    m_diags.error_at(loc(mark), display_path(Pointer(f.ptr)), "mapping keys must be scalars");
    f.key = "";
    f.discard = true;
  }

  /// Pointer of the value that starts now; sequence items get their position recorded here.
  std::string child_pointer(const YAML::Mark& mark) {
    if (m_stack.empty()) return std::string();
    Frame& f = m_stack.back();
    if (f.value.is_object()) return child(f.ptr, *f.key);
    std::string p = child(f.ptr, std::to_string(f.value.size()));
    m_doc.positions.set(p, loc(mark));
    return p;
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, Json empty) {
    if (expecting_key()) {
      complex_key(mark);
      m_stack.push_back(Frame{.value = std::move(empty), .discard = true});
      return;
    }
    if (m_stack.size() >= 200) throw YAML::ParserException(mark, "document nested too deeply");
    std::string ptr = child_pointer(mark);
    record_tag(tag, ptr);
    bool discard = !m_stack.empty() && m_stack.back().discard;
    m_stack.push_back(Frame{.value = std::move(empty), .ptr = std::move(ptr), .anchor = anchor, .discard = discard});
  }

  void close() {
    Frame f = std::move(m_stack.back());
    m_stack.pop_back();
    m_last_origins = std::move(f.origins);
    // Merge keys: explicit keys win, and among merged maps the earlier one wins.
    for (const auto& [src, origin] : f.merges)
      for (auto it = src.begin(); it != src.end(); ++it)
        if (!f.value.contains(it.key())) {
          f.value[it.key()] = it.value();
          m_doc.positions.overlay(m_doc.positions, child(origin, it.key()), child(f.ptr, it.key()));
        }
    if (f.discard && !m_stack.empty() && m_stack.back().key && m_stack.back().key->empty() &&
        !m_stack.back().value.is_array()) {
      // A complex key finished: the value that follows belongs to it and is dropped too.
      m_stack.back().discard = true;
      return;
    }
    complete(std::move(f.value), f.ptr, f.anchor, f.ptr);
  }

  /// A value is finished: remember its anchor and put it into its parent.
  void complete(Json v, const std::string& ptr, YAML::anchor_t anchor, const std::string& origin) {
    if (anchor) m_anchors[anchor] = {v, ptr};
    if (m_stack.empty()) {
      m_root = std::move(v);
      return;
    }
    Frame& f = m_stack.back();
    if (f.value.is_array()) {
      if (!f.discard) {
        f.value.push_back(std::move(v));
        f.origins.push_back(origin);
      }
      return;
    }
    if (f.merge_next) {
      add_merge_source(f, v, origin);
    } else if (!f.discard) {
      f.value[*f.key] = std::move(v);
    }
    f.key.reset();
    f.merge_next = false;
    f.discard = false;
  }

  void add_merge_source(Frame& f, Json& v, const std::string& origin) {
    if (v.is_object()) {
      f.merges.emplace_back(std::move(v), origin);
      return;
    }
    if (v.is_array() && std::all_of(v.begin(), v.end(), [](const Json& m) { return m.is_object(); })) {
      for (size_t i = 0; i < v.size(); ++i)
        f.merges.emplace_back(std::move(v[i]),
                              i < m_last_origins.size() ? m_last_origins[i] : child(origin, std::to_string(i)));
      return;
    }
    m_diags.error_at(m_doc.positions.find(Pointer(origin)), display_path(Pointer(f.ptr)),
                     "merge key `<<` expects a mapping or a list of mappings");
  }

  Json scalar(const std::string& tag, const std::string& text) const {
    if (tag == "?") return resolve_plain(text);
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" || tag == "tag:yaml.org,2002:bool" ||
        tag == "tag:yaml.org,2002:null")
      return resolve_plain(text);
    // "!" (quoted), !!str and custom tags such as !reset keep the text.
    return text;
  }

  void record_tag(const std::string& tag, const std::string& ptr) {
    if (tag == "!reset")
      m_doc.tags[ptr] = MergeTag::Reset;
    else if (tag == "!override")
      m_doc.tags[ptr] = MergeTag::Override;
  }

  Document& m_doc;
  Diagnostics& m_diags;
  std::vector<Frame> m_stack;
  std::unordered_map<YAML::anchor_t, std::pair<Json, std::string>> m_anchors;  ///< value and where it was defined
  std::vector<std::string> m_last_origins;  ///< item origins of the sequence closed last
  Json m_root;
};

}  // namespace

Document parse_yaml(std::string_view text, const std::string& file) {
  std::vector<Document> docs = parse_yaml_documents(text, file, false);
  return std::move(docs.front());
}

std::vector<Document> parse_yaml_documents(std::string_view text, const std::string& file, bool all) {
  std::vector<Document> docs(1);
  docs.front().file = file;
  docs.front().positions.set_default_file(file);
  Diagnostics diags;
  try {
    // Strip a UTF-8 byte order mark, which yaml-cpp would keep as part of the first key.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (size_t bad = invalid_text_at(text); bad != std::string_view::npos) {
      int line = 1, column = 1;
      for (size_t i = 0; i < bad; ++i) {
        if (text[i] == '\n')
          ++line, column = 1;
        else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
          ++column;
      }
      diags.error_at(Location{file, line, column}, "",
                     "invalid character: the file must be UTF-8 text without control characters");
      diags.throw_if_any();
    }
    std::string owned(text);
    std::istringstream in(owned);
    YAML::Parser parser(in);
    for (bool first = true;; first = false) {
      if (!first) {
        docs.emplace_back();
        docs.back().file = file;
        docs.back().positions.set_default_file(file);
      }
      Document& doc = docs.back();
      doc.positions.set(Pointer(), Location{file, 1, 1});
      Builder builder(doc, diags);
      if (!parser.HandleNextDocument(builder)) {
        if (!first) docs.pop_back();
        break;
      }
      doc.value = builder.take_root();
      if (!all) break;
    }
  } catch (const YAML::Exception& e) {
    diags.error_at(location_of(e.mark, file), "", "invalid YAML: " + e.msg);
  }
  diags.throw_if_any();
  return docs;
}

}  // namespace berth::loader
