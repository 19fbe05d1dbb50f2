#include "compose/loader/yaml_to_json.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>

#include "compose/loader/diagnostics.hpp"

namespace berth::loader {

namespace {

using Json = nlohmann::json;

Location location_of(const YAML::Mark& m, const std::string& file) {
  return Location{file, m.line + 1, m.column + 1};
}

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
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) base = 16, body = body.substr(2);
  else if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O')) base = 8, body = body.substr(2);
  else if (body.size() > 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B')) base = 2, body = body.substr(2);
  else if (body.size() > 1 && body[0] == '0') base = 8, body = body.substr(1);  // legacy octal, as Go's base 0
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

bool parse_float(const std::string& s, Json& out) {
  static const std::regex re(R"(^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$)");
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
  if (!std::regex_match(s, re)) return false;
  std::string t;
  for (char c : s)
    if (c != '_') t += c;
  out = std::strtod(t.c_str(), nullptr);
  return true;
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

class Converter {
 public:
  Converter(Document& doc, Diagnostics& diags) : m_doc(doc), m_diags(diags) {}

  Json convert(const YAML::Node& node, const Pointer& ptr, int depth) {
    if (depth > 200) {
      m_diags.error_at(location_of(node.Mark(), m_doc.file), display_path(ptr), "document nested too deeply");
      return nullptr;
    }
    record_tag(node, ptr);
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nullptr;
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        Json arr = Json::array();
        size_t i = 0;
        for (const auto& item : node) {
          Pointer child = ptr / i++;
          m_doc.positions.set(child, location_of(item.Mark(), m_doc.file));
          arr.push_back(convert(item, child, depth + 1));
        }
        return arr;
      }
      case YAML::NodeType::Map:
        return mapping(node, ptr, depth);
    }
    return nullptr;
  }

 private:
  Json scalar(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    const std::string& text = node.Scalar();
    if (tag == "?") return resolve_plain(text);
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" || tag == "tag:yaml.org,2002:bool" ||
        tag == "tag:yaml.org,2002:null")
      return resolve_plain(text);
    // "!" (quoted), !!str and custom tags such as !reset keep the text.
    return text;
  }

  Json mapping(const YAML::Node& node, const Pointer& ptr, int depth) {
    Json obj = Json::object();
    std::unordered_map<std::string, YAML::Mark> seen;
    std::vector<YAML::Node> merges;
    for (const auto& kv : node) {
      const YAML::Node& key = kv.first;
      if (!key.IsScalar()) {
        m_diags.error_at(location_of(key.Mark(), m_doc.file), display_path(ptr), "mapping keys must be scalars");
        continue;
      }
      std::string name = key.Scalar();
      if (name == "<<" && key.Tag() == "?") {
        merges.push_back(kv.second);
        continue;
      }
      if (key.Tag() == "?" && (name == "~" || name == "null")) name = "";
      if (auto it = seen.find(name); it != seen.end()) {
        m_diags.error_at(location_of(key.Mark(), m_doc.file), display_path(ptr / name),
                         "mapping key \"" + name + "\" already defined at line " + std::to_string(it->second.line + 1));
        continue;
      }
      seen.emplace(name, key.Mark());
      Pointer child = ptr / name;
      m_doc.positions.set(child, location_of(key.Mark(), m_doc.file));
      obj[name] = convert(kv.second, child, depth + 1);
    }
    // Merge keys: explicit keys win, and among merged maps the earlier one wins.
    for (const auto& merge : merges) {
      std::vector<YAML::Node> sources;
      if (merge.IsMap()) sources.push_back(merge);
      else if (merge.IsSequence())
        for (const auto& s : merge) sources.push_back(s);
      for (const auto& src : sources) {
        if (!src.IsMap()) {
          m_diags.error_at(location_of(src.Mark(), m_doc.file), display_path(ptr),
                           "merge key `<<` expects a mapping or a list of mappings");
          continue;
        }
        for (const auto& kv : src) {
          std::string name = kv.first.Scalar();
          if (obj.contains(name)) continue;
          Pointer child = ptr / name;
          m_doc.positions.set(child, location_of(kv.first.Mark(), m_doc.file));
          obj[name] = convert(kv.second, child, depth + 1);
        }
      }
    }
    return obj;
  }

  void record_tag(const YAML::Node& node, const Pointer& ptr) {
    const std::string& tag = node.Tag();
    if (tag == "!reset") m_doc.tags[ptr.to_string()] = MergeTag::Reset;
    else if (tag == "!override") m_doc.tags[ptr.to_string()] = MergeTag::Override;
  }

  Document& m_doc;
  Diagnostics& m_diags;
};

}  // namespace

Document parse_yaml(std::string_view text, const std::string& file) {
  Document doc;
  doc.file = file;
  doc.positions.set_default_file(file);
  Diagnostics diags;
  try {
    // Strip a UTF-8 byte order mark, which yaml-cpp would keep as part of the first key.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    YAML::Node root = YAML::Load(std::string(text));
    doc.positions.set(Pointer(), Location{file, 1, 1});
    Converter conv(doc, diags);
    doc.value = conv.convert(root, Pointer(), 0);
  } catch (const YAML::Exception& e) {
    diags.error_at(location_of(e.mark, file), "", "invalid YAML: " + e.msg);
  }
  diags.throw_if_any();
  return doc;
}

}  // namespace berth::loader
