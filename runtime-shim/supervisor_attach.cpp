// Attached clients (`attach` op, common/shim_protocol.hpp): `docker attach` / `docker run -it`
// for Berth. The shim stays the only reader of the container's output (the json-file log must
// see everything), so a client gets its own pipes and the shim copies each chunk it reads into
// them; a client never slows the container down: what it has not taken yet waits in memory,
// and one that falls more than kMaxPending behind, or goes away, is dropped.
//
// Input: with a terminal the client gets a duplicate of the pty master to write its keystrokes
// (and TIOCSWINSZ) to; without one, the write end of the stdin pipe that `open_stdin` keeps.
// With `stdin_once` the first client takes that write end for good: when it closes it, the
// container reads EOF (`docker run -i ... < file`).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/sys_error.hpp"
#include "runtime-shim/supervisor.hpp"

namespace berth::shim {

namespace {

constexpr size_t kMaxPending = 4 << 20;  ///< per client pipe, beyond the pipe's own buffer
constexpr size_t kMaxBacklog = 1 << 20;  ///< output kept for the first client (attach_pending)

nlohmann::json error(const std::string& text) { return {{"ok", false}, {"error", text}}; }

std::pair<UniqueFd, UniqueFd> make_pipe(const char* what) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno(std::string("pipe for attach ") + what);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

void Supervisor::open_stdin(CreateOptions& opts, UniqueFd& child_end) {
  auto [read_end, write_end] = make_pipe("stdin");
  child_end = std::move(read_end);
  m_stdin = std::move(write_end);
  opts.stdin_fd = child_end.get();
}

void Supervisor::handle_attach(const nlohmann::json& request, const Respond& respond) {
  const bool want_stdin = request.value("stdin", false);
  const bool running = m_created.has_value();
  // A container that already exited still has its first client's output waiting for it: a
  // `run` of a command that finishes at once must not lose what it printed.
  const bool replay = m_bundle.attach_pending && !m_attached_once;
  if (!running && !replay) return respond(error("container " + m_opts.id + " is not running"), {});

  nlohmann::json names = nlohmann::json::array();
  std::vector<UniqueFd> client_ends;
  if (want_stdin && running) {
    UniqueFd in;
    if (m_bundle.terminal && m_pty_master >= 0) {
      in = UniqueFd(::fcntl(m_pty_master, F_DUPFD_CLOEXEC, 0));
      if (!in) throw_errno("duplicate the pty master for attach");
    } else if (m_stdin && m_bundle.stdin_once) {
      in = std::move(m_stdin);  // ours is closed: the client's close is the container's EOF
    } else if (m_stdin) {
      in = UniqueFd(::fcntl(m_stdin.get(), F_DUPFD_CLOEXEC, 0));
      if (!in) throw_errno("duplicate the container's stdin for attach");
    }
    if (in) {
      names.push_back("stdin");
      client_ends.push_back(std::move(in));
    }
  }
  std::vector<Sink*> sinks;
  for (bool is_stderr : {false, true}) {
    if (is_stderr && m_bundle.terminal) break;  // a terminal has one stream
    auto [read_end, write_end] = make_pipe(is_stderr ? "stderr" : "stdout");
    int flags = ::fcntl(write_end.get(), F_GETFL);
    if (flags < 0 || ::fcntl(write_end.get(), F_SETFL, flags | O_NONBLOCK) != 0)
      throw_errno("make the attach pipe non-blocking");
    names.push_back(is_stderr ? "stderr" : "stdout");
    client_ends.push_back(std::move(read_end));
    m_sinks.push_back(std::make_unique<Sink>(Sink{std::move(write_end), is_stderr, {}, false}));
    sinks.push_back(m_sinks.back().get());
  }
  if (replay)
    for (auto& [is_stderr, data] : m_backlog)
      for (Sink* s : sinks)
        if (s->fd && s->is_stderr == is_stderr) write_to_sink(*s, data);
  m_attached_once = true;
  m_backlog.clear();
  m_backlog.shrink_to_fit();
  m_backlog_size = 0;
  respond({{"ok", true}, {"tty", m_bundle.terminal}, {"fds", names}}, std::move(client_ends));
  if (!running) end_attachments();  // replayed all there is: EOF after it
}

void Supervisor::copy_to_attached(bool is_stderr, std::string_view data) {
  if (m_bundle.attach_pending && !m_attached_once && m_backlog_size < kMaxBacklog) {
    const size_t take = std::min(data.size(), kMaxBacklog - m_backlog_size);
    m_backlog.emplace_back(is_stderr, std::string(data.substr(0, take)));
    m_backlog_size += take;
  }
  for (auto& s : m_sinks)
    if (s->fd && s->is_stderr == is_stderr) write_to_sink(*s, data);
  std::erase_if(m_sinks, [](const auto& s) { return !s->fd; });
}

void Supervisor::write_to_sink(Sink& sink, std::string_view data) {
  if (!sink.pending.empty()) {  // keep the order: behind what is already waiting
    if (sink.pending.size() + data.size() > kMaxPending) {
      warn("attach: a client fell " + std::to_string(kMaxPending >> 20) + " MiB behind the output, dropped");
      m_loop.remove(sink.fd.get());
      sink.fd.reset();
      return;
    }
    sink.pending.append(data);
    return;
  }
  ssize_t n;
  do {
    n = ::write(sink.fd.get(), data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno != EAGAIN) {  // EPIPE: the client went away
    sink.fd.reset();
    return;
  }
  data.remove_prefix(static_cast<size_t>(std::max<ssize_t>(n, 0)));
  if (data.empty()) return;
  sink.pending.assign(data);
  Sink* raw = &sink;
  m_loop.add(sink.fd.get(), EPOLLOUT, [this, raw](uint32_t) { flush_sink(*raw); });
}

void Supervisor::flush_sink(Sink& sink) {
  while (!sink.pending.empty()) {
    ssize_t n = ::write(sink.fd.get(), sink.pending.data(), sink.pending.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // still full: wait for the next EPOLLOUT
    if (n < 0) {
      sink.pending.clear();
      sink.closing = true;  // gone: nothing more to write
      break;
    }
    sink.pending.erase(0, static_cast<size_t>(n));
  }
  m_loop.remove(sink.fd.get());
  if (sink.closing) {
    sink.fd.reset();
    std::erase_if(m_sinks, [](const auto& s) { return !s->fd; });  // `sink` is gone after this
  }
}

void Supervisor::end_attachments() {
  m_stdin.reset();
  for (auto& s : m_sinks) {
    s->closing = true;
    if (s->pending.empty()) s->fd.reset();  // EOF for the client now; others after their flush
  }
  std::erase_if(m_sinks, [](const auto& s) { return !s->fd; });
}

}  // namespace berth::shim
