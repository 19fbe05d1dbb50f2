#pragma once
// The container's stdout/stderr in Docker's json-file format: one JSON object per line,
// {"log":"text\n","stream":"stdout","time":"2026-11-23T03:12:37.123456789Z"}, so `logs`
// options and other tools that read Docker's files work on Berth's.
#include <time.h>

#include <functional>
#include <string>
#include <string_view>

#include "common/unique_fd.hpp"

namespace berth::shim {

/// Docker's copier buffer: a line longer than this is cut into partial messages of this size.
inline constexpr size_t kLogLineMax = 16 * 1024;

/// Current CLOCK_REALTIME.
timespec realtime_now();

/// `t` in UTC as Go's time.RFC3339Nano prints it: trailing zeros of the fraction trimmed and
/// no fraction at all when it is zero ("2026-11-23T03:12:37.1234Z", "2026-11-23T03:12:37Z").
std::string format_rfc3339_nano(const timespec& t);

/// Appends `s` as a JSON string exactly as Docker's json-file driver escapes it: `<`, `>`, `&`
/// and control characters as \u00XX (\n, \r, \", \\ short), invalid UTF-8 as \ufffd,
/// U+2028/U+2029 escaped.
void append_docker_json_string(std::string& out, std::string_view s);

/// append_docker_json_string without the surrounding quotes.
void append_docker_json_chars(std::string& out, std::string_view s);

/// Appends one complete json-file line (ending in '\n') for message `log`, plus "\n" inside the
/// message when `newline` (a complete line; Docker strips and re-adds it).
void append_log_entry(std::string& out, std::string_view log, std::string_view stream, const timespec& t,
                      bool newline = false);

/// Cuts one stream (stdout or stderr) into Docker's log messages: one per '\n'-terminated
/// line, a line reaching 16 KiB without '\n' emitted as a partial message (no trailing '\n';
/// every piece of one long line carries the first piece's timestamp), and what is left at EOF
/// emitted as a partial message.
class StreamLog {
 public:
  using Clock = std::function<timespec()>;

  explicit StreamLog(std::string stream, Clock clock = realtime_now)
      : m_stream(std::move(stream)), m_clock(std::move(clock)) {}

  /// Consumes `data`, appending the json-file lines it completes to `out`.
  void feed(std::string_view data, std::string& out);
  /// End of stream: flushes a pending partial line.
  void finish(std::string& out);

 private:
  void emit(std::string_view text, bool newline, std::string& out);

  std::string m_stream;
  Clock m_clock;
  std::string m_pending;
  bool m_in_partial = false;  ///< pieces of one long line are being emitted
  timespec m_partial_time{};
};

/// The json-file log, opened for appending (created 0640).
class LogFile {
 public:
  /// Opens (creating) `path`; throws SysError naming it.
  explicit LogFile(const std::string& path);
  /// Writes all of `data`; throws SysError naming the file (ENOSPC, EIO, ...).
  void write(std::string_view data);
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  UniqueFd m_fd;
};

}  // namespace berth::shim
