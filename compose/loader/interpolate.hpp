#pragma once
// Variable interpolation in compose files, as `docker compose` v2 (compose-go) does it:
// ${VAR}, defaults, required values, alternatives, nesting, `$$` escapes, and the type casts
// compose-go applies afterwards to fields whose schema type is not a string.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/loader/diagnostics.hpp"

namespace berth::loader {

/// Looks a variable up; nullopt when unset (set-but-empty is "").
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

class InterpolationError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Substitutes $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt},
/// nested expressions inside defaults/alternatives (e.g. ${A:-${B:-x}}), and $$ -> $, exactly as compose-go v2's
/// template.Substitute (including its quirks, listed in interpolate.cpp). An unset variable without default is "".
/// `$` not followed by a name, `$`, `{` is kept as written. An empty `lookup` means nothing is set.
/// Throws InterpolationError:
///   `required variable X is missing a value: <err>` (`...a value` when <err> is empty),
///   `invalid interpolation format for "<template>"; you may need to escape any $ with another $`,
///   `interpolation nested more than 500 levels deep`.
std::string interpolate(std::string_view text, const Lookup& lookup);

/// Interpolates every string value in `value` (recursively; map keys are NOT interpolated, as compose-go),
/// recording each failure in `diags` at its JSON pointer (diags resolves file:line:col itself) and carrying on.
/// `at` is where `value` sits in the whole document (used for messages and for the cast table).
/// After substitution, strings at the paths compose-go v2 casts (its loader's interpolateTypeCastMapping:
/// services.*.{cpus, cpu_*, deploy.replicas, healthcheck.retries/disable, init, privileged, read_only, tty,
/// stdin_open, oom_*, pids_limit, scale, ports[].target, ulimits, configs/secrets[].mode, volumes[].read_only, ...},
/// networks.*.{external, internal, attachable, enable_ipv4, enable_ipv6}, volumes/secrets/configs.*.external;
/// the full list is in interpolate.cpp) become int/float/bool with Go's strconv rules and YAML 1.1 booleans;
/// a failed cast is a diagnostic (`failed to cast to expected type: invalid boolean: maybe`).
/// v2 no longer casts ports[].published (a range such as "8000-8010") nor mem_swappiness: they stay strings.
void interpolate_tree(nlohmann::json& value, const Lookup& lookup, Diagnostics& diags, const Pointer& at = Pointer());

/// One match of compose-go's template pattern in a string: `$$` (escaped), `$NAME` (named),
/// `${...}` (braced: `group` is what lies between `${` and the line's last `}` when an operator
/// follows the name, as Go's greedy `.*` takes it) or a `${` that starts no valid reference.
struct TemplateReference {
  enum class Kind { escaped, named, braced, invalid } kind;
  std::string_view text;   ///< the whole match
  std::string_view group;  ///< the named or braced group
};

/// Every match in `text`, left to right and not overlapping (Go's FindAllStringSubmatch).
std::vector<TemplateReference> template_references(std::string_view text);

/// compose-go's getFirstBraceClosingIndex: where the first `{` opened in `s` is closed (each `{`
/// also skips the character after it, as Go's loop does); npos when it is not.
size_t first_brace_closing_index(std::string_view s);

}  // namespace berth::loader
