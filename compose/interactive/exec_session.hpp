#pragma once
// `berth exec`: a process in a running container through its shim's control socket
// (common/shim_protocol.hpp `exec` + `exec-wait`). The shim passes the process's stdio as file
// descriptors (its pipes, or its pty master); stdio_pump copies between them and our own
// stdin/stdout/stderr. The master is ours, so window sizes go to it directly (the shim's
// `resize` op only sizes the container's own pty).
#include <string>
#include <vector>

#include "common/shim_protocol.hpp"
#include "compose/interactive/stdio_pump.hpp"
#include "compose/state/paths.hpp"

namespace berth::interactive {

/// What to run (request: args, env, cwd, user, tty, detach, privileged) and how it is attached.
struct ExecOptions : StdioPumpOptions {
  shim_protocol::ExecRequest request;
};

/// Runs the exec in container `id` and returns its exit code (0 right away for a detached
/// exec). A process that could not start: its error on `err_fd` and the shim's 126/127/125.
/// Throws std::runtime_error when the shim cannot be reached or refuses (not running:
/// "container <id> is not running").
int run_exec(const state::Paths& paths, const std::string& id, const ExecOptions& options);

}  // namespace berth::interactive
