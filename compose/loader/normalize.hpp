#pragma once
// Normalisation: every short syntax of a merged, interpolated, schema-valid compose document is
// rewritten into the long, canonical form that `docker compose config` (compose-go) prints, so
// later stages read exactly one shape per key. It is a pure function over the JSON value: no file
// is read and no environment variable is looked up (env_file/label_file folding is a later stage).
//
// The canonical form follows compose-go's printed model, in particular:
//   - ports: one {mode, host_ip?, target (number), published? (string), protocol} per port, ranges expanded;
//   - volumes: {type, source?, target, read_only?, bind|volume|tmpfs...}; a short-syntax bind gets
//     `bind: {}` and a short-syntax volume `volume: {}`. Opt-out booleans are printed only when false:
//     a missing `bind.create_host_path` and a missing `env_file[].required` both mean true;
//   - byte sizes (mem_limit, shm_size, deploy memory, tmpfs size, blkio rates...) are decimal strings
//     ("52428800"); durations are Go Duration strings ("1m0s"); file modes are octal strings ("0440");
//   - paths (bind sources, build contexts, env_file, label_file, configs/secrets files...) are absolute;
//   - top-level networks/volumes/configs/secrets get their `name` (<project>_<key>, or the key when
//     external), and the implicit `default` network is declared when a service uses it.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compose/gocompat/units.hpp"
#include "compose/loader/diagnostics.hpp"

namespace berth::loader {

struct NormalizeOptions {
  std::string working_dir;   ///< absolute project directory: relative paths resolve against it
  std::string home_dir;      ///< for ~ expansion
  std::string project_name;  ///< prefix of resource names (<project>_<key>)
  /// compose-go's Normalize step on top of the canonical syntax: resource names, the implicit
  /// `default` network and the depends_on entries implied by links/volumes_from/service: modes.
  /// `config --no-normalize` turns it off (compose-go's golden output is made that way).
  bool resolve_implied = true;
  /// compose-go's ignoreParseError, on when interpolation is off (`config --no-interpolate`): a
  /// value that does not parse but holds a `$` (it may be valid once interpolated) is kept as
  /// written instead of reported; a ports list with such an entry is kept whole, as compose-go does.
  bool keep_uninterpolated = false;
  /// false: `config --no-path-resolution`: relative paths (build contexts, bind sources, env and
  /// label files, config and secret files, volume devices) and `~` stay as written.
  bool resolve_paths = true;
};

/// Rewrites `project` (top-level compose object) in place into long syntax. Problems (bad port spec,
/// bad size, bad duration, bad volume spec...) go to `diags` at the offending value's pointer;
/// normalisation carries on with the rest. Running it on its own output changes nothing.
void normalize_project(nlohmann::json& project, const NormalizeOptions& opts, Diagnostics& diags);

/// Port short syntax `[[host_ip:]published:]target[/protocol]` (ranges allowed on both sides, IPv6
/// host ips bare or in brackets) -> one long-syntax object per container port, in compose-go's order.
/// Throws std::invalid_argument naming the spec and the reason.
std::vector<nlohmann::json> parse_port_spec(const std::string& spec);

/// Volume short syntax `[source:]target[:options]` -> long object {type, source?, target, read_only?,
/// bind?, volume?} (type is bind when the source starts with ".", "/" or "~"); paths are not resolved
/// here. Throws std::invalid_argument naming the spec and the reason.
nlohmann::json parse_volume_spec(const std::string& spec);

/// Shell-word splitting as go-shellwords (which compose-go uses for string commands): blanks separate
/// words, '...' and "..." quote, backslash escapes the next character (outside single quotes); an
/// unquoted ; & | < > ends the command. Throws std::invalid_argument on unbalanced quotes or parentheses.
std::vector<std::string> split_shell_words(std::string_view line);

}  // namespace berth::loader
