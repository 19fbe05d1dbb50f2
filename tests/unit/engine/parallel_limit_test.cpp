// ParallelLimit (--parallel): never more than N holders at once, and N do run together.
#include "compose/engine/parallel_limit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace berth::engine {
namespace {

int most_at_once_under(int limit_n, int threads) {
  ParallelLimit limit(limit_n);
  std::atomic<int> now{0}, most{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&] {
      ParallelLimit::Slot slot(limit);
      const int n = ++now;
      int seen = most.load();
      while (n > seen && !most.compare_exchange_weak(seen, n)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      --now;
    });
  for (auto& t : pool) t.join();
  return most.load();
}

TEST(ParallelLimit, HoldsAtMostNAtOnceAndNoLimitAtZeroOrBelow) {
  EXPECT_EQ(most_at_once_under(1, 4), 1);
  EXPECT_EQ(most_at_once_under(2, 6), 2);
  EXPECT_EQ(most_at_once_under(-1, 5), 5);
  EXPECT_EQ(most_at_once_under(0, 3), 3);
}

}  // namespace
}  // namespace berth::engine
