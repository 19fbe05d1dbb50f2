#pragma once
// A minimal /dev, as Docker's: null, zero, full, random, urandom, tty (+ console with a terminal),
// ptmx -> pts/ptmx, fd/stdin/stdout/stderr symlinks, plus linux.devices[].
#include <vector>

#include "runtime-shim/container/bundle.hpp"

namespace berth::shim {

/// Child, before pivot_root, after /dev (a tmpfs) is mounted in `root_fd`: creates the nodes with
/// mknod (binding the host's node when mknod is refused), the symlinks, and binds `console_fd`
/// (the terminal's pty, -1 = none) on /dev/console.
void populate_dev(int root_fd, const std::vector<Device>& devices, int console_fd);

}  // namespace berth::shim
