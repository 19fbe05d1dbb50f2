#pragma once
// Variable interpolation in compose files, as `docker compose` v2 (compose-go) does it:
// ${VAR}, defaults, required values, alternatives, nesting, `$$` escapes, and the type casts
// compose-go applies afterwards to fields whose schema type is not a string.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "compose/loader/diagnostics.hpp"

namespace berth::loader {

/// Looks a variable up; nullopt when unset (set-but-empty is "").
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

class InterpolationError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Substitutes $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt},
/// nested expressions inside defaults/alternatives (e.g. ${A:-${B:-x}}), and $$ -> $.
/// Throws InterpolationError with a message like docker compose's:
///   `required variable X is missing a value: <err>` / `invalid interpolation format for "<text>"`...
std::string interpolate(std::string_view text, const Lookup& lookup);

/// Interpolates every string value in `value` (recursively; map keys are NOT interpolated, as compose-go),
/// recording each failure in `diags` at its JSON pointer (diags resolves file:line:col itself) and carrying on.
/// After substitution, strings at paths where compose-go casts types (its interpolation "TypeCastMapping":
/// e.g. services.*.ports.*.target/published, deploy.replicas, healthcheck.retries, privileged, read_only, tty,
/// stdin_open, cpus, mem_swappiness, oom_score_adj, ulimits, networks.*.external, volumes.*.external, ... —
/// look the real list up, see "search" below) are converted to int/float/bool; a failed cast is a diagnostic.
void interpolate_tree(nlohmann::json& value, const Lookup& lookup, Diagnostics& diags, const Pointer& at = Pointer());

}  // namespace berth::loader
