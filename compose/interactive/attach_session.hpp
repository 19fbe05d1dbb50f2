#pragma once
// `berth attach` and the attached `berth run`: the container's live stdio through its shim's
// `attach` op (common/shim_protocol.hpp). The shim hands over pipes of our own carrying the
// container's output, and its stdin (or a duplicate of its pty master); stdio_pump copies them
// to and from ours until the container exits, then the exit code comes from the shim's state.
#include <optional>
#include <string>

#include "compose/interactive/stdio_pump.hpp"
#include "compose/state/paths.hpp"

namespace berth::interactive {

/// Attaches to container `id` and copies until its output ends; `options.interactive` also
/// decides whether the shim is asked for the stdin side. Returns std::nullopt when the user
/// typed the detach keys (the container runs on). Returns the exit code of the
/// container (waiting for its exit when the output ended first, e.g. a slow reader the shim
/// dropped). Throws std::runtime_error when the shim is unreachable or the container is not
/// running ("container <id> is not running").
std::optional<int> attach_container(const state::Paths& paths, const std::string& id, const StdioPumpOptions& options);

}  // namespace berth::interactive
