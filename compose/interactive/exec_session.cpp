// The client half of `exec`; the copying itself is stdio_pump's. The exit code comes from
// `exec-wait` once the process's output has ended (like docker, an exec whose background
// children keep its stdout open is waited for until they close it).
#include "compose/interactive/exec_session.hpp"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace berth::interactive {

namespace {

void write_text(int fd, const std::string& text) {
  for (size_t off = 0; off < text.size();) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

/// `fds` = the reply's descriptors in the order of `names` ("stdin","stdout","stderr" or "pty").
void pump_exec_io(std::vector<UniqueFd>& fds, const std::vector<std::string>& names, const ExecOptions& options) {
  UniqueFd in, out, err, pty;
  for (size_t i = 0; i < names.size() && i < fds.size(); ++i) {
    if (names[i] == "stdin") in = std::move(fds[i]);
    if (names[i] == "stdout") out = std::move(fds[i]);
    if (names[i] == "stderr") err = std::move(fds[i]);
    if (names[i] == "pty") pty = std::move(fds[i]);
  }
  if (pty)
    pump_terminal(pty.get(), pty.get(), options);
  else
    pump_pipes(in, out, err, options);
}

}  // namespace

int run_exec(const state::Paths& paths, const std::string& id, const ExecOptions& options) {
  const std::string socket = paths.shim_state_dir(id) + "/control.sock";
  shim_protocol::Client client = shim_protocol::Client::connect(socket);
  // The pty gets our terminal's size before the process starts (Docker's ConsoleSize): a program
  // that asks at once (`stty size`, an editor) would see 0x0; SIGWINCH keeps it current later.
  shim_protocol::ExecRequest request = options.request;
  if (request.tty && !request.detach) {
    winsize ws{};
    const int from = ::isatty(options.out_fd) == 1 ? options.out_fd : options.in_fd;
    if (::ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) request.console_size = {{ws.ws_row, ws.ws_col}};
  }
  shim_protocol::Reply reply = client.call(request);
  if (!reply.ok()) {
    if (reply.body.contains("exit_code")) {  // the process could not start: docker's 126/127
      write_text(options.err_fd, reply.error() + "\n");
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

}  // namespace berth::interactive
