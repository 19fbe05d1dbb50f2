#pragma once
// `berth exec`: a process in a running container through its shim's control socket
// (common/shim_protocol.hpp `exec` + `exec-wait`). The shim passes the process's stdio as file
// descriptors; this side copies between them and our own stdin/stdout/stderr.
//   without a tty: pipes — our stdin → its stdin (closed at our EOF), its stdout/stderr → ours
//   with a tty: the pty master — our terminal in raw mode (restored on every way out), SIGWINCH
//   copied to the master with TIOCSWINSZ (the master is ours, so no shim `resize` op is needed:
//   the shim's `resize` op only sizes the container's own pty)
#include <string>
#include <vector>

#include "common/shim_protocol.hpp"
#include "compose/engine/paths.hpp"

namespace berth::engine {

/// What to run and how it is attached.
struct ExecOptions {
  shim_protocol::ExecRequest request;  ///< args, env, cwd, user, tty, detach, privileged
  bool interactive = true;             ///< copy our stdin to the process (off: it reads EOF)
  int in_fd = 0, out_fd = 1, err_fd = 2;
};

/// Runs the exec in container `id` and returns its exit code (0 right away for a detached
/// exec). A process that could not start: its error on `err_fd` and the shim's 126/127/125.
/// Throws std::runtime_error when the shim cannot be reached or refuses (not running:
/// "container <id> is not running").
int run_exec(const Paths& paths, const std::string& id, const ExecOptions& options);

/// Copies between the exec's descriptors and ours until its output ends; exposed for tests.
/// `fds` = the reply's descriptors in the order of `names` ("stdin","stdout","stderr" or "pty").
void pump_exec_io(std::vector<UniqueFd>& fds, const std::vector<std::string>& names, const ExecOptions& options);

}  // namespace berth::engine
