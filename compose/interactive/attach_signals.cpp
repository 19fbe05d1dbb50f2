// Handlers only touch lock-free atomics: everything else happens on the command's thread.
#include "compose/interactive/attach_signals.hpp"

namespace berth::interactive {

namespace {

std::atomic<int> g_count{0};
std::atomic<int> g_last{0};
std::atomic<bool> g_interrupted{false};

void on_signal(int sig) {
  g_count.fetch_add(1);
  g_last.store(sig);
  g_interrupted.store(true);
}

}  // namespace

InterruptWatch::InterruptWatch() {
  g_count = 0;
  g_last = 0;
  g_interrupted = false;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read/poll returns EINTR and the loop looks
  ::sigaction(SIGINT, &sa, &m_old_int);
  ::sigaction(SIGTERM, &sa, &m_old_term);
}

InterruptWatch::~InterruptWatch() {
  ::sigaction(SIGINT, &m_old_int, nullptr);
  ::sigaction(SIGTERM, &m_old_term, nullptr);
}

int InterruptWatch::count() const { return g_count.load(); }
int InterruptWatch::last_signal() const { return g_last.load(); }
const std::atomic<bool>& InterruptWatch::interrupted() const { return g_interrupted; }

}  // namespace berth::interactive
