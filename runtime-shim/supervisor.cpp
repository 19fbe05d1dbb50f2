// The supervisor's lifecycle: prepare the bundle (init, log path), record "created" before
// acting, create the container with its stdio on pipes (or a pty), then react to events:
// SIGCHLD -> reap (container, exec'd processes, probes, and orphans re-parented to us as the
// child subreaper), output -> json-file log and attached clients, exit -> record code and OOM kill, remove the
// cgroups, restart after Docker's back-off or settle as "exited".

#include "runtime-shim/supervisor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/atomic_file.hpp"
#include "common/event_journal.hpp"
#include "common/file_lock.hpp"
#include "common/sys_error.hpp"
#include "runtime-shim/container/pty.hpp"
#include "runtime-shim/self_clone.hpp"
#include "runtime-shim/signals.hpp"
#include "runtime-shim/trim.hpp"

namespace berth::shim {

namespace {

void make_dirs(const std::string& path) {
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), 0711) != 0 && errno != EEXIST) throw_errno("create state dir `" + part + "`");
  }
}

/// The directory of berth-shim's file on disk (/proc/self/exe names the sealed copy once
/// main() has re-exec'd from it).
std::string self_dir() {
  std::string exe = original_executable_path();
  if (exe.empty()) {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    exe.assign(buf, static_cast<size_t>(n));
  }
  return exe.substr(0, exe.rfind('/'));
}

UniqueFd open_dev_null() {
  UniqueFd fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!fd) throw_errno("open `/dev/null`");
  return fd;
}

}  // namespace

void warn(const std::string& text) { std::fprintf(stderr, "berth-shim: %s\n", text.c_str()); }

int exit_code_of_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

int exit_code_of_start_error(const std::exception& e) {
  if (auto* ce = dynamic_cast<const ContainerError*>(&e); ce && ce->step() == "exec")
    return ce->code() == ENOENT ? 127 : 126;
  return 125;
}

Supervisor::Supervisor(ShimOptions options) : m_opts(std::move(options)), m_state(m_opts.state_dir) {
  m_read_buf.resize(64 * 1024);  // one pipe's worth per read
}

Supervisor::~Supervisor() {
  // Pending replies die with their connections; what is on disk stays for the engine.
  m_control.reset();
  if (m_wrote_pid_file) ::unlink((m_opts.state_dir + "/shim.pid").c_str());
}

void Supervisor::report_ready(const nlohmann::json& line) {
  if (m_opts.ready_fd < 0) return;
  std::string text = dump_json(line) + "\n";
  [[maybe_unused]] ssize_t n = ::write(m_opts.ready_fd, text.data(), text.size());
  ::close(m_opts.ready_fd);
  m_opts.ready_fd = -1;
}

bool Supervisor::save_state() {
  if (m_health) m_state.state().health = m_health->health();
  try {
    m_state.save();
    m_drops_saved = m_state.state().log_lines_dropped;
    return true;
  } catch (const std::exception& e) {
    warn(e.what());  // keep supervising: the socket still answers `status`
    return false;
  }
}

void Supervisor::record_event(const std::string& action, std::map<std::string, std::string> attributes) {
  if (m_bundle.events_journal.empty()) return;
  journal::Event e;
  e.time_ns = journal::now_ns();
  e.action = action;
  e.id = m_opts.id;
  e.service = m_bundle.service;
  e.oneoff = m_bundle.oneoff;
  e.attributes = std::move(attributes);
  if (!m_bundle.name.empty()) e.attributes["name"] = m_bundle.name;
  if (!m_bundle.image.empty()) e.attributes["image"] = m_bundle.image;
  try {
    journal::append(m_bundle.events_journal, e);
  } catch (const SysError& err) {
    if (err.code() != ENOENT) warn(err.what());  // ENOENT: the project is gone (`down`)
  }
}

void Supervisor::note_log_drops() {
  if (!m_log || m_drops_timer) return;  // a check is due already
  // Saved again until it sticks: on a full disk state.json may not be writable either.
  if (const uint64_t n = m_log->dropped(); n != m_drops_saved) {
    m_state.state().log_lines_dropped = n;
    save_state();
  }
  // The writer thread counts a failed batch after write() returned: look once more a second
  // after the last output.
  m_drops_timer = m_loop.after(std::chrono::seconds(1), [this] {
    m_drops_timer = 0;
    if (m_log && m_log->dropped() != m_drops_saved) note_log_drops();
  });
}

void Supervisor::prepare() {
  make_dirs(m_opts.state_dir);
  // One shim per state dir, for its whole life (the kernel drops the claim when it dies, however):
  // a second one would steal the control socket. berth sees the claim of a shim that has not bound
  // its socket yet (common/file_lock.hpp) and waits for it.
  m_state_claim = try_claim_file(m_opts.state_dir + "/shim.lock");
  if (!m_state_claim) throw std::runtime_error("state dir `" + m_opts.state_dir + "` is in use by another berth-shim");
  m_bundle = load_bundle(m_opts.bundle_dir, m_opts.id);
  m_restart = std::make_unique<RestartManager>(parse_restart_policy(m_bundle.restart));
  m_winsize = m_bundle.console_size;
  parse_signal(m_bundle.stop_signal);  // a bad stop signal fails now, not at the first stop
  if (m_bundle.healthcheck) {
    m_health.emplace(*m_bundle.healthcheck);
    if (!m_health->enabled()) m_health.reset();
  }
  if (m_bundle.init) {
    std::string init = m_opts.init_path.empty() ? self_dir() + "/berth-init" : m_opts.init_path;
    if (::access(init.c_str(), X_OK) != 0) throw_errno("init: berth-init `" + init + "`");
    // Exec'd from a sealed copy, not bind-mounted: /proc/1/exe then never reaches the host file.
    m_init_exe = sealed_copy(init, "berth-init");
    m_bundle.args.insert(m_bundle.args.begin(), {kInitPathInContainer, "--"});
  }
  std::string log_path = m_bundle.log_path.empty() ? m_opts.state_dir + "/container.log" : m_bundle.log_path;
  if (m_bundle.log_driver == "none") {
    log_path.clear();
  } else {
    LogRotation rotation{m_bundle.log_max_size, m_bundle.log_max_file, m_bundle.log_compress};
    m_log =
        std::make_unique<AsyncLogWriter>(std::make_unique<LogFile>(log_path, rotation, warn),
                                         m_bundle.log_max_buffer ? m_bundle.log_max_buffer : kDefaultLogBuffer, warn);
  }

  auto& s = m_state.state();
  s.id = m_opts.id;
  s.shim_pid = ::getpid();
  s.bundle = m_opts.bundle_dir;
  s.log_path = log_path;
  s.log_driver = m_bundle.log_driver;
  s.status = "created";
  save_state();
  write_file_atomic(m_opts.state_dir + "/shim.pid", std::to_string(::getpid()) + "\n");
  m_wrote_pid_file = true;
}

void Supervisor::start_container() {
  CreateOptions opts;
  opts.exec_fd = m_init_exe.get();
  UniqueFd dev_null, child_in, child_out, child_err, pty_slave;
  UniqueFd out_read, err_read, pty_master;
  if (m_bundle.terminal) {
    Pty pty = open_pty();
    if (m_winsize) set_window_size(pty.master.get(), m_winsize->first, m_winsize->second);
    pty_master = std::move(pty.master);
    pty_slave = std::move(pty.slave);
    opts.stdin_fd = opts.stdout_fd = opts.stderr_fd = pty_slave.get();
    opts.new_session = true;
  } else {
    int fds[2];
    dev_null = open_dev_null();
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe for the container's stdout");
    out_read = UniqueFd(fds[0]);
    child_out = UniqueFd(fds[1]);
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe for the container's stderr");
    err_read = UniqueFd(fds[0]);
    child_err = UniqueFd(fds[1]);
    opts.stdin_fd = dev_null.get();
    if (m_bundle.open_stdin) open_stdin(opts, child_in);
    opts.stdout_fd = child_out.get();
    opts.stderr_fd = child_err.get();
  }

  Created created = create_container(m_bundle, opts);
  for (const std::string& w : created.warnings) warn(w);
  m_created = created;
  m_started_mono = monotonic_now();
  try {
    m_oom_before = oom_kill_count(created);
  } catch (const std::exception&) {
    m_oom_before = 0;
  }
  if (m_bundle.terminal) {
    m_pty_master = pty_master.get();
    watch_output(std::move(pty_master), "stdout", m_opts.foreground ? STDOUT_FILENO : -1, true);
  } else {
    watch_output(std::move(out_read), "stdout", m_opts.foreground ? STDOUT_FILENO : -1, false);
    watch_output(std::move(err_read), "stderr", m_opts.foreground ? STDERR_FILENO : -1, false);
  }

  auto& s = m_state.state();
  s.pid = created.pid;
  s.status = "running";
  s.exit_code = 0;
  s.oom_killed = false;
  s.error.clear();
  s.started_at = rfc3339_now();
  s.restart_count = m_restart->restart_count();
  s.cgroup_v2 = created.cgroup_v2_dir;
  s.cgroup_v1 = created.cgroup_v1_dirs;
  if (m_health) {
    m_health->container_started(m_started_mono);
    schedule_probe(m_health->next_delay(m_started_mono));
  }
  save_state();
  record_event("start");
}

int Supervisor::run() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    warn(std::string("prctl(PR_SET_CHILD_SUBREAPER): ") + std::strerror(errno));
  try {
    prepare();
    m_control = std::make_unique<ControlServer>(
        m_loop, m_opts.state_dir + "/control.sock",
        [this](const nlohmann::json& request, const Respond& respond) { dispatch(request, respond); });
    m_signals = std::make_unique<SignalPipe>(
        m_loop,
        std::initializer_list<int>{SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGPIPE},
        [this](int signo) { on_signal(signo); });
    start_container();
  } catch (const std::exception& e) {
    auto& s = m_state.state();
    if (!s.id.empty()) {
      s.status = "exited";
      s.error = e.what();
      s.exit_code = exit_code_of_start_error(e);
      s.finished_at = rfc3339_now();
      save_state();
    }
    // Before reporting: whoever reads the error finds no socket and no pid file left.
    m_control.reset();
    if (std::exchange(m_wrote_pid_file, false)) ::unlink((m_opts.state_dir + "/shim.pid").c_str());
    report_ready({{"ok", false}, {"error", e.what()}});
    if (m_opts.foreground) std::fprintf(stderr, "berth-shim: %s\n", e.what());
    return m_opts.foreground ? exit_code_of_start_error(e) : 1;
  }
  report_ready({{"ok", true}, {"pid", m_created->pid}, {"shim_pid", ::getpid()}});
  if (!m_bundle.dns_dir.empty())
    m_dns = std::make_unique<DnsWatch>(m_loop, m_bundle.dns_dir, m_bundle.dns_binary,
                                       [](const std::string& text) { warn(text); });
  release_startup_memory();  // what loading the bundle and creating the container used
  m_loop.run();
  return m_exit_status;
}

void Supervisor::on_signal(int signo) {
  if (signo == SIGCHLD) return reap_children();
  if (signo == SIGPIPE) return;
  if (m_opts.foreground) {  // like `runc run`: the container gets what the user sends us
    if (m_created) ::kill(m_created->pid, signo);
    return;
  }
  if (signo == SIGTERM || signo == SIGINT) stop(std::nullopt);
}

void Supervisor::reap_children() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    if (m_created && pid == m_created->pid) {
      on_container_exit(status);
    } else if (m_probe && pid == m_probe->pid) {
      on_probe_exit(status);
    } else {
      for (auto it = m_execs.begin(); it != m_execs.end(); ++it)
        if (it->second.pid == pid && !it->second.exit_code) {
          on_exec_exit(it, status);
          break;
        }
      // Anything else was an orphan re-parented to us (we are the child subreaper): reaped.
    }
  }
}

void Supervisor::on_container_exit(int status) {
  const int code = exit_code_of_status(status);
  const Nanos ran = monotonic_now() - m_started_mono;
  close_outputs();
  end_attachments();
  if (m_log) {
    m_state.state().log_lines_dropped = m_log->dropped();
    if (m_drops_timer) m_loop.cancel(std::exchange(m_drops_timer, 0));
  }
  bool oom = false;
  try {
    oom = oom_kill_count(*m_created) > m_oom_before;
  } catch (const std::exception& e) {
    warn(e.what());
  }
  try {
    destroy_cgroups(*m_created);
  } catch (const std::exception& e) {
    warn(std::string("remove cgroups: ") + e.what());
  }
  m_created.reset();
  if (m_kill_timer) m_loop.cancel(std::exchange(m_kill_timer, 0));
  if (m_probe_timer) m_loop.cancel(std::exchange(m_probe_timer, 0));
  if (m_probe) m_probe->abandoned = true;  // it died with the container; reaped when it comes

  auto& s = m_state.state();
  s.pid = 0;
  s.exit_code = code;
  s.oom_killed = oom;
  s.finished_at = rfc3339_now();
  if (oom) record_event("oom");
  record_event("die",
               {{"exitCode", std::to_string(code)},
                {"execDuration", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(ran).count())}});
  if (std::exchange(m_stop_requested, false)) record_event("stop");
  RestartManager::Decision d = m_restart->should_restart(code, ran);
  if (!d.restart) return exited_for_good();
  s.status = "restarting";
  s.restart_count = m_restart->restart_count();
  save_state();
  m_restart_timer = m_loop.after(d.delay, [this] {
    m_restart_timer = 0;
    restart_now();
  });
}

void Supervisor::restart_now() {
  try {
    start_container();
  } catch (const std::exception& e) {
    warn(std::string("restart: ") + e.what());
    m_state.state().error = e.what();
    m_state.state().exit_code = exit_code_of_start_error(e);
    exited_for_good();
  }
}

void Supervisor::exited_for_good() {
  m_final = true;
  auto& s = m_state.state();
  s.status = "exited";
  save_state();
  for (auto& respond : std::exchange(m_stop_waiters, {})) respond({{"ok", true}, {"exit_code", s.exit_code}}, {});
  nlohmann::json state = s;
  for (auto& respond : std::exchange(m_exit_waiters, {}))
    respond({{"ok", true}, {"exit_code", s.exit_code}, {"state", state}}, {});
  if (m_opts.foreground) {
    m_exit_status = s.exit_code;
    m_loop.stop();
  }
}

void Supervisor::stop(std::optional<int> timeout_s) {
  m_restart->cancel();
  if (m_restart_timer) {  // waiting to restart: simply don't
    m_loop.cancel(std::exchange(m_restart_timer, 0));
    return exited_for_good();
  }
  if (!m_created) return;
  const int timeout = timeout_s.value_or(m_bundle.stop_timeout_s);
  const int sig = parse_signal(m_bundle.stop_signal);
  const pid_t pid = m_created->pid;
  if (m_state.state().status == "paused") {  // a frozen process can't act on the signal
    set_frozen(*m_created, false);
    m_state.state().status = "running";
    save_state();
  }
  m_stop_requested = true;
  record_event("kill", {{"signal", std::to_string(sig)}});
  ::kill(pid, sig);
  if (timeout >= 0 && !m_kill_timer)  // a negative timeout waits for ever, as Docker's
    m_kill_timer = m_loop.after(std::chrono::seconds(timeout), [this] {
      m_kill_timer = 0;
      if (!m_created) return;
      record_event("kill", {{"signal", std::to_string(SIGKILL)}});
      ::kill(m_created->pid, SIGKILL);
    });
}

}  // namespace berth::shim
