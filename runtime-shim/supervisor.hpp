#pragma once
// berth-shim's supervisor: creates the container and stays its parent. It reaps it, writes its
// output to the json-file log, records the exit (code, OOM kill) in state.json, restarts it as
// the restart policy says, runs the healthcheck, and serves the control socket (stop, kill,
// pause, exec, attach, status; see common/shim_protocol.hpp). One thread, one event loop.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"
#include "runtime-shim/container/bundle.hpp"
#include "runtime-shim/container/create.hpp"
#include "runtime-shim/control_socket.hpp"
#include "runtime-shim/dns_watch.hpp"
#include "runtime-shim/event_loop.hpp"
#include "runtime-shim/healthcheck.hpp"
#include "runtime-shim/log_writer.hpp"
#include "runtime-shim/logs.hpp"
#include "runtime-shim/restart_policy.hpp"
#include "runtime-shim/state.hpp"

namespace berth::shim {

/// argv[0] of the container's PID-1 helper for `init: true`. Only a name: berth-init is exec'd
/// from a sealed memfd copy (self_clone.hpp), no file of it is in the container.
inline constexpr const char* kInitPathInContainer = "/dev/berth-init";

struct ShimOptions {
  std::string bundle_dir;   ///< holds config.json
  std::string id;           ///< container id
  std::string state_dir;    ///< state.json, control.sock, shim.pid, container.log (created if missing)
  bool foreground = false;  ///< copy output to our stdout/stderr, forward signals, exit with the container
  int ready_fd = -1;        ///< receives the readiness line (see shim_protocol.hpp), then is closed
  std::string init_path;    ///< host path of berth-init ("" = next to the berth-shim executable)
};

class Supervisor {
 public:
  explicit Supervisor(ShimOptions options);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  /// Starts the container and supervises it. Foreground: returns the container's exit code once
  /// it has exited for good (125 when it could not start). Detached: returns 0 after a
  /// `shutdown` request, 1 when the container could not start.
  int run();

 private:
  using Respond = ControlServer::Respond;
  using Nanos = std::chrono::nanoseconds;

  /// One captured output stream of the container (a pipe, or the pty master).
  struct Output {
    UniqueFd fd;
    StreamLog log;
    int tee_fd = -1;  ///< foreground: also copied here
    bool pty = false;
    bool is_stderr = false;
  };
  /// One output pipe of an attached client (`attach` op): what the container writes is copied
  /// here without blocking the shim; what a slow client has not taken yet waits in `pending`.
  struct Sink {
    UniqueFd fd;  ///< write end, non-blocking
    bool is_stderr = false;
    std::string pending;
    bool closing = false;  ///< the container exited: close once `pending` is written
  };
  struct Exec {
    pid_t pid = -1;
    std::optional<int> exit_code;
    std::vector<Respond> waiters;
  };
  struct Probe {
    pid_t pid = -1;
    UniqueFd out;
    ProbeOutput output;
    Nanos start_mono{0};
    std::string start;
    bool timed_out = false;
    bool abandoned = false;  ///< the container exited meanwhile: result ignored
  };

  // supervisor.cpp: lifecycle
  void prepare();
  void start_container();
  void on_signal(int signo);
  void reap_children();
  void on_container_exit(int status);
  void restart_now();
  void exited_for_good();
  void stop(std::optional<int> timeout_s);
  /// Writes state.json; false (after a warning) when it could not.
  bool save_state();
  /// Appends a container event to the project's journal (bundle org.berth.events), if any.
  void record_event(const std::string& action, std::map<std::string, std::string> attributes = {});
  /// Saves state.json when the log writer dropped lines since it was last saved (at most once a
  /// second while lines keep being dropped).
  void note_log_drops();
  void report_ready(const nlohmann::json& line);
  // supervisor_output.cpp: output
  void watch_output(UniqueFd fd, const char* stream, int tee_fd, bool pty);
  bool read_output(Output& out, bool drain);
  void close_outputs();
  // supervisor_control.cpp: requests
  void dispatch(const nlohmann::json& request, const Respond& respond);
  void handle_kill(const nlohmann::json& request, const Respond& respond);
  void handle_pause(bool pause, const Respond& respond);
  void handle_exec(const nlohmann::json& request, const Respond& respond);
  void handle_exec_wait(const nlohmann::json& request, const Respond& respond);
  void on_exec_exit(std::map<uint64_t, Exec>::iterator it, int status);
  // supervisor_attach.cpp: attached clients
  void handle_attach(const nlohmann::json& request, const Respond& respond);
  void open_stdin(CreateOptions& opts, UniqueFd& child_end);
  void copy_to_attached(bool is_stderr, std::string_view data);
  void write_to_sink(Sink& sink, std::string_view data);
  void flush_sink(Sink& sink);
  void end_attachments();
  // supervisor_health.cpp: probes
  void schedule_probe(Nanos delay);
  void run_probe();
  void on_probe_exit(int status);
  void record_probe(Nanos start_mono, shim_protocol::HealthLogEntry result);

  ShimOptions m_opts;
  Bundle m_bundle;
  EventLoop m_loop;
  std::unique_ptr<SignalPipe> m_signals;
  std::unique_ptr<DnsWatch> m_dns;  ///< the project's berth-dns, restarted when it dies
  std::unique_ptr<ControlServer> m_control;
  StateFile m_state;
  std::unique_ptr<AsyncLogWriter> m_log;  ///< null with the `none` log driver
  std::unique_ptr<RestartManager> m_restart;
  std::optional<HealthMonitor> m_health;

  UniqueFd m_init_exe;               ///< `init: true`: berth-init's sealed copy, exec'd as the container's PID 1
  std::optional<Created> m_created;  ///< set while the container process exists
  Nanos m_started_mono{0};
  int m_oom_before = 0;
  bool m_stop_requested = false;  ///< stop(): the exit gets a `stop` event after its `die`
  EventLoop::TimerId m_drops_timer = 0;
  uint64_t m_drops_saved = 0;  ///< log_lines_dropped as state.json has it
  std::vector<std::unique_ptr<Output>> m_outputs;
  int m_pty_master = -1;  ///< the container's pty master (owned by its Output), for resize
  std::optional<std::pair<unsigned short, unsigned short>> m_winsize;
  std::string m_read_buf;
  std::vector<std::unique_ptr<Sink>> m_sinks;  ///< attached clients' output pipes
  UniqueFd m_stdin;  ///< open_stdin without a terminal: the write end of the container's stdin
  std::vector<std::pair<bool, std::string>> m_backlog;  ///< attach_pending: (is_stderr, data)
  size_t m_backlog_size = 0;
  bool m_attached_once = false;

  EventLoop::TimerId m_restart_timer = 0, m_kill_timer = 0, m_probe_timer = 0, m_probe_deadline = 0;
  bool m_final = false;  ///< exited and will not restart
  std::vector<Respond> m_stop_waiters, m_exit_waiters;
  std::map<uint64_t, Exec> m_execs;  ///< by exec id (ascending = oldest first)
  uint64_t m_next_exec = 1;
  std::optional<Probe> m_probe;
  int m_exit_status = 0;  ///< run()'s return value
  bool m_wrote_pid_file = false;
  UniqueFd m_state_claim;  ///< the claim on state_dir/shim.lock (try_claim_file)
};

/// Prints "berth-shim: <text>" on stderr (the terminal, or shim.log when detached).
void warn(const std::string& text);

/// The container exit code for a wait status: the exit status, or 128+N when killed by signal N.
int exit_code_of_status(int wait_status);

/// The exit code Docker reports when a process could not be started: 127 when the executable
/// was not found, 126 when it could not be run, 125 for any other setup failure.
int exit_code_of_start_error(const std::exception& e);

}  // namespace berth::shim
