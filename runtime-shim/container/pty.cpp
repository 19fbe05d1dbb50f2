// pty allocation with posix_openpt + grantpt/unlockpt + ptsname_r. The slave is opened
// O_NOCTTY: it becomes the container's controlling terminal only when the container's process
// calls setsid() and TIOCSCTTY (create_container's new_session does this), never the shim's.
// For exec into a running container the pair comes from the container's own devpts (its
// /dev/ptmx opened with openat2 RESOLVE_IN_ROOT, the slave via TIOCGPTPEER, which needs no
// path), so `tty` inside prints /dev/pts/N instead of failing to name a host pty.
#include "runtime-shim/container/pty.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <string>

#include "common/sys_error.hpp"
#include "runtime-shim/container/fsutil.hpp"

namespace berth::shim {

Pty open_pty() {
  Pty pty;
  pty.master = UniqueFd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) throw_errno("posix_openpt `/dev/ptmx`");
  if (::grantpt(pty.master.get()) != 0) throw_errno("grantpt");
  if (::unlockpt(pty.master.get()) != 0) throw_errno("unlockpt");
  char name[128];
  if (int err = ::ptsname_r(pty.master.get(), name, sizeof name); err != 0) throw SysError("ptsname", err);
  pty.slave = UniqueFd(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.slave) throw_errno("open pty slave `" + std::string(name) + "`");
  return pty;
}

Pty open_pty_in_container(pid_t pid) {
  const std::string root_path = "/proc/" + std::to_string(pid) + "/root";
  UniqueFd root(::open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("open `" + root_path + "`");
  Pty pty;
  pty.master = open_in_root(root.get(), "/dev/ptmx", O_RDWR | O_NOCTTY);
  if (!pty.master || ::unlockpt(pty.master.get()) != 0) return open_pty();
  pty.slave = UniqueFd(::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.slave) return open_pty();
  return pty;
}

void set_window_size(int fd, unsigned short rows, unsigned short cols) {
  winsize ws{};
  ws.ws_row = rows;
  ws.ws_col = cols;
  if (::ioctl(fd, TIOCSWINSZ, &ws) != 0) throw_errno("set pty window size (TIOCSWINSZ)");
}

}  // namespace berth::shim
