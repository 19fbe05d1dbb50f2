// The transformer's template functions (compose-bridge-transformer convert.go `helpers`), over
// text/template values. Where convert.go would panic (a type assertion, a slice out of range) the
// call fails with Go's runtime message; `required` and `readfile` end the conversion as its
// ExitError does.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "compose/bridge/templates.hpp"
#include "compose/gocompat/base64.hpp"
#include "compose/gocompat/path.hpp"
#include "compose/gocompat/units.hpp"

namespace berth::bridge {

namespace {

using gocompat::tmpl::Arg;
using gocompat::tmpl::CallError;
using gocompat::tmpl::Function;
using gocompat::tmpl::Value;
using TfJson = nlohmann::json;

std::string tf_str(const Value& v) { return v.data.get<std::string>(); }

/// convert.go's safe(): lower case, every other character than [a-z0-9] a '-', no leading '-'.
std::string tf_safe(std::string s) {
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    c = static_cast<char>(std::tolower(u));
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
  }
  std::size_t lead = s.find_first_not_of('-');
  return lead == std::string::npos ? "" : s.substr(lead);
}

/// strings.Title: the first letter of each word in upper case (a word follows a non-letter,
/// non-digit, non-underscore character).
std::string tf_title(std::string s) {
  bool sep = true;
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (sep && std::islower(u)) c = static_cast<char>(std::toupper(u));
    sep = !(std::isalnum(u) || c == '_' || u >= 0x80);
  }
  return s;
}

}  // namespace

gocompat::tmpl::FuncMap transformer_funcs() {
  gocompat::tmpl::FuncMap f;
  f["helmValue"] = {
      {Arg::String, Arg::Any}, true, [](std::vector<Value>& a) {
        std::vector<Value> rest(a.begin() + 1, a.end());
        // ⌦ / ⌫ stand for {{ / }} until the YAML is written (then replaced back)
        return Value{"\xE2\x8C\xA6 " + gocompat::tmpl::sprintf(tf_str(a[0]), rest) + " \xE2\x8C\xAB", true};
      }};
  f["isString"] = {{Arg::Any}, false, [](std::vector<Value>& a) { return Value{a[0].data.is_string(), true}; }};
  f["hasAttribute"] = {{Arg::Any, Arg::String}, false, [](std::vector<Value>& a) {
                         return Value{a[0].data.is_object() && a[0].data.contains(tf_str(a[1])), true};
                       }};
  f["getAttribute"] = {{Arg::Any, Arg::String}, false, [](std::vector<Value>& a) {
                         if (!a[0].data.is_object()) return Value{nullptr, true};
                         auto it = a[0].data.find(tf_str(a[1]));
                         return it == a[0].data.end() ? Value{nullptr, true} : Value{*it, true};
                       }};
  f["required"] = {{Arg::String, Arg::Any}, false, [](std::vector<Value>& a) {
                     if (!a[1].data.is_null()) return a[1];
                     throw TransformerExit("missing required attribute in compose model: " + tf_str(a[0]));
                   }};
  f["seconds"] = {{Arg::Any}, false, [](std::vector<Value>& a) {
                    if (!a[0].data.is_string())
                      throw CallError("interface conversion: interface {} is " +
                                      (a[0].data.is_null() ? std::string("nil") : gocompat::tmpl::type_name(a[0])) +
                                      ", not string");
                    auto ns = gocompat::parse_duration_ns(tf_str(a[0]));  // an error counts as 0, as in convert.go
                    return Value{ns ? static_cast<double>(*ns) / 1e9 : 0.0, true};
                  }};
  f["uppercase"] = {{Arg::String}, false, [](std::vector<Value>& a) {
                      std::string s = tf_str(a[0]);
                      for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                      return Value{s, true};
                    }};
  f["title"] = {{Arg::String}, false, [](std::vector<Value>& a) { return Value{tf_title(tf_str(a[0])), true}; }};
  f["safe"] = {{Arg::String}, false, [](std::vector<Value>& a) { return Value{tf_safe(tf_str(a[0])), true}; }};
  f["truncate"] = {{Arg::Int, Arg::List}, false, [](std::vector<Value>& a) {
                     long long n = a[0].data.get<long long>();
                     const TfJson& list = a[1].data.is_null() ? TfJson::array() : a[1].data;
                     if (n < 0 || static_cast<std::size_t>(n) > list.size())
                       throw CallError("runtime error: slice bounds out of range [" + std::to_string(n) + ":" +
                                       std::to_string(list.size()) + "]");
                     TfJson out = TfJson::array();
                     for (std::size_t i = static_cast<std::size_t>(n); i < list.size(); ++i) out.push_back(list[i]);
                     return Value{out, true};
                   }};
  f["join"] = {{Arg::String, Arg::List}, false, [](std::vector<Value>& a) {
                 std::string out;
                 bool first = true;
                 for (const auto& e : a[1].data) {
                   if (!e.is_string())
                     throw CallError("interface conversion: interface {} is " +
                                     gocompat::tmpl::type_name(Value{e, true}) + ", not string");
                   out += (first ? "" : tf_str(a[0])) + e.get<std::string>();
                   first = false;
                 }
                 return Value{out, true};
               }};
  f["base64"] = {{Arg::String}, false, [](std::vector<Value>& a) {
                   return Value{gocompat::base64_encode(tf_str(a[0])), true};
                 }};
  f["readfile"] = {{Arg::String}, false, [](std::vector<Value>& a) {
                     std::ifstream in(tf_str(a[0]), std::ios::binary);
                     if (!in)
                       throw TransformerExit("failed to read " + tf_str(a[0]) + ": open " + tf_str(a[0]) + ": " +
                                             std::strerror(errno));
                     std::ostringstream s;
                     s << in.rdbuf();
                     return Value{s.str(), true};
                   }};
  f["getenv"] = {{Arg::String}, false, [](std::vector<Value>& a) {
                   const char* v = std::getenv(tf_str(a[0]).c_str());
                   return Value{std::string(v ? v : ""), true};
                 }};
  f["dir"] = {{Arg::String}, false, [](std::vector<Value>& a) {
                std::string p = tf_str(a[0]);
                std::size_t slash = p.rfind('/');
                std::string d = slash == std::string::npos ? "." : slash == 0 ? "/" : p.substr(0, slash);
                return Value{gocompat::clean_path(d), true};
              }};
  f["indent"] = {{Arg::String, Arg::Int}, false, [](std::vector<Value>& a) {
                   std::string pad(static_cast<std::size_t>(std::max(0LL, a[1].data.get<long long>())), ' ');
                   std::string s = tf_str(a[0]), out;
                   std::size_t start = 0;
                   while (start < s.size()) {  // bufio.ScanLines: a last line without '\n' counts; "\r\n" too
                     std::size_t nl = s.find('\n', start);
                     std::string line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
                     if (!line.empty() && line.back() == '\r') line.pop_back();
                     out += pad + line + "\n";
                     start = nl == std::string::npos ? s.size() : nl + 1;
                   }
                   return Value{out, true};
                 }};
  f["map"] = {{Arg::String, Arg::String}, true, [](std::vector<Value>& a) {
                std::string s = tf_str(a[0]);
                auto trim = [](std::string t) {
                  std::size_t b = t.find_first_not_of(" \t\r\n\v\f");
                  std::size_t e = t.find_last_not_of(" \t\r\n\v\f");
                  return b == std::string::npos ? std::string() : t.substr(b, e - b + 1);
                };
                for (std::size_t i = 1; i < a.size(); ++i) {
                  std::string rule = tf_str(a[i]);
                  std::size_t arrow = rule.find("->");
                  std::string before = rule.substr(0, arrow);
                  std::string after = arrow == std::string::npos ? "" : rule.substr(arrow + 2);
                  if (s == trim(before)) return Value{trim(after), true};
                }
                return Value{s, true};
              }};
  f["portName"] = {{Arg::String, Arg::Any}, false, [](std::vector<Value>& a) {
                     std::string service = tf_str(a[0]);
                     std::string port;
                     if (a[1].data.is_string())
                       port = a[1].data.get<std::string>();
                     else if (a[1].data.is_number_integer())
                       port = std::to_string(a[1].data.get<long long>());
                     long long shrink = 15 - static_cast<long long>(port.size() + 1);
                     if (static_cast<long long>(service.size()) < shrink)
                       shrink = static_cast<long long>(service.size());
                     if (shrink < 0)
                       throw CallError("runtime error: slice bounds out of range [:" + std::to_string(shrink) + "]");
                     return Value{tf_safe(service.substr(0, static_cast<std::size_t>(shrink)) + "-" + port), true};
                   }};
  return f;
}

}  // namespace berth::bridge
