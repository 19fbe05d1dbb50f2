#pragma once
// What a process that enters a container may hold: only the fds it needs. The shim's other fds
// (the control socket, container.log, the event loop, other containers' pipes) must never be
// open in a process that a program in the container can see, even close-on-exec ones: until
// execve they are open, and /proc/PID/fd of the child hands them out to anyone who can ptrace it.
#include <vector>

namespace berth::shim {

/// Closes every fd of the calling process except those in `keep` (close_range over the gaps).
/// Returns 0, or the errno of the failed close_range. Meant for a freshly forked child.
int close_fds_except(std::vector<int> keep) noexcept;

}  // namespace berth::shim
