#pragma once
// Runs a callable when the scope ends unless dismissed: one-off rollback steps.
#include <utility>

namespace berth {

template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : m_f(std::move(f)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (m_active) m_f();
  }
  void dismiss() noexcept { m_active = false; }

 private:
  F m_f;
  bool m_active = true;
};

}  // namespace berth
