#pragma once
// Printing several containers' logs through one writer, as docker compose v2 does
// (cmd/formatter/logs.go): each line prefixed "web-1  | " with the name padded to the longest
// registered name plus one, the prefix coloured per container from a fixed rainbow, stdout
// messages to stdout and stderr messages to stderr. Whole lines only: partial messages of one
// container are joined until their '\n', so readers on several threads never interleave.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "compose/logs/log_reader.hpp"

namespace berth::logs {

/// How lines look.
struct PrinterOptions {
  bool color = false;       ///< ANSI colour on the prefix
  bool prefix = true;       ///< false: --no-log-prefix
  bool timestamps = false;  ///< -t: Docker's fixed RFC3339Nano time before the text
};

/// docker compose's colour decision: off with --no-color, with NO_COLOR set (any value) or
/// --ansi never; on with --ansi always; otherwise (auto) when `fd` is a terminal.
bool use_color(bool no_color_flag, const std::string& ansi, int fd);

/// The SGR code of the n-th registered container (compose's rainbow: cyan, yellow, green,
/// magenta, blue, then their intense forms, repeating).
std::string palette_color(size_t n);

/// Thread-safe multiplexer of container log streams.
class LogPrinter {
 public:
  /// Writes stdout messages to `out_fd`, stderr messages and status lines' errors to `err_fd`.
  LogPrinter(int out_fd, int err_fd, PrinterOptions options);

  /// Registers a container ("web-1") and returns its handle; every prefix is re-padded to the
  /// new longest name, as compose does when a container appears.
  size_t add(const std::string& name);

  /// Registers docker compose's watch logger ("#watch", counted in the padding): its lines are
  /// prefixed with blanks and " ⦿ " in intense green, and it takes no colour of the rainbow.
  size_t add_watch();

  /// Prints one whole line of `source` on stdout (a watch message).
  void line(size_t source, const std::string& text);

  /// Prints one message of container `source` (joined with earlier partial pieces).
  void write(size_t source, const LogEntry& entry);

  /// The container's stream ended: prints a pending partial line, if any.
  void finish(size_t source);

  /// Prints a line about a container on stdout, coloured like its prefix but not prefixed:
  /// "web-1 exited with code 0".
  void status(size_t source, const std::string& text);

  /// The prefix of `source` as printed now (colour codes included when colour is on).
  std::string prefix(size_t source) const;

 private:
  struct Source {
    std::string name;
    std::string color;
    std::string pending[2];  ///< partial text per stream (0 stdout, 1 stderr)
    int64_t pending_time[2] = {0, 0};
    bool watch = false;
  };

  std::string prefix_locked(const Source& s) const;
  void emit_locked(const Source& s, int stream, std::string_view text, int64_t time_ns);
  void write_all(int fd, std::string_view data);

  int m_out_fd, m_err_fd;
  PrinterOptions m_options;
  mutable std::mutex m_mutex;
  std::deque<Source> m_sources;  ///< deque: handles stay valid as sources are added
  size_t m_width = 0;            ///< longest name + 1
  size_t m_colored = 0;          ///< containers registered: the next one's rainbow colour
};

}  // namespace berth::logs
