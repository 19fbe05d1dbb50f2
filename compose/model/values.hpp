#pragma once
// Value types shared by the whole project model, and the vocabulary of the field lists.
//
// Every struct of the model declares its keys once, in a `fields(s, v)` function that calls
// `v("key", s.member, Field{...})` for each key in the order compose-go prints them. The
// generic JSON conversion (json_read.cpp, json_write.cpp) walks these lists in both directions; `Field` carries
// the few per-key printing rules that compose-go expresses with Go struct tags.
#include <compare>
#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::model {

/// When a key is left out of the printed tree (compose-go's `omitempty` and friends).
enum class Omit : std::uint8_t {
  Empty,     ///< `omitempty`: left out when zero, empty or unset
  Never,     ///< no `omitempty`: always printed
  YamlOnly,  ///< `yaml:",omitempty" json:"k"`: left out of YAML when unset, `null` in JSON
  WhenTrue,  ///< compose-go's `OptOut` booleans (default true): printed only when false
};

/// Reading and printing rules of one key, given in a struct's field list.
struct Field {
  Omit omit = Omit::Empty;
  const char* json_key = nullptr;  ///< the key in the JSON flavour when it differs (untagged Go fields)
  bool sorted = false;             ///< a list compose-go prints sorted (`HostsList`)
  bool scalar_as_list = false;     ///< lists (or a map's lists) also read a lone scalar (`MultiOptions`)
};

/// `Is<Service> auto& s` accepts `Service&` and `const Service&`: one field list serves both directions.
template <class T, class U>
concept Is = std::same_as<std::remove_const_t<T>, U>;

/// A Go `time.Duration`; printed the way Go prints it ("1m30s", "500ms").
struct Duration {
  std::int64_t nanoseconds = 0;
  friend auto operator<=>(const Duration&, const Duration&) = default;
};

/// compose-go's `UnitBytes`: a byte count, printed as a string of decimal digits ("52428800").
struct Bytes {
  std::int64_t value = 0;
  friend auto operator<=>(const Bytes&, const Bytes&) = default;
};

/// A file permission mode, printed in octal with a leading zero ("0440").
struct FileMode {
  std::uint32_t value = 0;
  friend auto operator<=>(const FileMode&, const FileMode&) = default;
};

/// `key: value` pairs whose value is always a string (labels, sysctls, driver_opts, ...).
using Mapping = std::map<std::string, std::string>;

/// `KEY[=value]` pairs where a key may have no value at all (environment, build args): nullopt.
using MappingWithEquals = std::map<std::string, std::optional<std::string>>;

/// compose-go's `ShellCommand`: nullopt = not set (image default), empty vector = explicitly cleared.
using Command = std::optional<std::vector<std::string>>;

/// The `x-*` keys of a struct (an object, or null when there are none). Keys that are not `x-*` but
/// unknown to the model land here too, so nothing the loader produced is silently dropped.
using Extensions = nlohmann::json;

/// Go's `time.Duration.String()`.
std::string format_duration(Duration d);

/// Parses a Go duration ("1h2m3.5s", "300ms", "-1.5h"), plus the `d` and `w` units compose accepts.
/// Returns nullopt when `text` is not a duration.
std::optional<Duration> parse_duration(std::string_view text);

/// Parses a byte size as docker does (`RAMInBytes`): "1024", "10k", "1.5GB" (binary multiples).
std::optional<std::int64_t> parse_bytes(std::string_view text);

}  // namespace berth::model
