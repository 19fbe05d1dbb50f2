#pragma once
// Internal to the normalisation stage (normalize*.cpp): the shared context, the small typed
// conversions every key reuses (list_or_dict -> map, string_or_list -> list, durations, sizes,
// file modes, paths), and the per-concern entry points the driver in normalize.cpp calls.
// Not for other stages: use normalize.hpp.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "compose/loader/diagnostics.hpp"
#include "compose/loader/normalize.hpp"

namespace berth::loader::detail {

using nlohmann::json;

/// What every normaliser needs: the options and where problems go.
struct Context {
  const NormalizeOptions& opts;
  Diagnostics& diags;
  /// The project as it was before normalisation (set with opts.keep_uninterpolated).
  const json* original = nullptr;
  /// Reports a problem, unless opts.keep_uninterpolated and the value written at `at` holds a
  /// variable (uninterpolated()).
  void error(const Pointer& at, std::string message) const {
    if (!uninterpolated(at)) diags.error(at, std::move(message));
  }
  /// With opts.keep_uninterpolated: the value written at `at` is a string with a `$` in it.
  bool uninterpolated(const Pointer& at) const;
};

/// &obj[key] when obj is an object holding key, else nullptr.
json* member(json& obj, std::string_view key);

/// Go's fmt.Sprint of a scalar: strings as they are, numbers in Go's spelling, booleans as true/false.
std::string go_sprint(const json& scalar);

/// How a list_or_dict conversion treats keys without a value (`KEY` in a list, `KEY: ~` in a map).
enum class NullValues {
  Keep,  ///< MappingWithEquals (environment, build.args): stays null, resolved by a later stage
  Empty  ///< Mapping / Labels: becomes ""
};

/// list_or_dict -> map of strings: ["A=1", "B"] or {A: 1, B: ~}. Lists split at the first '='.
void to_mapping(json* value, NullValues nulls);
/// Options (driver_opts, logging.options, storage_opt): map values become strings, null -> "".
void to_options(json* value);
/// string_or_list -> list.
void string_to_list(json* value);
/// extra_hosts (list of "host=ip"/"host:ip", or map host -> ip | [ip]) -> sorted ["host=ip", ...].
void to_hosts_list(json* value, const Context& ctx, const Pointer& at);

/// Go filepath.Join of two elements (empty elements ignored, result cleaned).
std::string join_path(std::string_view a, std::string_view b);
/// compose-go's path resolution: "~" prefix -> home_dir, absolute kept as is, relative joined to
/// working_dir. An empty path stays empty.
std::string abs_path(const std::string& path, const NormalizeOptions& opts);
/// Build contexts that are not local paths: URLs, git refs, "service:x", "docker-image://..." and
/// anything with "://". They are never resolved.
bool is_remote_context(std::string_view value);
/// Go strconv.ParseBool.
std::optional<bool> parse_go_bool(std::string_view text);

/// obj[key] (if present) -> Go Duration string; a diagnostic when it does not parse.
void duration_field(json& obj, std::string_view key, const Context& ctx, const Pointer& at);
/// obj[key] (if present) -> decimal byte count as a string ("50M" -> "52428800").
void bytes_field(json& obj, std::string_view key, const Context& ctx, const Pointer& at);
/// obj[key] (if present) -> octal mode string ("0440") from a number (0440) or an octal string ("440").
void file_mode_field(json& obj, std::string_view key, const Context& ctx, const Pointer& at);
/// obj[key] (if present) string -> list of shell words; lists and null are left alone.
void command_field(json& obj, std::string_view key, const Context& ctx, const Pointer& at);
/// obj[key] (if present) numeric string -> number (cpus "0.5" -> 0.5).
void number_field(json& obj, std::string_view key, const Context& ctx, const Pointer& at);

/// Per-concern normalisers; `at` points at the service.
void normalize_ports(json& service, const Context& ctx, const Pointer& at);
void normalize_service_volumes(json& service, const Context& ctx, const Pointer& at);
void normalize_build(json& service, const Context& ctx, const Pointer& at);
/// deploy, and gpus (gpus: all -> [{count: -1}]).
void normalize_deploy(json& service, const Context& ctx, const Pointer& at);
/// services.*.configs and secrets: names -> {source}; secrets get target /run/secrets/<source>.
void normalize_service_file_refs(json& service, const Context& ctx, const Pointer& at);
/// All of a service's keys (calls the ones above).
void normalize_service(json& service, const Context& ctx, const Pointer& at);

}  // namespace berth::loader::detail
