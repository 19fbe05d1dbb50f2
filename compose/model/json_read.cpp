// Long-syntax JSON -> model, generically: `read` walks every struct's `fields()` list (see
// values.hpp), so adding a key is one line in a header. Scalars are coerced the way compose-go's
// decoders coerce them (a number for a string, "true" for a bool, "1.5GB" for a size); anything
// else is an error naming the key path. Keys outside the field list go to the struct's
// `extensions` (x-* and keys the model does not know alike); a struct without extensions rejects them.
#include "compose/model/json_io.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "compose/gocompat/float.hpp"
#include "compose/model/reflect.hpp"

namespace berth::model {

namespace {

using Json = nlohmann::json;
using namespace detail;

// ---- where we are, for error messages ----

/// A path into the input, rendered only when something is wrong ("services.web.ports[2]").
struct Path {
  const Path* parent = nullptr;
  std::string_view key;
  std::size_t index = 0;
  bool is_index = false;

  Path child(std::string_view k) const { return Path{this, k, 0, false}; }
  Path item(std::size_t i) const { return Path{this, {}, i, true}; }

  std::string pointer() const {
    std::string head = parent ? parent->pointer() : std::string();
    if (is_index) return head + "/" + std::to_string(index);
    if (key.empty()) return head;
    std::string out = head + "/";
    for (char c : key) out += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    return out;
  }

  std::string str() const {
    std::string head = parent ? parent->str() : std::string();
    if (is_index) return head + "[" + std::to_string(index) + "]";
    if (key.empty()) return head;
    return head.empty() ? std::string(key) : head + "." + std::string(key);
  }
};

std::string describe(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      return "a mapping";
    case Json::value_t::array:
      return "a list";
    case Json::value_t::string:
      return "\"" + j.get_ref<const std::string&>() + "\"";
    default:
      return j.dump();
  }
}

[[noreturn]] void mismatch(const Path& path, std::string_view expected, const Json& got) {
  throw ModelError(path.pointer(), path.str(), "expected " + std::string(expected) + ", got " + describe(got));
}

// ---- JSON -> model: scalars ----

std::string scalar_to_string(const Json& j, const Path& path) {
  switch (j.type()) {
    case Json::value_t::string:
      return j.get<std::string>();
    case Json::value_t::boolean:
      return j.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return j.dump();
    case Json::value_t::number_float:
      return gocompat::format_g(j.get<double>());  // fmt.Sprint(float64)
    default:
      mismatch(path, "a string", j);
  }
}

bool read_bool(const Json& j, const Path& path) {
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_string()) {  // strconv.ParseBool, for values that went through interpolation
    const auto& s = j.get_ref<const std::string&>();
    if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") return true;
    if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") return false;
  }
  mismatch(path, "a boolean", j);
}

template <class T>
T read_integer(const Json& j, const Path& path) {
  constexpr auto lo = std::numeric_limits<T>::min();
  constexpr auto hi = std::numeric_limits<T>::max();
  if (j.is_number_unsigned()) {
    auto v = j.get<std::uint64_t>();
    if (v <= static_cast<std::uint64_t>(hi)) return static_cast<T>(v);
  } else if (j.is_number_integer()) {
    auto v = j.get<std::int64_t>();
    if (std::cmp_greater_equal(v, lo) && std::cmp_less_equal(v, hi)) return static_cast<T>(v);
  } else if (j.is_number_float()) {
    double v = j.get<double>();
    if (std::trunc(v) == v && v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) return static_cast<T>(v);
  } else if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    std::string_view text = s;
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    T v{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return v;
  }
  mismatch(path, std::is_signed_v<T> ? "an integer" : "a non-negative integer", j);
}

float read_float(const Json& j, const Path& path) {
  if (j.is_number()) return static_cast<float>(j.get<double>());
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return static_cast<float>(v);
  }
  mismatch(path, "a number", j);
}

// ---- JSON -> model: the types that parse themselves ----

void read_special(const Json& j, Duration& out, const Path& path) {
  auto d = j.is_string() || j.is_number_integer() ? parse_duration(scalar_to_string(j, path)) : std::nullopt;
  if (!d) mismatch(path, "a duration like \"1m30s\"", j);
  out = *d;
}

void read_special(const Json& j, Bytes& out, const Path& path) {
  if (j.is_number()) {
    out.value = read_integer<std::int64_t>(j, path);
    return;
  }
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    std::int64_t n = 0;  // a plain count, which may be -1 ("memswap_limit: -1": unlimited)
    if (auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        ec == std::errc() && end == s.data() + s.size()) {
      out.value = n;
      return;
    }
  }
  auto v = j.is_string() ? parse_bytes(j.get_ref<const std::string&>()) : std::nullopt;
  if (!v) mismatch(path, "a byte size like \"512m\"", j);
  out.value = *v;
}

void read_special(const Json& j, FileMode& out, const Path& path) {
  if (j.is_number()) {
    out.value = read_integer<std::uint32_t>(j, path);
    return;
  }
  if (j.is_string()) {  // octal, as compose-go reads it
    const auto& s = j.get_ref<const std::string&>();
    std::uint32_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 8);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
      out.value = v;
      return;
    }
  }
  mismatch(path, "an octal file mode like \"0440\"", j);
}

void read_special(const Json& j, DeviceCount& out, const Path& path) {
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (s == "all") {
      out.value = -1;
      return;
    }
  }
  out.value = read_integer<std::int64_t>(j, path);
}

void read_special(const Json& j, Ulimit& out, const Path& path) {
  if (j.is_object()) {
    out.single = 0;
    for (const auto& [key, value] : j.items()) {
      if (key == "soft")
        out.soft = read_integer<std::int64_t>(value, path.child("soft"));
      else if (key == "hard")
        out.hard = read_integer<std::int64_t>(value, path.child("hard"));
      else if (key.rfind("x-", 0) != 0)
        throw ModelError(path.child(key).pointer(), path.child(key).str(), "unknown key");
    }
    return;
  }
  out.single = read_integer<std::int64_t>(j, path);
}

void read_special(const Json& j, SshKey& out, const Path& path) {
  if (!j.is_string()) mismatch(path, "an ssh key like \"default\" or \"id=path\"", j);
  const auto& s = j.get_ref<const std::string&>();
  if (auto eq = s.find('='); eq != std::string::npos) {
    out = SshKey{s.substr(0, eq), s.substr(eq + 1)};
  } else if (auto colon = s.find(": "); colon != std::string::npos) {  // compose-go prints "id: path"
    out = SshKey{s.substr(0, colon), s.substr(colon + 2)};
  } else {
    out = SshKey{s, {}};
  }
}

// ---- JSON -> model: the generic part ----

template <class T>
void read(const Json& j, T& out, const Path& path, const Field& opts = {});

template <class S>
void read_struct(const Json& j, S& s, const Path& path) {
  if (!j.is_object()) mismatch(path, "a mapping", j);
  fields(s, [&](const char* key, auto& field, Field opts = {}) {
    auto it = j.find(key);
    if (it == j.end() && opts.json_key) it = j.find(opts.json_key);
    if (it != j.end()) read(*it, field, path.child(key), opts);
  });
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    // `&key = key`: clang 14 cannot capture a structured binding directly.
    fields(s, [&, &key = key](const char* name, auto&, Field opts = {}) {
      known = known || key == name || (opts.json_key && key == opts.json_key);
    });
    if (known) continue;
    if constexpr (HasExtensions<S>) {
      if (!s.extensions.is_object()) s.extensions = Json::object();
      s.extensions[key] = value;
    } else {
      throw ModelError(path.child(key).pointer(), path.child(key).str(), "unknown key");
    }
  }
}

template <class T>
void read(const Json& j, T& out, const Path& path, const Field& opts) {
  if constexpr (IsOptional<T>::value) {
    if (j.is_null()) {
      out.reset();
      return;
    }
    read(j, out.emplace(), path, opts);
  } else if constexpr (std::is_same_v<T, Json>) {
    out = j;
  } else {
    if (j.is_null()) return;  // null means "not set": keep the default
    if constexpr (std::is_same_v<T, std::string>) {
      out = scalar_to_string(j, path);
    } else if constexpr (std::is_same_v<T, bool>) {
      out = read_bool(j, path);
    } else if constexpr (std::is_integral_v<T>) {
      out = read_integer<T>(j, path);
    } else if constexpr (std::is_same_v<T, float>) {
      out = read_float(j, path);
    } else if constexpr (IsVector<T>::value) {
      if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        if (opts.scalar_as_list && !j.is_array() && !j.is_object()) {
          out = {scalar_to_string(j, path)};
          return;
        }
      }
      if (!j.is_array()) mismatch(path, "a list", j);
      out.clear();
      out.resize(j.size());
      for (std::size_t i = 0; i < j.size(); ++i) read(j[i], out[i], path.item(i));
    } else if constexpr (IsStringMap<T>::value) {
      if (!j.is_object()) mismatch(path, "a mapping", j);
      for (const auto& [key, value] : j.items()) read(value, out[key], path.child(key), opts);
    } else if constexpr (Reflected<T>) {
      read_struct(j, out, path);
    } else {
      read_special(j, out, path);
    }
  }
}

}  // namespace

Project project_from_json(const nlohmann::json& resolved) {
  Project project;
  if (resolved.is_null()) return project;
  if (!resolved.is_object()) mismatch(Path{}, "a mapping", resolved);
  Json input = resolved;
  input.erase("version");  // obsolete, and only a warning in docker compose
  input.erase("include");  // already applied by the loader
  read(input, project, Path{});
  for (auto& [name, service] : project.services) service.name = name;
  return project;
}

ServicePort port_from_json(const nlohmann::json& entry) {
  ServicePort port;
  read(entry, port, Path{});
  return port;
}

ServiceVolume service_volume_from_json(const nlohmann::json& entry) {
  ServiceVolume volume;
  read(entry, volume, Path{});
  return volume;
}

}  // namespace berth::model
