#pragma once
// docker compose's --parallel N / COMPOSE_PARALLEL_LIMIT: at most N operations at once (its
// MaxConcurrency: a semaphore on the dependency graph's visits, pulls and builds). N <= 0 is
// unlimited. Threads take a Slot around each operation; a thread waiting for a dependency
// condition holds none, so the limit cannot deadlock the graph.
#include <condition_variable>
#include <mutex>

namespace berth::engine {

class ParallelLimit {
 public:
  explicit ParallelLimit(int max) : m_max(max) {}
  ParallelLimit(const ParallelLimit&) = delete;
  ParallelLimit& operator=(const ParallelLimit&) = delete;

  /// One operation's place, given back when it goes out of scope.
  class Slot {
   public:
    explicit Slot(ParallelLimit& limit) : m_limit(limit) { m_limit.acquire(); }
    ~Slot() { m_limit.release(); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    ParallelLimit& m_limit;
  };

 private:
  void acquire() {
    if (m_max <= 0) return;
    std::unique_lock lock(m_mutex);
    m_free.wait(lock, [&] { return m_running < m_max; });
    ++m_running;
  }
  void release() {
    if (m_max <= 0) return;
    {
      std::lock_guard lock(m_mutex);
      --m_running;
    }
    m_free.notify_one();
  }

  const int m_max;
  int m_running = 0;
  std::mutex m_mutex;
  std::condition_variable m_free;
};

}  // namespace berth::engine
