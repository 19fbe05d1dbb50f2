// Model -> the tree `docker compose config` prints, generically over every struct's `fields()`
// list. The rules are what compose-go's types marshal to:
//  - Go's `omitempty`: zero scalars, empty strings/lists/maps and unset pointers (our optionals)
//    are left out. A struct value (not a pointer) is never left out by encoding/json, so the JSON
//    flavour prints `"ipam": {}`; go-yaml leaves it out when all its fields are zero.
//  - Go maps print sorted: bytewise in JSON, in go-yaml's natural order in YAML.
//  - x-* extensions are inlined at the end of each struct in YAML (sorted); encoding/json skips
//    them except at the top level, where compose-go merges them into one sorted map. Keys the
//    model does not know travel with the extensions but are printed in both flavours.
//  - A few types marshal themselves: durations ("1m0s"), byte sizes ("52428800"), file modes
//    ("0440"), ulimits (a number or soft/hard), ssh keys ("default", "id: path").
#include "compose/model/json_io.hpp"

#include <algorithm>
#include <charconv>
#include <type_traits>

#include "compose/gocompat/float.hpp"
#include "compose/model/reflect.hpp"
#include "compose/model/yaml_emit.hpp"

namespace berth::model {

namespace {

using Json = nlohmann::json;
using Tree = nlohmann::ordered_json;
using namespace detail;

template <class T>
bool is_zero(const T& v, Flavor flavor);

/// Go's omitempty (encoding/json) or isZero (go-yaml) for one field.
template <class T>
bool omitted(const T& v, const Field& opts, Flavor flavor) {
  switch (opts.omit) {
    case Omit::Never:
      return false;
    case Omit::YamlOnly:
      return flavor == Flavor::Yaml && is_zero(v, flavor);
    case Omit::WhenTrue:
      if constexpr (std::is_same_v<T, bool>) return v;
      return false;
    case Omit::Empty:
      return is_zero(v, flavor);
  }
  return false;
}

template <class T>
bool is_zero(const T& v, Flavor flavor) {
  if constexpr (IsOptional<T>::value) {
    return !v.has_value();
  } else if constexpr (std::is_same_v<T, Json>) {
    return v.is_null() || (v.is_object() && v.empty());
  } else if constexpr (std::is_same_v<T, std::string> || IsVector<T>::value || IsStringMap<T>::value) {
    return v.empty();
  } else if constexpr (std::is_arithmetic_v<T>) {
    return v == T{};
  } else if constexpr (Reflected<T>) {
    if (flavor == Flavor::Json) return false;  // encoding/json never omits a struct value
    bool zero = true;
    fields(v, [&](const char*, const auto& field, Field opts = {}) {
      if constexpr (std::is_same_v<std::remove_cvref_t<decltype(field)>, bool>) {
        if (opts.omit == Omit::WhenTrue) {  // OptOut.IsZero() is "is true"
          zero = zero && field;
          return;
        }
      }
      zero = zero && is_zero(field, flavor);
    });
    if constexpr (HasExtensions<T>) zero = zero && is_zero(v.extensions, flavor);
    return zero;
  } else if constexpr (std::is_same_v<T, Ulimit>) {
    return v.single == 0 && v.soft == 0 && v.hard == 0;
  } else if constexpr (std::is_same_v<T, SshKey>) {
    return v.id.empty() && v.path.empty();
  } else {
    return v == T{};  // Duration, Bytes, FileMode, DeviceCount
  }
}

/// Free-form values (x-* extensions): map keys sorted the way the flavour's Go encoder sorts them.
Tree free_form(const Json& j, Flavor flavor) {
  if (j.is_object()) {
    std::vector<const std::string*> keys;
    for (const auto& [key, value] : j.items()) keys.push_back(&key);
    if (flavor == Flavor::Yaml)
      std::stable_sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return yaml_key_less(*a, *b); });
    Tree out = Tree::object();
    for (const auto* key : keys) out[*key] = free_form(j.at(*key), flavor);
    return out;
  }
  if (j.is_array()) {
    Tree out = Tree::array();
    for (const auto& item : j) out.push_back(free_form(item, flavor));
    return out;
  }
  return Tree(j);
}

Tree write_special(const Duration& d, Flavor) { return format_duration(d); }
Tree write_special(const Bytes& b, Flavor) { return std::to_string(b.value); }

Tree write_special(const FileMode& m, Flavor) {
  char buf[16];
  auto res = std::to_chars(buf, buf + sizeof buf, m.value, 8);
  return '0' + std::string(buf, res.ptr);
}

Tree write_special(const DeviceCount& c, Flavor) { return c.value; }

Tree write_special(const Ulimit& u, Flavor flavor) {
  if (u.single != 0) return u.single;
  Tree out = Tree::object();
  // MarshalYAML returns an untagged struct{Soft, Hard}: both always; JSON marshals with omitempty.
  if (flavor == Flavor::Yaml || u.soft != 0) out["soft"] = u.soft;
  if (flavor == Flavor::Yaml || u.hard != 0) out["hard"] = u.hard;
  return out;
}

Tree write_special(const SshKey& k, Flavor flavor) {
  if (k.path.empty()) return k.id;
  // compose-go's MarshalYAML prints "id: path"; its MarshalJSON would emit invalid JSON, so the
  // JSON flavour uses the spec's "id=path".
  return flavor == Flavor::Yaml ? k.id + ": " + k.path : k.id + "=" + k.path;
}

template <class T>
Tree write(const T& v, Flavor flavor);

template <class S>
Tree write_struct(const S& s, Flavor flavor) {
  Tree out = Tree::object();
  fields(s, [&](const char* key, const auto& field, Field opts = {}) {
    if (omitted(field, opts, flavor)) return;
    Tree value = write(field, flavor);
    if (opts.sorted && value.is_array()) std::sort(value.begin(), value.end());
    out[flavor == Flavor::Json && opts.json_key ? opts.json_key : key] = std::move(value);
  });
  if constexpr (HasExtensions<S>) {
    // encoding/json skips x-* (json:"-"); keys the model does not know are printed in both.
    if (s.extensions.is_object()) {
      Tree extensions = free_form(s.extensions, flavor);
      for (auto& [key, value] : extensions.items())
        if (flavor == Flavor::Yaml || key.rfind("x-", 0) != 0) out[key] = std::move(value);
    }
  }
  return out;
}

template <class T>
Tree write(const T& v, Flavor flavor) {
  if constexpr (IsOptional<T>::value) {
    return v ? write(*v, flavor) : Tree(nullptr);
  } else if constexpr (std::is_same_v<T, Json>) {
    return free_form(v, flavor);
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
    return Tree(v);
  } else if constexpr (std::is_same_v<T, float>) {
    return Tree(gocompat::float32_value(v));
  } else if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_signed_v<T>)
      return Tree(static_cast<std::int64_t>(v));
    else
      return Tree(static_cast<std::uint64_t>(v));
  } else if constexpr (IsVector<T>::value) {
    Tree out = Tree::array();
    for (const auto& item : v) out.push_back(write(item, flavor));
    return out;
  } else if constexpr (IsStringMap<T>::value) {
    std::vector<const typename T::value_type*> entries;
    for (const auto& entry : v) entries.push_back(&entry);
    if (flavor == Flavor::Yaml)
      std::stable_sort(entries.begin(), entries.end(),
                       [](auto* a, auto* b) { return yaml_key_less(a->first, b->first); });
    Tree out = Tree::object();
    for (const auto* entry : entries) out[entry->first] = write(entry->second, flavor);
    return out;
  } else if constexpr (Reflected<T>) {
    return write_struct(v, flavor);
  } else {
    return write_special(v, flavor);
  }
}

}  // namespace

nlohmann::ordered_json project_to_json(const Project& p, Flavor flavor) {
  Tree tree = write(p, flavor);
  // Secret content is never shown; config content is not shown when it came from a variable.
  if (auto it = tree.find("secrets"); it != tree.end())
    for (auto& [name, secret] : it->items()) secret.erase("content");
  if (auto it = tree.find("configs"); it != tree.end())
    for (auto& [name, config] : it->items())
      if (config.contains("environment")) config.erase("content");
  if (flavor == Flavor::Yaml) return tree;

  // compose-go's Project.MarshalJSON: one map of the keys and the x-* extensions, sorted.
  if (p.extensions.is_object())
    for (const auto& [key, value] : p.extensions.items()) tree[key] = free_form(value, flavor);
  std::vector<std::string> keys;
  for (const auto& [key, value] : tree.items()) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  Tree sorted = Tree::object();
  for (const auto& key : keys) sorted[key] = std::move(tree[key]);
  return sorted;
}

}  // namespace berth::model
