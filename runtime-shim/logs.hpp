#pragma once
// The container's stdout/stderr in Docker's json-file format: one JSON object per line,
// {"log":"text\n","stream":"stdout","time":"2026-11-23T03:12:37.123456789Z"}, so `logs`
// options and other tools that read Docker's files work on Berth's.
#include <time.h>

#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "common/unique_fd.hpp"
#include "runtime-shim/log_rotation.hpp"

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

/// The json-file log, opened for appending (created 0640) and rotated as `rotation` says
/// (log_rotation.hpp). Used by one thread (the shim's log writer); a compression runs on a
/// thread of its own.
class LogFile {
 public:
  using Warn = std::function<void(const std::string&)>;

  /// Opens (creating) `path`; throws SysError naming it. `warn` hears of failed compressions.
  explicit LogFile(const std::string& path, LogRotation rotation = {}, Warn warn = {});
  /// Waits for a running compression.
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  /// Writes `data`, whole json-file lines, rotating first whenever the next line would go into a
  /// file already at or past max-size (so a file exceeds it by at most one line, as Docker's).
  /// Throws SysError naming the file (ENOSPC, EIO, ...); a line cut by a failed write is ended
  /// with a '\n' at the next write so that only it is lost (readers skip malformed lines).
  void write(std::string_view data);
  const std::string& path() const { return m_path; }
  /// Bytes in the current file.
  int64_t size() const { return m_size; }

 private:
  void open_current(int flags);
  void write_all(std::string_view data);
  void rotate();

  std::string m_path;
  LogRotation m_rotation;
  Warn m_warn;
  UniqueFd m_fd;
  int64_t m_size = 0;
  bool m_mid_line = false;  ///< the last write stopped inside a line
  std::thread m_compressor;
};

}  // namespace berth::shim
