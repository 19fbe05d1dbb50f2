#pragma once
// Reading a container's json-file log (written by berth-shim, runtime-shim/logs.cpp): one JSON
// object per line, {"log":"text\n","stream":"stdout","time":"RFC3339Nano"}; a message without
// a trailing '\n' is a partial piece of a longer line (16 KiB pieces) or output cut at exit.
// The log may be rotated (log_files.hpp): the rotated files are read first, oldest first, then
// the current one. `logs --tail/--since/--until/-f` are implemented here; printing is
// log_printer's job.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/unique_fd.hpp"
#include "compose/logs/log_files.hpp"

namespace berth::logs {

/// One message of the log.
struct LogEntry {
  std::string text;     ///< the message, including its trailing '\n' when complete
  std::string stream;   ///< "stdout" | "stderr"
  int64_t time_ns = 0;  ///< nanoseconds since the Unix epoch (UTC)
  /// True when the message is not a complete line (no trailing '\n').
  bool partial() const { return text.empty() || text.back() != '\n'; }
};

/// Parses one json-file line; nullopt when it is not a well-formed log entry (malformed lines
/// are skipped by the reader, as Docker skips what it cannot decode).
std::optional<LogEntry> parse_log_line(std::string_view line);

/// `--since`/`--until` values as `docker logs` takes them: RFC3339 (gocompat::parse_rfc3339_ns), a Unix
/// timestamp with optional fraction ("1700000000.5"), or a Go duration relative to `now_ns`
/// ("10m", "1h30m": now minus that). nullopt when none of these.
std::optional<int64_t> parse_log_time(std::string_view text, int64_t now_ns);

/// Docker's RFC3339NanoFixed, used by `logs -t`: "2024-01-02T03:04:05.000000000Z".
std::string format_time_fixed(int64_t ns);

/// Current CLOCK_REALTIME in nanoseconds.
int64_t now_ns();

/// What to read from a log.
struct LogFilter {
  std::optional<size_t> tail{};       ///< only the last N messages ("all" = nullopt)
  std::optional<int64_t> since_ns{};  ///< skip messages before this time
  std::optional<int64_t> until_ns{};  ///< stop at the first message after this time
};

/// Reads one json-file log, optionally following it as it grows.
class LogReader {
 public:
  using Sink = std::function<void(const LogEntry&)>;

  /// Does not open the file yet: a container that has not written anything may have none.
  LogReader(std::string path, LogFilter filter);

  /// Delivers every message available now (the first call applies --tail by reading the file
  /// backwards from its end). Returns false once --until has been passed (nothing more will
  /// ever be delivered). Throws SysError when the file exists but cannot be read.
  bool read_available(const Sink& sink);

  /// Follows the log: delivers what is there, then waits for growth (inotify, with a poll
  /// fallback) until `stop` becomes true, or `finished()` says the writer is gone for good —
  /// after which the log is drained once more and follow returns.
  void follow(const Sink& sink, const std::function<bool()>& finished, const std::atomic<bool>& stop);

  const std::string& path() const { return m_path; }

 private:
  /// The file being read: a plain file read from its offset, or a gzipped one's content.
  struct Source {
    UniqueFd fd;
    std::string data;     ///< a .gz file's content (fd kept for nothing else)
    size_t data_pos = 0;  ///< next byte of `data`
    bool gz = false;
    std::string first_line;  ///< identifies the file across renames ("" until it has one)
  };

  /// Opens the first file to read: with --tail, the one holding the N-th message from the end
  /// (positioned there); else the oldest rotated file, or the current one.
  void start();
  /// Reads the current source to its end. False once --until has been passed.
  bool read_source(const Sink& sink);
  /// Moves from a source rotated away (and drained) to the file written after it; false when
  /// that is the current file and it does not exist yet.
  bool advance();
  bool open_current();
  void open_rotated(const RotatedLog& log);
  bool source_is_current() const;
  std::string source_first_line();
  size_t tail_in_current(size_t n, size_t& found);
  bool deliver_data(std::string_view data, const Sink& sink);
  bool deliver_line(std::string_view line, const Sink& sink);

  std::string m_path;
  LogFilter m_filter;
  Source m_src;
  std::string m_pending;  ///< bytes read past the last '\n' (a line still being written)
  bool m_started = false;
  bool m_done = false;
};

}  // namespace berth::logs
