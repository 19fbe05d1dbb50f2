#pragma once
// `--change` instructions of `berth image import` (docker import/commit): one Dockerfile
// instruction applied to the `config` object of a new image's config.
#include <nlohmann/json.hpp>
#include <string_view>

namespace berth::image {

/// Applies one instruction — CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL or
/// VOLUME, in exec (JSON) or shell form as the Dockerfile reference defines them, with
/// $VAR / ${VAR} / ${VAR:-x} / ${VAR:+x} taken from the Env set so far — to `config` (the object
/// with Env, Cmd, ... keys). Throws std::invalid_argument naming the instruction on bad input.
void apply_change(nlohmann::json& config, std::string_view change);

}  // namespace berth::image
