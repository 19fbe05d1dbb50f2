#pragma once
// `publish`: what docker compose's pkg/compose/publish.go decides before and while it pushes a
// compose application as an OCI artifact (compose/registry/compose_artifact):
//   refusals  services with only `build:` (no image to pull), local `include`s
//   prompts   bind mounts; env_file declarations and literal values of sensitive-looking keys
//             (the secret-detector's keyword list; silenced by --with-env); literal inline
//             `configs.content`
//   layers    each compose file as written, with env_file paths and local `extends` files
//             replaced by <sha256 of the path>.env / .yaml (preserving the rest of the text), the
//             extends parents after them, env files with --with-env, and an image-digests.yaml
//             override with --resolve-image-digests.
#include <map>
#include <string>
#include <vector>

#include "compose/loader/load.hpp"
#include "compose/registry/compose_artifact.hpp"

namespace berth::engine {

/// docker compose's refusal of services that only have `build:`; "" when there is none.
std::string build_only_refusal(const model::Project& project);

/// Whether a compose file of the project `include`s a local file (docker compose refuses to
/// publish those: "cannot publish compose file with local includes").
bool has_local_include(const std::vector<std::string>& compose_files);

/// The messages docker compose asks to confirm, in its order: bind mounts, env declarations
/// (unless `with_env`), literal config contents. Empty when there is nothing to ask.
std::vector<std::string> publish_prompts(const loader::Project& project, bool with_env);

/// The secret-detector's keyword check: `key` sounds sensitive and `value` is a literal (not
/// "${VAR}"/"$VAR", three characters or more).
bool sensitive_literal(const std::string& key, const std::string& value);

/// The artifact's layers. `pinned_images`: service → image with digest for the
/// image-digests.yaml layer (empty: no such layer). Throws std::runtime_error for a file that
/// cannot be read.
std::vector<registry::ArtifactLayer> publish_layers(const loader::Project& project, bool with_env,
                                                    const std::map<std::string, std::string>& pinned_images);

/// docker compose's text replacement (transform.replace): from column `column` of line `line`
/// (1-based) to the end of that line, `text` becomes `value`.
std::string replace_at(const std::string& text, int line, int column, const std::string& value);

}  // namespace berth::engine
