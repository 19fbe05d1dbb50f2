// The client half of `exec`. One poll loop per mode; every descriptor is owned (UniqueFd) and
// the terminal's settings and the signal mask are put back by ScopeExit whatever happens.
// The exit code comes from `exec-wait` once the process's output has ended (like docker, an
// exec whose background children keep its stdout open is waited for until they close it).
#include "compose/engine/exec_session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"

namespace berth::engine {

namespace {

/// Writes all of `data`; false when the reader is gone (EPIPE) or the fd failed.
bool write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

/// Reads once; returns bytes read, 0 at EOF (EIO from a pty master whose slave is closed is
/// EOF too), -1 to retry.
ssize_t read_some(int fd, char* buf, size_t len) {
  ssize_t n = ::read(fd, buf, len);
  if (n >= 0) return n;
  if (errno == EINTR || errno == EAGAIN) return -1;
  return 0;
}

void copy_window_size(int from, int to) {
  winsize ws{};
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

void pump_pipes(UniqueFd& in, UniqueFd& out, UniqueFd& err, const ExecOptions& o) {
  bool stdin_open = o.interactive && in;
  if (!stdin_open) in.reset();  // the process reads EOF
  char buf[64 * 1024];
  while (out || err) {
    pollfd fds[3];
    int which[3];
    nfds_t n = 0;
    if (stdin_open) fds[n] = {o.in_fd, POLLIN, 0}, which[n++] = 0;
    if (out) fds[n] = {out.get(), POLLIN, 0}, which[n++] = 1;
    if (err) fds[n] = {err.get(), POLLIN, 0}, which[n++] = 2;
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll exec streams");
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (which[i] == 0) {
        ssize_t got = read_some(o.in_fd, buf, sizeof buf);
        if (got < 0) continue;
        if (got == 0 || !write_all(in.get(), buf, static_cast<size_t>(got))) {
          stdin_open = false;
          in.reset();  // EOF for the process
        }
        continue;
      }
      UniqueFd& src = which[i] == 1 ? out : err;
      ssize_t got = read_some(src.get(), buf, sizeof buf);
      if (got < 0) continue;
      if (got == 0) {
        src.reset();
        continue;
      }
      write_all(which[i] == 1 ? o.out_fd : o.err_fd, buf, static_cast<size_t>(got));
    }
  }
}

void pump_pty(UniqueFd& master, const ExecOptions& o) {
  const bool local_tty = o.interactive && ::isatty(o.in_fd) == 1;
  termios saved{};
  bool raw = false;
  if (local_tty && ::tcgetattr(o.in_fd, &saved) == 0) {
    termios t = saved;
    ::cfmakeraw(&t);
    raw = ::tcsetattr(o.in_fd, TCSANOW, &t) == 0;
  }
  ScopeExit restore_terminal([&] {
    if (raw) ::tcsetattr(o.in_fd, TCSANOW, &saved);
  });
  copy_window_size(::isatty(o.out_fd) == 1 ? o.out_fd : o.in_fd, master.get());

  // SIGWINCH as a readable fd, so resizes are handled in the same loop as the data.
  sigset_t winch, old_mask;
  sigemptyset(&winch);
  sigaddset(&winch, SIGWINCH);
  ::pthread_sigmask(SIG_BLOCK, &winch, &old_mask);
  ScopeExit restore_mask([&] { ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr); });
  UniqueFd sigfd(::signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK));

  bool stdin_open = o.interactive;
  char buf[64 * 1024];
  for (;;) {
    pollfd fds[3];
    nfds_t n = 0;
    fds[n++] = {master.get(), POLLIN, 0};
    if (sigfd) fds[n++] = {sigfd.get(), POLLIN, 0};
    if (stdin_open) fds[n++] = {o.in_fd, POLLIN, 0};
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll exec terminal");
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == master.get()) {
        ssize_t got = read_some(master.get(), buf, sizeof buf);
        if (got == 0) return;  // EIO: the last holder of the slave is gone
        if (got > 0) write_all(o.out_fd, buf, static_cast<size_t>(got));
      } else if (sigfd && fds[i].fd == sigfd.get()) {
        signalfd_siginfo si;
        while (::read(sigfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        }
        copy_window_size(::isatty(o.out_fd) == 1 ? o.out_fd : o.in_fd, master.get());
      } else {
        ssize_t got = read_some(o.in_fd, buf, sizeof buf);
        if (got < 0) continue;
        if (got == 0) {
          stdin_open = false;
          continue;
        }
        write_all(master.get(), buf, static_cast<size_t>(got));
      }
    }
  }
}

}  // namespace

void pump_exec_io(std::vector<UniqueFd>& fds, const std::vector<std::string>& names, const ExecOptions& options) {
  UniqueFd in, out, err, pty;
  for (size_t i = 0; i < names.size() && i < fds.size(); ++i) {
    if (names[i] == "stdin") in = std::move(fds[i]);
    if (names[i] == "stdout") out = std::move(fds[i]);
    if (names[i] == "stderr") err = std::move(fds[i]);
    if (names[i] == "pty") pty = std::move(fds[i]);
  }
  // A closed reader (`berth exec ... | head`) must end the copy, not kill us.
  struct sigaction ign {}, old {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old);
  ScopeExit restore_pipe([&] { ::sigaction(SIGPIPE, &old, nullptr); });
  if (pty)
    pump_pty(pty, options);
  else
    pump_pipes(in, out, err, options);
}

int run_exec(const Paths& paths, const std::string& id, const ExecOptions& options) {
  const std::string socket = paths.shim_state_dir(id) + "/control.sock";
  shim_protocol::Client client = shim_protocol::Client::connect(socket);
  shim_protocol::Reply reply = client.call(options.request);
  if (!reply.ok()) {
    if (reply.body.contains("exit_code")) {  // the process could not start: docker's 126/127
      std::string text = reply.error() + "\n";
      write_all(options.err_fd, text.data(), text.size());
      return reply.body["exit_code"].get<int>();
    }
    throw std::runtime_error(reply.error());
  }
  if (options.request.detach) return 0;
  std::vector<std::string> names = reply.body.value("fds", std::vector<std::string>{});
  pump_exec_io(reply.fds, names, options);
  shim_protocol::Reply done = client.call({{"op", "exec-wait"}, {"exec_id", reply.body.value("exec_id", "")}});
  if (!done.ok()) throw std::runtime_error(done.error());
  return done.body.value("exit_code", 0);
}

}  // namespace berth::engine
