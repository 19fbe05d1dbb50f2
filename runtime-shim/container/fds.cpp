// close_fds_except(): the gaps between the kept fds are closed with close_range(2) (Linux 5.9),
// a few system calls whatever the number of open fds (as runc's and crun's fd cleanup before
// exec, but closing instead of marking close-on-exec: a close-on-exec fd is still open, and
// readable through /proc/PID/fd, until the execve).
#include "runtime-shim/container/fds.hpp"

#include <linux/close_range.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace berth::shim {

int close_fds_except(std::vector<int> keep) noexcept {
  std::sort(keep.begin(), keep.end());
  unsigned next = 0;  // lowest fd not yet handled
  for (int fd : keep) {
    if (fd < 0 || static_cast<unsigned>(fd) < next) continue;
    if (static_cast<unsigned>(fd) > next && ::close_range(next, static_cast<unsigned>(fd) - 1, 0) != 0) return errno;
    next = static_cast<unsigned>(fd) + 1;
  }
  return ::close_range(next, ~0U, 0) != 0 ? errno : 0;
}

}  // namespace berth::shim
