// The small conversions every normaliser shares, each one a port of the compose-go type that
// decodes the key (types.Mapping, MappingWithEquals, Labels, Options, StringList, HostsList,
// UnitBytes, Duration, FileMode) followed by how that type prints. Values that cannot be converted
// are left as they were and reported; the caller carries on with the next key.
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <vector>

#include "compose/gocompat/float.hpp"
#include "compose/gocompat/path.hpp"
#include "compose/gocompat/units.hpp"
#include "compose/loader/json_text.hpp"
#include "compose/loader/normalize_detail.hpp"

namespace berth::loader::detail {

json* member(json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string go_sprint(const json& v) {
  switch (v.type()) {
    case json::value_t::string:
      return v.get<std::string>();
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case json::value_t::number_float:
      return gocompat::format_g(v.get<double>());
    case json::value_t::null:
      return "";
    default:
      return json_text(v);
  }
}

void to_mapping(json* value, NullValues nulls) {
  if (value == nullptr) return;
  auto absent = [&] { return nulls == NullValues::Keep ? json(nullptr) : json(""); };
  json out = json::object();
  if (value->is_array()) {
    for (const auto& item : *value) {
      std::string text = go_sprint(item);
      auto eq = text.find('=');
      if (eq == std::string::npos)
        out[text] = absent();
      else
        out[text.substr(0, eq)] = text.substr(eq + 1);
    }
  } else if (value->is_object()) {
    for (auto& [k, v] : value->items()) out[k] = v.is_null() ? absent() : json(go_sprint(v));
  } else {
    return;  // not a list_or_dict: the schema stage reports it
  }
  *value = std::move(out);
}

void to_options(json* value) {
  if (value == nullptr || !value->is_object()) return;
  for (auto& [k, v] : value->items()) v = go_sprint(v);
}

void string_to_list(json* value) {
  if (value != nullptr && value->is_string()) *value = json::array({*value});
}

void to_hosts_list(json* value, const Context& ctx, const Pointer& at) {
  if (value == nullptr) return;
  std::map<std::string, std::vector<std::string>> hosts;
  if (value->is_array()) {
    for (size_t i = 0; i < value->size(); ++i) {
      std::string entry = go_sprint((*value)[i]);
      // "host=ip" first, then the legacy "host:ip" (so "host=::1" and "host:::1" both work).
      auto sep = entry.find('=');
      if (sep == std::string::npos) sep = entry.find(':');
      if (sep == std::string::npos) {
        ctx.error(at / i, "invalid extra host \"" + entry + "\": missing IP address (expected host=ip or host:ip)");
        return;
      }
      auto& ips = hosts[entry.substr(0, sep)];
      std::string_view rest = std::string_view(entry).substr(sep + 1);
      for (size_t pos = 0;;) {
        auto comma = rest.find(',', pos);
        ips.emplace_back(rest.substr(pos, comma - pos));
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
      }
    }
  } else if (value->is_object()) {
    for (auto& [host, ip] : value->items()) {
      if (ip.is_array()) {
        for (const auto& one : ip) hosts[host].push_back(go_sprint(one));
      } else {
        hosts[host].push_back(go_sprint(ip));
      }
    }
  } else {
    return;
  }
  std::vector<std::string> out;
  for (auto& [host, ips] : hosts) {
    if (host.empty() || host.find_first_of(":=") != std::string::npos) {
      ctx.error(at, "invalid extra host: bad host name \"" + host + "\"");
      return;
    }
    for (auto& ip : ips) {
      if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
      out.push_back(host + "=" + ip);
    }
  }
  std::sort(out.begin(), out.end());
  *value = out;
}

std::string join_path(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return "";
  if (a.empty()) return gocompat::clean_path(b);
  if (b.empty()) return gocompat::clean_path(a);
  std::string both(a);
  both += '/';
  both += b;
  return gocompat::clean_path(both);
}

std::string abs_path(const std::string& path, const NormalizeOptions& opts) {
  if (path.empty() || !opts.resolve_paths) return path;
  std::string expanded = path[0] == '~' ? join_path(opts.home_dir, std::string_view(path).substr(1)) : path;
  if (!expanded.empty() && expanded[0] == '/') return expanded;
  return join_path(opts.working_dir, expanded);
}

bool is_remote_context(std::string_view v) {
  if (v.find("://") != std::string_view::npos) return true;
  for (std::string_view prefix : {"service:", "github.com/", "git@"}) {
    if (v.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

std::optional<bool> parse_go_bool(std::string_view t) {
  if (t == "1" || t == "t" || t == "T" || t == "true" || t == "TRUE" || t == "True") return true;
  if (t == "0" || t == "f" || t == "F" || t == "false" || t == "FALSE" || t == "False") return false;
  return std::nullopt;
}

void duration_field(json& obj, std::string_view key, const Context& ctx, const Pointer& at) {
  json* v = member(obj, key);
  if (v == nullptr || v->is_null()) return;
  // compose-go parses fmt.Sprint(value), so a bare number is a duration without unit (only 0 is valid).
  std::string text = go_sprint(*v);
  auto ns = gocompat::parse_duration_ns(text);
  if (!ns) {
    ctx.error(at / std::string(key),
              "invalid duration \"" + text + "\": expected a number with a unit such as 10s, 1m30s, 1.5h or 300ms");
    return;
  }
  *v = gocompat::format_duration(*ns);
}

void bytes_field(json& obj, std::string_view key, const Context& ctx, const Pointer& at) {
  json* v = member(obj, key);
  if (v == nullptr || v->is_null()) return;
  if (v->is_number_integer()) {
    *v = go_sprint(*v);
  } else if (v->is_number_float()) {
    *v = std::to_string(static_cast<int64_t>(v->get<double>()));
  } else if (v->is_string()) {
    auto bytes = gocompat::parse_bytes(v->get<std::string>());
    if (!bytes) {
      ctx.error(at / std::string(key),
                "invalid size \"" + v->get<std::string>() +
                    "\": expected a number of bytes with an optional unit b, k, m, g, t or p (e.g. 512m, 1.5g)");
      return;
    }
    *v = std::to_string(*bytes);
  }
}

void file_mode_field(json& obj, std::string_view key, const Context& ctx, const Pointer& at) {
  json* v = member(obj, key);
  if (v == nullptr || v->is_null()) return;
  int64_t mode = -1;
  if (v->is_number_integer()) {
    mode = v->get<int64_t>();
  } else if (v->is_string()) {
    const std::string text = v->get<std::string>();
    std::string_view digits = text;
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), mode, 8);
    if (ec != std::errc() || end != digits.data() + digits.size()) mode = -1;
  }
  if (mode < 0) {
    ctx.error(at / std::string(key), "invalid file mode " + v->dump() + ": expected an octal number such as 0440");
    return;
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, mode, 8);
  *v = '0' + std::string(buf, res.ptr);
}

void command_field(json& obj, std::string_view key, const Context& ctx, const Pointer& at) {
  json* v = member(obj, key);
  if (v == nullptr || !v->is_string()) return;
  try {
    *v = split_shell_words(v->get<std::string>());
  } catch (const std::invalid_argument& e) {
    ctx.error(at / std::string(key), e.what());
  }
}

void number_field(json& obj, std::string_view key, const Context& ctx, const Pointer& at) {
  json* v = member(obj, key);
  if (v == nullptr || !v->is_string()) return;
  const std::string text = v->get<std::string>();
  double d = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d, std::chars_format::general);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    ctx.error(at / std::string(key), "invalid number \"" + text + "\"");
    return;
  }
  *v = d;
}

}  // namespace berth::loader::detail
