// One poll loop per mode; every descriptor is owned by the caller, and the terminal's settings
// and the signal mask are put back by ScopeExit whatever happens.
#include "compose/interactive/stdio_pump.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string_view>

#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"

namespace berth::interactive {

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

/// What our terminal's line discipline completed before we switch it to raw mode: whole lines go
/// to `master`; an end-of-file (VEOF at the start of a line, e.g. script(1) when its input ends)
/// is kept by the kernel as a '\0' that raw mode would hand us as a keystroke. Returns false
/// when that EOF was there: our input has ended.
bool take_canonical_input(int in_fd, int master) {
  char buf[4096];
  for (;;) {
    pollfd p{in_fd, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1 || !(p.revents & POLLIN)) return true;  // nothing complete is waiting
    ssize_t n = ::read(in_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n != 0;
    if (master >= 0) write_all(master, buf, static_cast<size_t>(n));
  }
}

void copy_window_size(int from, int to) {
  winsize ws{};
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

/// poll() that reports signals to the caller's hook; false when a signal interrupted it.
bool wait_ready(pollfd* fds, nfds_t n, const StdioPumpOptions& o, const char* what) {
  if (::poll(fds, n, -1) >= 0) return true;
  if (errno != EINTR) throw_errno(what);
  if (o.on_signal) o.on_signal();
  return false;
}

/// SIGPIPE ignored for the pump's lifetime: a closed reader is an error return, not death.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() {
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ign, &m_old);
  }
  ~IgnoreSigpipe() { ::sigaction(SIGPIPE, &m_old, nullptr); }
  IgnoreSigpipe(const IgnoreSigpipe&) = delete;
  IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

 private:
  struct sigaction m_old {};
};

/// Passes keystrokes on, holding back a prefix of the detach sequence until it is complete
/// (detach) or broken (the held bytes go out after all), as Docker's escape proxy does.
class DetachMatcher {
 public:
  explicit DetachMatcher(const std::string& keys) : m_keys(keys) {}
  /// Appends what to send for `in` to `out`; true when the whole sequence was typed.
  bool feed(std::string_view in, std::string& out) {
    for (char c : in) {
      if (m_keys.empty()) {
        out += c;
        continue;
      }
      if (c == m_keys[m_held]) {
        if (++m_held == m_keys.size()) return true;
        continue;
      }
      out.append(m_keys, 0, m_held);
      m_held = 0;
      if (c == m_keys[0]) {
        m_held = 1;
        if (m_keys.size() == 1) return true;
      } else {
        out += c;
      }
    }
    return false;
  }

 private:
  const std::string& m_keys;
  size_t m_held = 0;
};

}  // namespace

std::string parse_detach_keys(const std::string& spec) {
  std::string keys;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    const std::string part = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (part.size() == 1) {
      keys += part;
    } else if (part.size() == 6 && part.rfind("ctrl-", 0) == 0) {
      const char c = part[5];
      if (c >= 'a' && c <= 'z')
        keys += static_cast<char>(c - 'a' + 1);
      else if (c == '@')
        keys += '\0';
      else if (c >= '[' && c <= '_')
        keys += static_cast<char>(c - '[' + 27);  // [ \ ] ^ _
      else
        throw std::invalid_argument("invalid detach key \"" + part + "\"");
    } else {
      throw std::invalid_argument("invalid detach key \"" + part + "\"");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return keys;
}

void pump_pipes(UniqueFd& in, UniqueFd& out, UniqueFd& err, const StdioPumpOptions& o) {
  IgnoreSigpipe ignore_sigpipe;
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
    if (!wait_ready(fds, n, o, "poll container streams")) continue;
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

bool pump_terminal(int master, int output, const StdioPumpOptions& o) {
  IgnoreSigpipe ignore_sigpipe;
  const bool local_tty = o.interactive && master >= 0 && ::isatty(o.in_fd) == 1;
  termios saved{};
  bool raw = false;
  bool input_ended = false;
  if (local_tty && ::tcgetattr(o.in_fd, &saved) == 0) {
    if (saved.c_lflag & ICANON) input_ended = !take_canonical_input(o.in_fd, master);
    termios t = saved;
    ::cfmakeraw(&t);
    raw = ::tcsetattr(o.in_fd, TCSANOW, &t) == 0;
  }
  ScopeExit restore_terminal([&] {
    if (raw) ::tcsetattr(o.in_fd, TCSANOW, &saved);
  });
  const int size_from = ::isatty(o.out_fd) == 1 ? o.out_fd : o.in_fd;
  if (master >= 0) copy_window_size(size_from, master);

  // SIGWINCH as a readable fd, so resizes are handled in the same loop as the data.
  sigset_t winch, old_mask;
  sigemptyset(&winch);
  sigaddset(&winch, SIGWINCH);
  ::pthread_sigmask(SIG_BLOCK, &winch, &old_mask);
  ScopeExit restore_mask([&] { ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr); });
  UniqueFd sigfd(master >= 0 ? ::signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK) : -1);

  bool stdin_open = o.interactive && master >= 0 && !input_ended;
  DetachMatcher detach(o.detach_keys);
  std::string keys;
  char buf[64 * 1024];
  for (;;) {
    pollfd fds[3];
    nfds_t n = 0;
    fds[n++] = {output, POLLIN, 0};
    if (sigfd) fds[n++] = {sigfd.get(), POLLIN, 0};
    if (stdin_open) fds[n++] = {o.in_fd, POLLIN, 0};
    if (!wait_ready(fds, n, o, "poll container terminal")) continue;
    for (nfds_t i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == output) {
        ssize_t got = read_some(output, buf, sizeof buf);
        if (got == 0) return true;
        if (got > 0) write_all(o.out_fd, buf, static_cast<size_t>(got));
      } else if (sigfd && fds[i].fd == sigfd.get()) {
        signalfd_siginfo si;
        while (::read(sigfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        }
        copy_window_size(size_from, master);
      } else {
        ssize_t got = read_some(o.in_fd, buf, sizeof buf);
        if (got < 0) continue;
        if (got == 0) {
          stdin_open = false;
          continue;
        }
        keys.clear();
        const bool detached = detach.feed(std::string_view(buf, static_cast<size_t>(got)), keys);
        write_all(master, keys.data(), keys.size());
        if (detached) return false;
      }
    }
  }
}

}  // namespace berth::interactive
