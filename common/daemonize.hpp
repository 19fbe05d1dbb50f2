#pragma once
// The daemon's side of the readiness line (berth-shim --detach, berth-dns): the classic double
// fork, with a pipe that carries one line from the daemon back to the process the caller started.
#include <string>

#include "common/unique_fd.hpp"

namespace berth {

/// What daemonize() returns; it returns in two processes.
struct Daemonized {
  /// True in the daemon, false in the process that called daemonize().
  bool in_daemon = false;
  /// The daemon: the readiness pipe's write end (O_CLOEXEC). Write one line, then close it.
  UniqueFd ready;
  /// The calling process: everything the daemon wrote before it closed `ready` or exited;
  /// empty if it wrote nothing.
  std::string readiness;
};

/// Pipe, fork; the child calls setsid() and forks again, and that intermediate process exits at
/// once, so the daemon is no session leader and never gets a controlling terminal. The daemon
/// changes to `/`, puts stdin and stdout on /dev/null and stderr on /dev/null (`stderr_log`
/// empty) or appends it to `stderr_log` (created 0640; /dev/null if it cannot be opened).
/// The calling process reads the pipe until end of file and reaps the intermediate one.
/// stdio buffers are flushed before the fork. Throws SysError ("pipe", "fork") only in the
/// calling process, before anything was forked.
Daemonized daemonize(const std::string& stderr_log = {});

}  // namespace berth
