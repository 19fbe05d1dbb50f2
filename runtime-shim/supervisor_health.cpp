// Running healthcheck probes: the schedule and the verdicts come from HealthMonitor (pure, unit
// tested); this file execs the probe in the container (exec_in_container, stdout and stderr on
// one pipe, stdin /dev/null), keeps the first 4 KiB of its output, SIGKILLs it at the timeout,
// and records the result when it is reaped. While the container is paused no probe runs: the
// timer just moves on, as Docker stops its monitor during a pause.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "common/sys_error.hpp"
#include "runtime-shim/supervisor.hpp"
#include "runtime-shim/trim.hpp"

namespace berth::shim {

void Supervisor::schedule_probe(Nanos delay) {
  if (m_probe_timer) m_loop.cancel(m_probe_timer);
  m_probe_timer = m_loop.after(delay, [this] {
    m_probe_timer = 0;
    run_probe();
  });
}

void Supervisor::run_probe() {
  if (!m_created || !m_health) return;
  if (m_state.state().status == "paused" || m_probe) return schedule_probe(m_health->next_delay(monotonic_now()));

  Probe probe;
  probe.start = rfc3339_now();
  probe.start_mono = monotonic_now();
  int fds[2];
  UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null || ::pipe2(fds, O_CLOEXEC) != 0) throw_errno("healthcheck: pipe or `/dev/null`");
  probe.out = UniqueFd(fds[0]);
  UniqueFd write_end(fds[1]);
  CreateOptions stdio;
  stdio.stdin_fd = null.get();
  stdio.stdout_fd = stdio.stderr_fd = write_end.get();
  try {
    probe.pid = exec_in_container(*m_created, m_bundle, ExecSpec{m_health->argv(), {}, "", "", false}, stdio);
  } catch (const std::exception& e) {  // Docker records a probe that could not run as -1
    shim_protocol::HealthLogEntry result{probe.start, rfc3339_now(), -1, e.what()};
    record_probe(probe.start_mono, std::move(result));
    return schedule_probe(m_health->next_delay(monotonic_now()));
  }
  write_end.reset();
  release_startup_memory();  // between probes an idle shim is as small as after the start
  if (::fcntl(probe.out.get(), F_SETFL, O_NONBLOCK) != 0) throw_errno("healthcheck: make the pipe non-blocking");
  m_probe = std::move(probe);
  m_loop.add(m_probe->out.get(), EPOLLIN, [this](uint32_t) {
    char buf[4096];
    ssize_t n = ::read(m_probe->out.get(), buf, sizeof buf);
    if (n > 0) return m_probe->output.append(std::string_view(buf, static_cast<size_t>(n)));
    if (n < 0 && errno == EAGAIN) return;
    m_loop.remove(m_probe->out.get());  // EOF: the probe (and its children) closed it
    m_probe->out.reset();
  });
  m_probe_deadline = m_loop.after(m_health->timeout(), [this] {
    m_probe_deadline = 0;
    if (!m_probe) return;
    m_probe->timed_out = true;
    ::kill(m_probe->pid, SIGKILL);
  });
}

void Supervisor::record_probe(Nanos start_mono, shim_protocol::HealthLogEntry result) {
  const std::string before = m_health->health().status;
  m_health->record(start_mono, std::move(result));
  save_state();
  // Docker's monitor emits an event when the status changes (starting -> healthy, ...).
  if (const std::string now = m_health->health().status; now != before) record_event("health_status: " + now);
}

void Supervisor::on_probe_exit(int status) {
  Probe probe = std::move(*m_probe);
  m_probe.reset();
  if (m_probe_deadline) m_loop.cancel(std::exchange(m_probe_deadline, 0));
  if (probe.out) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(probe.out.get(), buf, sizeof buf)) > 0)
      probe.output.append(std::string_view(buf, static_cast<size_t>(n)));
    m_loop.remove(probe.out.get());
  }
  if (probe.abandoned || !m_health || !m_created) return;

  shim_protocol::HealthLogEntry result;
  result.start = probe.start;
  result.end = rfc3339_now();
  result.exit_code = probe.timed_out ? -1 : exit_code_of_status(status);
  result.output = probe.timed_out ? m_health->timeout_output(probe.output.str()) : probe.output.str();
  record_probe(probe.start_mono, std::move(result));
  schedule_probe(m_health->next_delay(monotonic_now()));
}

}  // namespace berth::shim
