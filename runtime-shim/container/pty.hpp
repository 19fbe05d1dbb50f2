#pragma once
// Pseudo-terminals for `terminal: true` containers and `exec --tty`.
#include <sys/types.h>

#include "common/unique_fd.hpp"

namespace berth::shim {

/// A new pty pair, both ends close-on-exec and not the caller's controlling terminal.
struct Pty {
  UniqueFd master;
  UniqueFd slave;
};

/// Opens a pty pair (posix_openpt); throws SysError naming the step.
Pty open_pty();

/// Opens a pty pair on the devpts instance of running container `pid` (its /dev/ptmx, resolved
/// inside its root), so the process sees its terminal as /dev/pts/N as in Docker; falls back to
/// open_pty() when the container has no usable /dev/ptmx. Throws SysError.
Pty open_pty_in_container(pid_t pid);

/// Sets the window size of the terminal behind `fd` (TIOCSWINSZ); throws SysError.
void set_window_size(int fd, unsigned short rows, unsigned short cols);

}  // namespace berth::shim
