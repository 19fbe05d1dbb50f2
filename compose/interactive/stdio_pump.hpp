#pragma once
// The client side of a container process's stdio, shared by `exec` (the process's own pipes or
// pty master, handed over by the shim's `exec` op) and `run`/`attach` (the shim's `attach` op:
// pipes the shim copies the container's output into, plus its stdin or a pty master dup).
//   pipes: our stdin → `in` (closed at our EOF), `out`/`err` → our stdout/stderr
//   terminal: our terminal in raw mode (restored on every way out), keystrokes → the pty
//   master, its output → our stdout, SIGWINCH → TIOCSWINSZ on the master
// A closed reader of our output (`berth exec ... | head`) ends the copy instead of killing us.
#include <functional>
#include <string>

#include "common/unique_fd.hpp"

namespace berth::interactive {

/// Where our side of the copy is, and what to do when a signal interrupts the wait.
struct StdioPumpOptions {
  bool interactive = true;  ///< copy `in_fd` to the process (off: it reads EOF / nothing)
  int in_fd = 0, out_fd = 1, err_fd = 2;
  /// Called on the pump's thread whenever a signal woke it (e.g. to pass Ctrl+C on).
  std::function<void()> on_signal;
  /// Terminal mode: typing these bytes ends the copy with the process left running (Docker's
  /// detach keys, parse_detach_keys); empty: none.
  std::string detach_keys;
};

/// Docker's --detach-keys syntax: comma-separated "ctrl-<a-z|@|[|\\|]|^|_>" or single characters,
/// e.g. "ctrl-p,ctrl-q" (Docker's default). Throws std::invalid_argument naming the bad part.
std::string parse_detach_keys(const std::string& spec);

/// Copies until `out` and `err` (either may be empty) reach EOF. `in` may be empty (nothing to
/// write to); it is closed when our input ends, which is the process's EOF.
void pump_pipes(UniqueFd& in, UniqueFd& out, UniqueFd& err, const StdioPumpOptions& options);

/// Copies until `output` ends (EOF, or EIO from a master whose slave is all closed) or the
/// detach keys were typed (returns false then). `master` receives keystrokes and window sizes;
/// -1 when we have no input side (attach --no-stdin). `output` may be `master` itself.
bool pump_terminal(int master, int output, const StdioPumpOptions& options);

}  // namespace berth::interactive
