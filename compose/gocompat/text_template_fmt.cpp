// What text/template prints and compares with: fmt's %v of Go's `any` values (`<nil>`, `[a b]`,
// `map[k:v]`, floats as strconv's shortest %g), fmt.Sprintf's verbs and its `%!` error forms, and
// template truth.
#include <cctype>
#include <cstdio>

#include "compose/gocompat/float.hpp"
#include "compose/gocompat/text_template.hpp"
#include "compose/gocompat/text_template_tree.hpp"

namespace berth::gocompat::tmpl {

namespace {

using Json = nlohmann::json;

std::string tt_verb_value(char verb, const Json& v, const std::string& flags, int width, int prec);

std::string tt_pad(std::string s, const std::string& flags, int width) {
  if (width < 0 || static_cast<int>(s.size()) >= width) return s;
  std::size_t n = static_cast<std::size_t>(width) - s.size();
  if (flags.find('-') != std::string::npos) return s + std::string(n, ' ');
  if (flags.find('0') != std::string::npos && !s.empty() &&
      (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '+')) {
    std::size_t at = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    return s.insert(at, std::string(n, '0'));
  }
  return std::string(n, ' ') + s;
}

std::string tt_bad(char verb, const Json& v) {
  if (v.is_null()) return std::string("%!") + verb + "(<nil>)";
  return std::string("%!") + verb + "(" + type_name(Value{v, true}) + "=" + sprint_value(Value{v, true}) + ")";
}

std::string tt_float(char verb, double d, int prec) {
  if (verb == 'v' || (verb == 'g' && prec < 0)) return format_g(d);
  char fmtbuf[16];
  std::snprintf(fmtbuf, sizeof fmtbuf, "%%.%d%c", prec < 0 ? 6 : prec, verb == 'F' ? 'f' : verb);
  char buf[512];
  std::snprintf(buf, sizeof buf, fmtbuf, d);
  return buf;
}

std::string tt_verb_value(char verb, const Json& v, const std::string& flags, int width, int prec) {
  std::string s;
  const bool plus = flags.find('+') != std::string::npos;
  if (v.is_array() && verb != 'v' && verb != 'T') {  // fmt applies the verb to each element
    s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + tt_verb_value(verb, v[i], flags, -1, prec);
    return tt_pad(s + "]", flags, width);
  }
  switch (verb) {
    case 'v':
      s = v.is_number_float() ? format_g(v.get<double>()) : sprint_value(Value{v, true});
      if (plus && v.is_number() && s[0] != '-') s = "+" + s;
      break;
    case 'T':
      s = type_name(Value{v, true});
      break;
    case 's':
      if (!v.is_string()) return tt_bad(verb, v);
      s = v.get<std::string>();
      if (prec >= 0 && static_cast<int>(s.size()) > prec) s.resize(static_cast<std::size_t>(prec));
      break;
    case 'q':
      if (v.is_string()) {
        s = tmpl_tree::go_quote(v.get<std::string>());
      } else if (v.is_number_integer()) {
        std::string r;
        long long c = v.get<long long>();
        if (c < 0x80) r = std::string(1, static_cast<char>(c));
        s = r == "'" ? "'\\''" : "'" + r + "'";
      } else {
        return tt_bad(verb, v);
      }
      break;
    case 'd':
      if (!v.is_number_integer()) return tt_bad(verb, v);
      s = std::to_string(v.get<long long>());
      if (plus && s[0] != '-') s = "+" + s;
      break;
    case 't':
      if (!v.is_boolean()) return tt_bad(verb, v);
      s = v.get<bool>() ? "true" : "false";
      break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      if (!v.is_number_float()) return tt_bad(verb, v);
      s = tt_float(verb, v.get<double>(), prec);
      if (plus && s[0] != '-') s = "+" + s;
      break;
    case 'x':
    case 'X': {
      const char* digits = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
      if (v.is_string()) {
        for (unsigned char c : v.get<std::string>()) {
          s += digits[c >> 4];
          s += digits[c & 15];
        }
      } else if (v.is_number_integer()) {
        long long n = v.get<long long>();
        unsigned long long u = n < 0 ? 0ULL - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
        do {
          s.insert(s.begin(), digits[u & 15]);
          u >>= 4;
        } while (u);
        if (n < 0) s = "-" + s;
      } else {
        return tt_bad(verb, v);
      }
      break;
    }
    case 'c':
      if (!v.is_number_integer()) return tt_bad(verb, v);
      s = std::string(1, static_cast<char>(v.get<long long>()));
      break;
    default:
      return tt_bad(verb, v);
  }
  return tt_pad(s, flags, width);
}

}  // namespace

std::string type_name(const Value& v) {
  if (!v.valid) return "<invalid reflect.Value>";
  const Json& j = v.data;
  if (j.is_string()) return "string";
  if (j.is_boolean()) return "bool";
  if (j.is_number_integer()) return "int";
  if (j.is_number_float()) return "float64";
  if (j.is_array()) return "[]interface {}";
  if (j.is_object()) return "map[string]interface {}";
  return "interface {}";
}

std::string sprint_value(const Value& v) {
  if (!v.valid) return "<no value>";
  const Json& j = v.data;
  if (j.is_null()) return "<nil>";
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_number_unsigned()) return std::to_string(j.get<unsigned long long>());
  if (j.is_number_integer()) return std::to_string(j.get<long long>());
  if (j.is_number_float()) return format_g(j.get<double>());
  std::string out;
  if (j.is_array()) {
    out = "[";
    bool first = true;
    for (const auto& e : j) {
      out += (first ? "" : " ") + sprint_value(Value{e, true});
      first = false;
    }
    return out + "]";
  }
  out = "map[";
  bool first = true;
  for (const auto& [k, e] : j.items()) {  // nlohmann::json keeps keys sorted, as fmt prints maps
    out += (first ? "" : " ") + k + ":" + sprint_value(Value{e, true});
    first = false;
  }
  return out + "]";
}

std::string sprintf(const std::string& format, const std::vector<Value>& args) {
  std::string out;
  std::size_t arg = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    ++i;
    std::string flags;
    while (i < format.size() && std::string("+-# 0").find(format[i]) != std::string::npos) flags += format[i++];
    int width = -1, prec = -1;
    while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i])))
      width = (width < 0 ? 0 : width * 10) + (format[i++] - '0');
    if (i < format.size() && format[i] == '.') {
      ++i;
      prec = 0;
      while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i])))
        prec = prec * 10 + (format[i++] - '0');
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char verb = format[i];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (arg >= args.size()) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    const Value& a = args[arg++];
    out += tt_verb_value(verb, a.valid ? a.data : Json(nullptr), flags, width, prec);
  }
  if (arg < args.size()) {
    out += "%!(EXTRA ";
    for (std::size_t k = arg; k < args.size(); ++k) {
      if (k > arg) out += ", ";
      out += args[k].data.is_null() ? "<nil>" : type_name(args[k]) + "=" + sprint_value(args[k]);
    }
    out += ")";
  }
  return out;
}

bool is_true(const Value& v) {
  if (!v.valid) return false;
  const Json& j = v.data;
  if (j.is_null()) return false;
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer()) return j.get<long long>() != 0;
  if (j.is_number_unsigned()) return j.get<unsigned long long>() != 0;
  if (j.is_number_float()) return j.get<double>() != 0;
  if (j.is_string()) return !j.get<std::string>().empty();
  return !j.empty();
}

}  // namespace berth::gocompat::tmpl
