// The container's output: pipes (or the pty master) read by the event loop, cut into Docker
// json-file lines (StreamLog) and queued for the log writer thread (log_writer.hpp: a slow or full
// disk drops and counts lines, never blocks the container); in the foreground also copied to our
// own stdout/stderr. One read per wake-up keeps stdout and stderr interleaved fairly.
//
// Output is read until EOF when the container exits: PID 1 of a pid namespace is reported dead
// only after every other process of the namespace is gone, so every writer is gone too and no
// trailing line is lost. (Without a pid namespace, what escaped PID 1 is cut off at that point.)
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/sys_error.hpp"
#include "runtime-shim/supervisor.hpp"

namespace berth::shim {

void Supervisor::watch_output(UniqueFd fd, const char* stream, int tee_fd, bool pty) {
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) != 0)
    throw_errno("make the output pipe non-blocking");
  const bool is_stderr = std::string_view(stream) == "stderr";
  auto out = std::make_unique<Output>(Output{std::move(fd), StreamLog(stream), tee_fd, pty, is_stderr});
  Output* raw = out.get();
  m_outputs.push_back(std::move(out));
  m_loop.add(raw->fd.get(), EPOLLIN, [this, raw](uint32_t) {
    if (!read_output(*raw, false)) {  // EOF: the stream is done before the container exited
      m_loop.remove(raw->fd.get());
      if (raw->fd.get() == m_pty_master) m_pty_master = -1;
      raw->fd.reset();
    }
  });
}

bool Supervisor::read_output(Output& out, bool drain) {
  std::string lines;
  bool open = true;
  do {
    ssize_t n = ::read(out.fd.get(), m_read_buf.data(), m_read_buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {  // EOF, or EIO from a pty master whose slave side is all closed
      out.log.finish(lines);
      open = false;
      break;
    }
    std::string_view data(m_read_buf.data(), static_cast<size_t>(n));
    out.log.feed(data, lines);
    copy_to_attached(out.is_stderr, data);
    if (out.tee_fd >= 0)
      for (size_t off = 0; off < data.size();) {
        ssize_t w = ::write(out.tee_fd, data.data() + off, data.size() - off);
        if (w <= 0 && errno != EINTR) break;
        off += static_cast<size_t>(std::max<ssize_t>(w, 0));
      }
  } while (drain);
  if (m_log) {
    m_log->write(lines);  // queued for the writer thread: never blocks, drops when it must
    note_log_drops();
  }
  return open;
}

void Supervisor::close_outputs() {
  for (auto& out : m_outputs) {
    if (!out->fd) continue;
    read_output(*out, true);
    std::string rest;
    out->log.finish(rest);
    if (m_log) m_log->write(rest);
    m_loop.remove(out->fd.get());
  }
  m_outputs.clear();
  // Readers take "exited" to mean every line is in the file: wait for the writer thread.
  if (m_log) m_log->flush();
  m_pty_master = -1;
}

}  // namespace berth::shim
