// See log_writer.hpp. One mutex guards the queue and the counters; the file is touched only by
// the writer thread, outside the lock, so write() from the event loop costs a memcpy (or, with
// the queue full and the writer busy, a wait of at most kStallWait).
#include "runtime-shim/log_writer.hpp"

#include <algorithm>

namespace berth::shim {

namespace {

uint64_t count_log_lines(std::string_view data) {
  return static_cast<uint64_t>(std::count(data.begin(), data.end(), '\n'));
}

}  // namespace

AsyncLogWriter::AsyncLogWriter(std::unique_ptr<LogFile> file, size_t max_buffer, Warn warn)
    : m_file(std::move(file)), m_max_buffer(max_buffer), m_warn(std::move(warn)) {
  m_thread = std::thread([this] { run(); });
}

AsyncLogWriter::~AsyncLogWriter() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_work.notify_one();
  m_thread.join();
}

void AsyncLogWriter::write(std::string_view lines) {
  if (lines.empty()) return;
  {
    std::unique_lock lock(m_mutex);
    auto full = [&] { return !m_queue.empty() && m_queue.size() + lines.size() > m_max_buffer; };
    // A writer that keeps taking batches (at disk speed) is waited for, briefly, so a burst loses
    // nothing; one that makes no progress for kStallWait (a hung disk) is not waited for again
    // until it finishes a batch: the container is never held up for longer than that once.
    if (full() && !m_stalled && !m_room.wait_for(lock, kStallWait, [&] { return !full(); })) m_stalled = true;
    if (full()) {
      uint64_t n = count_log_lines(lines);
      m_dropped += n;
      m_unreported += n;
      // A failing file is the reason even when the queue overflows meanwhile.
      if (!m_failing)
        m_drop_reason = "the log writer fell behind by more than " + std::to_string(m_max_buffer) + " bytes";
      return;
    }
    m_queue.append(lines);
  }
  m_work.notify_one();
}

void AsyncLogWriter::flush() {
  std::unique_lock lock(m_mutex);
  m_idle.wait(lock, [&] { return m_queue.empty() && !m_busy; });
}

uint64_t AsyncLogWriter::dropped() const {
  std::lock_guard lock(m_mutex);
  return m_dropped;
}

void AsyncLogWriter::write_batch(const std::string& batch, uint64_t unreported, const std::string& why) {
  if (unreported > 0) {
    std::string report;
    append_log_entry(report, "berth-shim: " + std::to_string(unreported) + " log lines dropped (" + why + ")", "stderr",
                     realtime_now(), true);
    m_file->write(report);
    std::lock_guard lock(m_mutex);
    m_unreported -= unreported;
  }
  m_file->write(batch);
}

void AsyncLogWriter::run() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_work.wait(lock, [&] { return m_stop || !m_queue.empty(); });
    if (m_queue.empty()) return;  // stopping, all written
    std::string batch;
    batch.swap(m_queue);
    m_busy = true;
    m_room.notify_all();
    const uint64_t unreported = m_unreported;
    const std::string why = m_drop_reason;
    lock.unlock();
    std::string failure;
    try {
      write_batch(batch, unreported, why);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    lock.lock();
    m_busy = false;
    m_stalled = false;
    if (failure.empty()) {
      m_failing = false;
    } else {
      uint64_t n = count_log_lines(batch);
      m_dropped += n;
      m_unreported += n;
      m_drop_reason = failure;
      if (!m_failing && m_warn) m_warn(failure + "; log lines are dropped until writing works again");
      m_failing = true;
    }
    if (m_queue.empty()) m_idle.notify_all();
  }
}

}  // namespace berth::shim
