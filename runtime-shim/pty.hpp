#pragma once
// Pseudo-terminals for `terminal: true` containers and `exec --tty`.
#include "common/unique_fd.hpp"

namespace berth::shim {

/// A new pty pair, both ends close-on-exec and not the caller's controlling terminal.
struct Pty {
  UniqueFd master;
  UniqueFd slave;
};

/// Opens a pty pair (posix_openpt); throws SysError naming the step.
Pty open_pty();

/// Sets the window size of the terminal behind `fd` (TIOCSWINSZ); throws SysError.
void set_window_size(int fd, unsigned short rows, unsigned short cols);

}  // namespace berth::shim
