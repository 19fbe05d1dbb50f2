// text/template's builtin functions (Go's text/template/funcs.go): and/or (short-circuited by the
// executor), not, len, index, slice, print, println, printf, html, js, urlquery, eq, ne, lt, le,
// gt, ge, with the errors Go's versions return. (`call` is not there: template data here holds no
// functions to call.)
#include "compose/gocompat/text_template_builtins.hpp"

#include <cctype>
#include <cstdio>

namespace berth::gocompat::tmpl {

namespace {

using Json = nlohmann::json;

enum class BasicKind { Invalid, Bool, Int, Float, String, Other };

BasicKind tt_basic(const Value& v) {
  if (!v.valid || v.data.is_null()) return BasicKind::Invalid;
  const Json& j = v.data;
  if (j.is_boolean()) return BasicKind::Bool;
  if (j.is_number_integer()) return BasicKind::Int;
  if (j.is_number_float()) return BasicKind::Float;
  if (j.is_string()) return BasicKind::String;
  return BasicKind::Other;
}

bool tt_eq(const Value& a, const std::vector<Value>& others) {
  if (others.empty()) throw CallError("missing argument for comparison");
  BasicKind k1 = tt_basic(a);
  for (const Value& b : others) {
    BasicKind k2 = tt_basic(b);
    bool truth = false;
    if (k1 != k2) {
      const bool a_valid = a.valid && !a.data.is_null();
      const bool b_valid = b.valid && !b.data.is_null();
      if (a_valid && b_valid) throw CallError("incompatible types for comparison");
    } else {
      switch (k1) {
        case BasicKind::Bool:
          truth = a.data.get<bool>() == b.data.get<bool>();
          break;
        case BasicKind::Int:
          truth = a.data.get<long long>() == b.data.get<long long>();
          break;
        case BasicKind::Float:
          truth = a.data.get<double>() == b.data.get<double>();
          break;
        case BasicKind::String:
          truth = a.data.get<std::string>() == b.data.get<std::string>();
          break;
        case BasicKind::Invalid:
          truth = true;
          break;
        case BasicKind::Other:
          throw CallError("non-comparable type " + sprint_value(a) + ": " + type_name(a));
      }
    }
    if (truth) return true;
  }
  return false;
}

bool tt_lt(const Value& a, const Value& b) {
  BasicKind k1 = tt_basic(a), k2 = tt_basic(b);
  auto bad = [](BasicKind k) { return k == BasicKind::Invalid || k == BasicKind::Other || k == BasicKind::Bool; };
  if (bad(k1) || bad(k2)) throw CallError("invalid type for comparison");
  if (k1 != k2) throw CallError("incompatible types for comparison");
  switch (k1) {
    case BasicKind::Int:
      return a.data.get<long long>() < b.data.get<long long>();
    case BasicKind::Float:
      return a.data.get<double>() < b.data.get<double>();
    default:
      return a.data.get<std::string>() < b.data.get<std::string>();
  }
}

long long tt_index_arg(const Value& index, std::size_t len, bool slice) {
  if (!index.valid || index.data.is_null()) throw CallError("cannot index slice/array with nil");
  if (!index.data.is_number_integer()) throw CallError("cannot index slice/array with type " + type_name(index));
  long long x = index.data.get<long long>();
  if (x < 0 || static_cast<std::size_t>(x) > len || (!slice && static_cast<std::size_t>(x) == len))
    throw CallError("index out of range: " + std::to_string(x));
  return x;
}

Value tt_index(std::vector<Value>& args) {
  Value item = args[0];
  if (!item.valid || item.data.is_null()) throw CallError("index of untyped nil");
  for (std::size_t i = 1; i < args.size(); ++i) {
    const Value& index = args[i];
    if (item.data.is_null()) throw CallError("index of nil pointer");
    if (item.data.is_array()) {
      item = Value{item.data[static_cast<std::size_t>(tt_index_arg(index, item.data.size(), false))], true, true};
    } else if (item.data.is_string()) {
      const std::string& s = item.data.get_ref<const std::string&>();
      item = Value{static_cast<unsigned char>(s[static_cast<std::size_t>(tt_index_arg(index, s.size(), false))]), true};
    } else if (item.data.is_object()) {
      if (!index.valid || index.data.is_null()) throw CallError("value is nil; should be of type string");
      if (!index.data.is_string()) throw CallError("value has type " + type_name(index) + "; should be string");
      auto it = item.data.find(index.data.get<std::string>());
      item = it == item.data.end() ? Value{nullptr, true, true} : Value{*it, true, true};
    } else {
      throw CallError("can't index item of type " + type_name(item));
    }
  }
  return item;
}

Value tt_slice(std::vector<Value>& args) {
  const Value& item = args[0];
  if (!item.valid || item.data.is_null()) throw CallError("slice of untyped nil");
  if (args.size() > 4) throw CallError("too many slice indexes: " + std::to_string(args.size() - 1));
  std::size_t len = item.data.is_string()  ? item.data.get_ref<const std::string&>().size()
                    : item.data.is_array() ? item.data.size()
                                           : 0;
  if (!item.data.is_string() && !item.data.is_array()) throw CallError("can't slice item of type " + type_name(item));
  if (item.data.is_string() && args.size() == 4) throw CallError("cannot 3-index slice a string");
  std::vector<long long> idx = {0, static_cast<long long>(len)};
  for (std::size_t i = 1; i < args.size(); ++i) {
    long long x = tt_index_arg(args[i], len, true);
    if (i - 1 < idx.size())
      idx[i - 1] = x;
    else
      idx.push_back(x);
  }
  if (idx[0] > idx[1])
    throw CallError("invalid slice index: " + std::to_string(idx[0]) + " > " + std::to_string(idx[1]));
  if (item.data.is_string())
    return Value{item.data.get<std::string>().substr(static_cast<std::size_t>(idx[0]),
                                                     static_cast<std::size_t>(idx[1] - idx[0])),
                 true};
  Json out = Json::array();
  for (long long i = idx[0]; i < idx[1]; ++i) out.push_back(item.data[static_cast<std::size_t>(i)]);
  return Value{out, true};
}

std::string tt_sprint(const std::vector<Value>& args, bool ln) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    // fmt.Sprint: a space between operands when neither is a string; Sprintln: always.
    if (i > 0 && (ln || (!args[i].data.is_string() && !args[i - 1].data.is_string()))) out += ' ';
    out += args[i].valid && args[i].data.is_null() ? "<nil>" : sprint_value(args[i]);
  }
  return ln ? out + "\n" : out;
}

/// text/template's evalArgs: a lone string as it is, else fmt.Sprint of the arguments.
std::string tt_eval_args(const std::vector<Value>& args) {
  if (args.size() == 1 && args[0].data.is_string()) return args[0].data.get<std::string>();
  return tt_sprint(args, false);
}

/// template.HTMLEscapeString.
std::string tt_html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// template.JSEscapeString (ASCII; other UTF-8 kept as it is).
std::string tt_js(const std::string& s) {
  std::string out;
  char buf[8];
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '<':
        out += "\\u003C";
        break;
      case '>':
        out += "\\u003E";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '=':
        out += "\\u003D";
        break;
      default:
        if (u < ' ') {
          std::snprintf(buf, sizeof buf, "\\u%04X", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

/// url.QueryEscape.
std::string tt_urlquery(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Function tt_fn(std::vector<Arg> params, bool variadic, std::function<Value(std::vector<Value>&)> call) {
  return Function{std::move(params), variadic, std::move(call)};
}

}  // namespace

const FuncMap& builtin_funcs() {
  static const FuncMap funcs = [] {
    FuncMap f;
    // and/or: evaluated by the executor (they short-circuit); registered for their arity.
    f["and"] = tt_fn({Arg::Value, Arg::Value}, true, [](std::vector<Value>& a) { return a.back(); });
    f["or"] = tt_fn({Arg::Value, Arg::Value}, true, [](std::vector<Value>& a) { return a.back(); });
    f["not"] = tt_fn({Arg::Value}, false, [](std::vector<Value>& a) { return Value{!is_true(a[0]), true}; });
    f["len"] = tt_fn({Arg::Value}, false, [](std::vector<Value>& a) {
      const Value& v = a[0];
      if (!v.valid || v.data.is_null()) throw CallError("len of nil pointer");
      if (v.data.is_string()) return Value{static_cast<long long>(v.data.get_ref<const std::string&>().size()), true};
      if (v.data.is_array() || v.data.is_object()) return Value{static_cast<long long>(v.data.size()), true};
      throw CallError("len of type " + type_name(v));
    });
    f["index"] = tt_fn({Arg::Value, Arg::Value}, true, tt_index);
    f["slice"] = tt_fn({Arg::Value, Arg::Value}, true, tt_slice);
    f["print"] = tt_fn({Arg::Any}, true, [](std::vector<Value>& a) { return Value{tt_sprint(a, false), true}; });
    f["println"] = tt_fn({Arg::Any}, true, [](std::vector<Value>& a) { return Value{tt_sprint(a, true), true}; });
    f["printf"] = tt_fn({Arg::String, Arg::Any}, true, [](std::vector<Value>& a) {
      std::vector<Value> rest(a.begin() + 1, a.end());
      return Value{sprintf(a[0].data.get<std::string>(), rest), true};
    });
    f["html"] = tt_fn({Arg::Any}, true, [](std::vector<Value>& a) { return Value{tt_html(tt_eval_args(a)), true}; });
    f["js"] = tt_fn({Arg::Any}, true, [](std::vector<Value>& a) { return Value{tt_js(tt_eval_args(a)), true}; });
    f["urlquery"] = tt_fn({Arg::Any}, true, [](std::vector<Value>& a) {
      return Value{tt_urlquery(tt_eval_args(a)), true};
    });
    f["eq"] = tt_fn({Arg::Value, Arg::Value}, true, [](std::vector<Value>& a) {
      std::vector<Value> rest(a.begin() + 1, a.end());
      return Value{tt_eq(a[0], rest), true};
    });
    f["ne"] = tt_fn({Arg::Value, Arg::Value}, false, [](std::vector<Value>& a) {
      return Value{!tt_eq(a[0], {a[1]}), true};
    });
    f["lt"] = tt_fn({Arg::Value, Arg::Value}, false, [](std::vector<Value>& a) {
      return Value{tt_lt(a[0], a[1]), true};
    });
    f["le"] = tt_fn({Arg::Value, Arg::Value}, false, [](std::vector<Value>& a) {
      return Value{tt_lt(a[0], a[1]) || tt_eq(a[0], {a[1]}), true};
    });
    f["gt"] = tt_fn({Arg::Value, Arg::Value}, false, [](std::vector<Value>& a) {
      return Value{!tt_lt(a[0], a[1]) && !tt_eq(a[0], {a[1]}), true};
    });
    f["ge"] = tt_fn({Arg::Value, Arg::Value}, false, [](std::vector<Value>& a) {
      return Value{!tt_lt(a[0], a[1]), true};
    });
    return f;
  }();
  return funcs;
}

}  // namespace berth::gocompat::tmpl
