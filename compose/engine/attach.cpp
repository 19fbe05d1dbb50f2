// The attached wait of `up`. Signals are blocked and taken with sigtimedwait, so the stop runs
// on this thread with the project lock, never inside a signal handler.
#include "compose/engine/attach.hpp"

#include <signal.h>

#include <ctime>
#include <iostream>

namespace berth::engine {

int attach_and_wait(Engine& engine, const AttachOptions& options) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &set, &old);
  const bool abort = options.abort_on_container_exit || !options.exit_code_from.empty();
  int code = 0;
  bool interrupted = false;
  engine.unlock();  // other commands (ps, logs, stop) may run while we wait
  for (;;) {
    timespec tick{0, 100'000'000};
    int sig = ::sigtimedwait(&set, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      interrupted = true;
      code = 128 + sig;
      break;
    }
    auto observed = engine.observe(options.services);
    bool all_exited = true, one_exited = false;
    for (const auto& o : observed) {
      bool exited = o.status.status == "exited" || o.status.status == "dead";
      all_exited &= exited;
      if (exited && (options.exit_code_from.empty() || o.record.service == options.exit_code_from)) {
        if (!one_exited) code = o.status.exit_code;
        one_exited = true;
      }
    }
    if (all_exited) {
      if (!abort) code = 0;
      break;
    }
    if (abort && one_exited) break;
  }
  if (interrupted || abort) {
    std::cerr << "Gracefully stopping... (press Ctrl+C again to force)\n";
    pthread_sigmask(SIG_SETMASK, &old, nullptr);  // a second Ctrl+C kills us, as docker compose
    engine.lock();
    engine.stop({}, options.timeout);
  } else {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  return code;
}

}  // namespace berth::engine
