// docker compose v2's log presenter: prefix = colour("%-<width>s | ", name) where width is the
// longest registered name + 1, the colour picked from a rainbow in registration order. Each
// printed line is written with one write(2) under a mutex, so lines from concurrent readers
// stay whole even when stdout is a pipe shared with other writers.
#include "compose/logs/log_printer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace berth::logs {

bool use_color(bool no_color_flag, const std::string& ansi, int fd) {
  if (no_color_flag || ansi == "never") return false;
  if (const char* nc = std::getenv("NO_COLOR"); nc != nullptr) return false;
  if (ansi == "always") return true;
  return ::isatty(fd) == 1;
}

std::string palette_color(size_t n) {
  static constexpr const char* kRainbow[] = {"36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1"};
  return kRainbow[n % (sizeof kRainbow / sizeof kRainbow[0])];
}

LogPrinter::LogPrinter(int out_fd, int err_fd, PrinterOptions options)
    : m_out_fd(out_fd), m_err_fd(err_fd), m_options(options) {}

size_t LogPrinter::add(const std::string& name) {
  std::lock_guard lock(m_mutex);
  Source s;
  s.name = name;
  s.color = palette_color(m_colored++);
  m_sources.push_back(std::move(s));
  if (name.size() + 1 > m_width) m_width = name.size() + 1;
  return m_sources.size() - 1;
}

size_t LogPrinter::add_watch() {
  std::lock_guard lock(m_mutex);
  Source s;
  s.name = "#watch";
  s.color = "92";
  s.watch = true;
  m_sources.push_back(std::move(s));
  if (m_sources.back().name.size() + 1 > m_width) m_width = m_sources.back().name.size() + 1;
  return m_sources.size() - 1;
}

void LogPrinter::line(size_t source, const std::string& text) {
  std::lock_guard lock(m_mutex);
  write_all(m_out_fd, prefix_locked(m_sources.at(source)) + text + "\n");
}

std::string LogPrinter::prefix(size_t source) const {
  std::lock_guard lock(m_mutex);
  return prefix_locked(m_sources.at(source));
}

std::string LogPrinter::prefix_locked(const Source& s) const {
  if (!m_options.prefix) return "";
  std::string p = s.watch ? std::string(m_width, ' ') + " \u29bf " : s.name;
  if (!s.watch && p.size() < m_width) p.append(m_width - p.size(), ' ');
  if (!s.watch) p += " | ";
  if (!m_options.color) return p;
  return "\033[" + s.color + "m" + p + "\033[0m";
}

void LogPrinter::write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed pipe (e.g. `| head`) ends output, not the command
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void LogPrinter::emit_locked(const Source& s, int stream, std::string_view text, int64_t time_ns) {
  std::string line = prefix_locked(s);
  if (m_options.timestamps) {
    line += format_time_fixed(time_ns);
    line += ' ';
  }
  line.append(text);
  line += '\n';
  write_all(stream == 0 ? m_out_fd : m_err_fd, line);
}

void LogPrinter::write(size_t source, const LogEntry& entry) {
  std::lock_guard lock(m_mutex);
  Source& s = m_sources.at(source);
  int stream = entry.stream == "stderr" ? 1 : 0;
  std::string& pending = s.pending[stream];
  if (entry.partial()) {
    if (pending.empty()) s.pending_time[stream] = entry.time_ns;
    pending += entry.text;
    return;
  }
  std::string_view text(entry.text);
  text.remove_suffix(1);  // the '\n'
  if (!pending.empty()) {
    pending.append(text);
    emit_locked(s, stream, pending, s.pending_time[stream]);
    pending.clear();
    return;
  }
  emit_locked(s, stream, text, entry.time_ns);
}

void LogPrinter::finish(size_t source) {
  std::lock_guard lock(m_mutex);
  Source& s = m_sources.at(source);
  for (int stream = 0; stream < 2; ++stream) {
    if (s.pending[stream].empty()) continue;
    emit_locked(s, stream, s.pending[stream], s.pending_time[stream]);
    s.pending[stream].clear();
  }
}

void LogPrinter::status(size_t source, const std::string& text) {
  std::lock_guard lock(m_mutex);
  const Source& s = m_sources.at(source);
  std::string line = m_options.color ? "\033[" + s.color + "m" + text + "\033[0m\n" : text + "\n";
  write_all(m_out_fd, line);
}

}  // namespace berth::logs
