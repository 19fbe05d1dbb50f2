// epoll loop + timers + self-pipe signals. Watches are looked up by a never-reused token
// stored in epoll_event.data, so a handler that removes another fd (or closes and reopens the
// same number) within one epoll_wait batch never runs a stale handler. Timers are a small map
// scanned linearly: the shim has at most a few at a time.
#include "runtime-shim/event_loop.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <vector>

#include "common/sys_error.hpp"

namespace berth::shim {

std::chrono::nanoseconds monotonic_now() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

EventLoop::EventLoop() : m_epoll(::epoll_create1(EPOLL_CLOEXEC)) {
  if (!m_epoll) throw_errno("epoll_create1");
}

void EventLoop::add(int fd, uint32_t events, Handler handler) {
  uint64_t token = m_next_token++;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("epoll_ctl add fd " + std::to_string(fd));
  m_watches[token] = std::make_shared<Watch>(Watch{fd, std::move(handler)});
  m_token_of_fd[fd] = token;
}

void EventLoop::modify(int fd, uint32_t events) {
  auto it = m_token_of_fd.find(fd);
  if (it == m_token_of_fd.end()) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = it->second;
  if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_MOD, fd, &ev) != 0) throw_errno("epoll_ctl modify fd " + std::to_string(fd));
}

void EventLoop::remove(int fd) {
  auto it = m_token_of_fd.find(fd);
  if (it == m_token_of_fd.end()) return;
  ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
  m_watches.erase(it->second);
  m_token_of_fd.erase(it);
}

EventLoop::TimerId EventLoop::after(std::chrono::nanoseconds delay, std::function<void()> fn) {
  TimerId id = m_next_timer++;
  m_timers[id] = Timer{monotonic_now() + delay, std::move(fn)};
  return id;
}

void EventLoop::cancel(TimerId id) { m_timers.erase(id); }

int EventLoop::next_timeout_ms() const {
  if (m_timers.empty()) return -1;
  auto earliest = std::min_element(m_timers.begin(), m_timers.end(), [](const auto& a, const auto& b) {
                    return a.second.deadline < b.second.deadline;
                  })->second.deadline;
  auto left = earliest - monotonic_now();
  if (left.count() <= 0) return 0;
  // Round up so a timer is never woken for a moment too early (a busy loop of 0 ms waits).
  auto ms = (left.count() + 999'999) / 1'000'000;
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

template <class F>
void EventLoop::guarded(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    if (m_report)
      m_report(e);
    else
      std::fprintf(stderr, "berth-shim: %s\n", e.what());
  }
}

void EventLoop::fire_due_timers() {
  auto now = monotonic_now();
  std::vector<TimerId> due;
  for (auto& [id, t] : m_timers)
    if (t.deadline <= now) due.push_back(id);
  std::sort(due.begin(), due.end(), [&](TimerId a, TimerId b) { return m_timers[a].deadline < m_timers[b].deadline; });
  for (TimerId id : due) {
    auto it = m_timers.find(id);
    if (it == m_timers.end()) continue;  // cancelled by an earlier timer
    auto fn = std::move(it->second.fn);
    m_timers.erase(it);
    guarded(fn);
  }
}

void EventLoop::run_once() {
  epoll_event events[32];
  int n = ::epoll_wait(m_epoll.get(), events, 32, next_timeout_ms());
  if (n < 0) {
    if (errno == EINTR) return;
    throw_errno("epoll_wait");
  }
  for (int i = 0; i < n && !m_stopped; ++i) {
    auto it = m_watches.find(events[i].data.u64);
    if (it == m_watches.end()) continue;  // removed by an earlier handler in this batch
    auto watch = it->second;              // keeps the handler alive while it runs
    guarded([&] { watch->handler(events[i].events); });
  }
  if (!m_stopped) fire_due_timers();
}

void EventLoop::run() {
  m_stopped = false;
  while (!m_stopped) run_once();
}

namespace {

std::atomic<int> g_signal_write_fd{-1};
pid_t g_signal_owner = 0;

void on_signal(int signo) {
  // A forked child between fork and exec still runs this handler: only the shim reports.
  if (::getpid() != g_signal_owner) return;
  int saved = errno;
  auto byte = static_cast<unsigned char>(signo);
  [[maybe_unused]] ssize_t n = ::write(g_signal_write_fd.load(), &byte, 1);
  errno = saved;
}

}  // namespace

SignalPipe::SignalPipe(EventLoop& loop, std::initializer_list<int> signals, std::function<void(int)> on_sig)
    : m_loop(loop), m_on_signal(std::move(on_sig)), m_signals(signals) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw_errno("pipe2 for signals");
  m_read = UniqueFd(fds[0]);
  g_signal_write_fd = fds[1];
  g_signal_owner = ::getpid();
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int s : signals)
    if (::sigaction(s, &sa, nullptr) != 0) throw_errno("sigaction " + std::to_string(s));
  m_loop.add(m_read.get(), EPOLLIN, [this](uint32_t) {
    unsigned char buf[64];
    ssize_t n;
    while ((n = ::read(m_read.get(), buf, sizeof buf)) > 0)
      for (ssize_t i = 0; i < n; ++i) m_on_signal(buf[i]);
  });
}

SignalPipe::~SignalPipe() {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  for (int s : m_signals) ::sigaction(s, &sa, nullptr);
  m_loop.remove(m_read.get());
  int w = g_signal_write_fd.exchange(-1);
  if (w >= 0) ::close(w);
}

}  // namespace berth::shim
