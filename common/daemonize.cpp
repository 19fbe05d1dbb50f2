// Each step's reason: setsid() detaches from the caller's terminal and process group (a ^C
// aimed at `berth up` must not reach its shims); the second fork leaves a process that is not a
// session leader and so can never reacquire a terminal; chdir("/") keeps no directory busy; the
// stdio redirection drops the caller's pipes, which would otherwise stay open as long as the
// daemon lives. Closing other inherited descriptors is the caller's business: berth-dns does it
// before it opens its sockets, berth-shim after, keeping only the readiness pipe.
#include "common/daemonize.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

#include "common/spawn_ready.hpp"
#include "common/sys_error.hpp"

namespace berth {

namespace {

/// Points `target` at `path` (or /dev/null if `path` cannot be opened); failures leave it as it is.
void redirect(int target, const std::string& path, int flags) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC, 0640));
  if (!fd) fd.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (fd.get() == target)
    fd.release();  // opened as `target` itself: keep it
  else if (fd)
    ::dup2(fd.get(), target);
}

}  // namespace

Daemonized daemonize(const std::string& stderr_log) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe");
  UniqueFd rd(fds[0]), wr(fds[1]);
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child < 0) throw_errno("fork");
  Daemonized out;
  if (child > 0) {
    wr.reset();
    out.readiness = read_to_eof(rd.get());
    rd.reset();
    ::waitpid(child, nullptr, 0);
    return out;
  }
  rd.reset();
  ::setsid();
  pid_t daemon = ::fork();
  if (daemon != 0) ::_exit(daemon < 0 ? 1 : 0);
  if (::chdir("/") != 0) ::_exit(1);
  redirect(STDIN_FILENO, "/dev/null", O_RDONLY);
  redirect(STDOUT_FILENO, "/dev/null", O_WRONLY);
  if (stderr_log.empty())
    redirect(STDERR_FILENO, "/dev/null", O_WRONLY);
  else
    redirect(STDERR_FILENO, stderr_log, O_WRONLY | O_APPEND | O_CREAT);
  out.in_daemon = true;
  out.ready = std::move(wr);
  return out;
}

}  // namespace berth
