#pragma once
// The log writer thread: the event loop hands it whole json-file lines and goes back to the
// container's pipes, so a slow, failing or full disk never blocks the container (which would
// otherwise stall writing to a full pipe): a burst larger than the buffer waits for a writer that
// is making progress (briefly), never for one that fails or hangs. Lines that cannot be queued (more than
// max-buffer bytes waiting) or written (ENOSPC, EIO) are dropped and counted; once writing works
// again a stderr entry "berth-shim: N log lines dropped (<why>)" is written before the next lines.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "runtime-shim/logs.hpp"

namespace berth::shim {

/// Docker's default max-buffer-size for mode=non-blocking is 1 MB; Berth always writes from a
/// buffer, so it keeps a larger one: a burst from a fast writer then rarely loses a line.
inline constexpr size_t kDefaultLogBuffer = 8 * 1024 * 1024;

/// How long write() waits for room while the writer is busy before it calls the writer stalled.
inline constexpr std::chrono::milliseconds kStallWait{200};

class AsyncLogWriter {
 public:
  using Warn = std::function<void(const std::string&)>;

  /// Starts the writer thread over `file`. `warn` (called from that thread) hears of the first
  /// failure of each streak.
  AsyncLogWriter(std::unique_ptr<LogFile> file, size_t max_buffer, Warn warn);
  /// Writes what is queued, then stops the thread.
  ~AsyncLogWriter();
  AsyncLogWriter(const AsyncLogWriter&) = delete;
  AsyncLogWriter& operator=(const AsyncLogWriter&) = delete;

  /// Queues complete json-file lines. With max_buffer bytes already queued it waits for the
  /// writer to take them, at most kStallWait and not at all while the writer is stalled; lines
  /// that still find no room are dropped (and counted).
  void write(std::string_view lines);
  /// Waits until every queued line has been written or dropped.
  void flush();
  /// Lines dropped since the start.
  uint64_t dropped() const;

 private:
  void run();
  /// Writes `batch` (and first the report of earlier drops); called without the lock.
  void write_batch(const std::string& batch, uint64_t unreported, const std::string& why);

  std::unique_ptr<LogFile> m_file;
  size_t m_max_buffer;
  Warn m_warn;
  mutable std::mutex m_mutex;
  std::condition_variable m_work, m_idle, m_room;
  std::string m_queue;
  bool m_busy = false;
  bool m_stop = false;
  bool m_failing = false;     ///< the last write failed (warn once per streak)
  bool m_stalled = false;     ///< a wait for room timed out; cleared when a batch is done
  uint64_t m_dropped = 0;     ///< in all
  uint64_t m_unreported = 0;  ///< dropped since the last report written to the log
  std::string m_drop_reason;  ///< why the unreported lines were dropped (the last reason)
  std::thread m_thread;
};

}  // namespace berth::shim
