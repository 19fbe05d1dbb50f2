#pragma once
// berth-shim's interfaces to the engine: the control socket protocol, state.json and the
// readiness line of `berth-shim run --detach`. Header-only (nlohmann/json + libc), so the engine
// and the shim share one definition without growing common/.
//
// Files in the shim's state dir (`--state-dir`):
//   state.json    the State below, rewritten atomically on every change (status, exit, health)
//   control.sock  the control socket; shim.pid  the shim's pid; container.log  json-file log
//
// Readiness: `berth-shim run --detach` exits once the container runs (or failed to start) and
// prints one line on stdout: {"ok":true,"pid":<container pid>,"shim_pid":<shim pid>}, or
// {"ok":false,"error":"<create_container's exact error>"} (exit status 1).
//
// Control socket wire format: a unix stream socket carrying JSON objects, one per line ('\n').
// The client writes requests; the shim answers each with exactly one line, in request order
// (a request that waits, e.g. `stop`, delays the answers to later requests on the same
// connection; open several connections to run things concurrently). Every reply has "ok";
// failures are {"ok":false,"error":"<text>"}.
//   {"op":"status"}                 -> {"ok":true,"state":<State>}
//   {"op":"wait"}                   -> once the container has exited for good (no restart pending):
//                                      {"ok":true,"exit_code":N,"state":<State>}
//   {"op":"stop","timeout":S}       -> sends the bundle's stop signal, SIGKILL after S seconds
//                                      (default org.berth.stop-timeout); replies after the exit:
//                                      {"ok":true,"exit_code":N}. Disables restarting.
//   {"op":"kill","signal":"HUP"}    -> signal by name ("SIGHUP"/"HUP") or number (1 / "1");
//                                      default SIGKILL; {"ok":true}. Disables restarting.
//   {"op":"pause"} {"op":"unpause"} -> cgroup freezer; {"ok":true}
//   {"op":"resize","rows":R,"cols":C} -> window size of a tty container's pty; {"ok":true}
//   {"op":"exec","args":[...],"env":["K=V"],"cwd":"","user":"","tty":false,"detach":false,
//    "privileged":false,"console_size":[R,C]} -> {"ok":true,"exec_id":"<id>","pid":N,"fds":[...]}
//        With tty, "console_size" (optional, [rows, cols]) is set on the pty before the process
//        starts, as Docker's ConsoleSize; later sizes: TIOCSWINSZ on the returned pty master.
//        Attached execs get their stdio as file descriptors (SCM_RIGHTS) on the reply line, in
//        the order named by "fds": ["stdin","stdout","stderr"] (pipe ends: write stdin, read
//        stdout/stderr; close stdin for EOF) or ["pty"] with tty (the pty master). Detached
//        execs get no fds ("fds":[]); their output is discarded. A process that could not be
//        started: {"ok":false,"error":"<exact error>","exit_code":127|126|125} (not found,
//        not executable, other setup failure), as `docker exec` reports them.
//   {"op":"exec-wait","exec_id":"<id>"} -> when the exec'd process exits: {"ok":true,"exit_code":N}
//   {"op":"attach","stdin":true}    -> {"ok":true,"tty":T,"fds":[...]}: the container's live output
//        on pipes of the client's own, ["stdout","stderr"] (["stdout"] with a terminal), preceded
//        by "stdin" when asked for and the container has one: with a terminal a duplicate of the
//        pty master (write keystrokes, TIOCSWINSZ), else the stdin pipe of org.berth.open-stdin
//        (taken for good with org.berth.stdin-once). The pipes reach EOF when the container
//        exits; then `wait` gives the code. A client that reads too slowly (4 MiB behind) or
//        closes its pipes is dropped; the container never waits for it. Not running: an error,
//        except with org.berth.attach-pending for the first attach, which replays what was
//        written before it (≤ 1 MiB) even when the container has exited already.
//   {"op":"health"}                 -> {"ok":true,"health":<Health>} (error if none configured)
//   {"op":"shutdown"}               -> {"ok":true}, then the shim removes control.sock and exits;
//                                      refused while the container is running or restarting.
// Exit codes follow the shell: 128+N when killed by signal N. A container whose process could not
// be started is "exited" with "error" set and exit_code 127/126/125 as above.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "common/unix_address.hpp"

namespace berth::shim_protocol {

/// Go's zero time, used by Docker for "never started/finished".
inline constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

/// One healthcheck probe run (Docker's HealthcheckResult).
struct HealthLogEntry {
  std::string start, end;  ///< RFC3339Nano
  int exit_code = 0;       ///< 0 healthy, else failing; -1 timed out or could not run
  std::string output;      ///< first 4096 bytes of stdout+stderr ("..." appended if cut)
};

/// Health state as Docker keeps it: the status and the last 5 probe results.
struct Health {
  std::string status = "starting";  ///< "starting" | "healthy" | "unhealthy"
  int failing_streak = 0;
  std::vector<HealthLogEntry> log;
};

/// The content of state.json (and of the `status` reply).
struct State {
  std::string id;
  int shim_pid = 0;
  int pid = 0;                     ///< container PID 1 on the host; 0 when not running
  std::string status = "created";  ///< created | running | paused | restarting | exited
  int exit_code = 0;
  bool oom_killed = false;             ///< the last exit followed a kernel OOM kill in its memory cgroup
  uint64_t log_lines_dropped = 0;      ///< log lines the shim could not write (full disk, writer behind)
  std::string started_at = kZeroTime;  ///< RFC3339Nano, UTC
  std::string finished_at = kZeroTime;
  int restart_count = 0;
  std::optional<Health> health;  ///< present when a healthcheck is configured
  std::string error;             ///< why the last (re)start failed, if it did
  // For cleanup after a shim died: what exists on the host for this container.
  std::string bundle;
  std::string log_path;                  ///< "" with the `none` log driver
  std::string log_driver = "json-file";  ///< json-file | local | none
  std::string cgroup_v2;                 ///< absolute cgroup v2 dir, "" if none
  std::vector<std::string> cgroup_v1;    ///< absolute cgroup v1 dirs
};

inline void to_json(nlohmann::json& j, const HealthLogEntry& e) {
  j = {{"start", e.start}, {"end", e.end}, {"exit_code", e.exit_code}, {"output", e.output}};
}
inline void from_json(const nlohmann::json& j, HealthLogEntry& e) {
  e.start = j.value("start", "");
  e.end = j.value("end", "");
  e.exit_code = j.value("exit_code", 0);
  e.output = j.value("output", "");
}
inline void to_json(nlohmann::json& j, const Health& h) {
  j = {{"status", h.status}, {"failing_streak", h.failing_streak}, {"log", h.log}};
}
inline void from_json(const nlohmann::json& j, Health& h) {
  h.status = j.value("status", "starting");
  h.failing_streak = j.value("failing_streak", 0);
  h.log = j.value("log", std::vector<HealthLogEntry>{});
}
inline void to_json(nlohmann::json& j, const State& s) {
  j = {{"id", s.id},
       {"shim_pid", s.shim_pid},
       {"pid", s.pid},
       {"status", s.status},
       {"exit_code", s.exit_code},
       {"oom_killed", s.oom_killed},
       {"log_lines_dropped", s.log_lines_dropped},
       {"started_at", s.started_at},
       {"finished_at", s.finished_at},
       {"restart_count", s.restart_count},
       {"bundle", s.bundle},
       {"log_path", s.log_path},
       {"log_driver", s.log_driver},
       {"cgroup_v2", s.cgroup_v2},
       {"cgroup_v1", s.cgroup_v1}};
  if (s.health) j["health"] = *s.health;
  if (!s.error.empty()) j["error"] = s.error;
}
inline void from_json(const nlohmann::json& j, State& s) {
  s.id = j.value("id", "");
  s.shim_pid = j.value("shim_pid", 0);
  s.pid = j.value("pid", 0);
  s.status = j.value("status", "created");
  s.exit_code = j.value("exit_code", 0);
  s.oom_killed = j.value("oom_killed", false);
  s.log_lines_dropped = j.value("log_lines_dropped", uint64_t{0});
  s.started_at = j.value("started_at", kZeroTime);
  s.finished_at = j.value("finished_at", kZeroTime);
  s.restart_count = j.value("restart_count", 0);
  if (j.contains("health")) s.health = j.at("health").get<Health>();
  s.error = j.value("error", "");
  s.bundle = j.value("bundle", "");
  s.log_path = j.value("log_path", "");
  s.log_driver = j.value("log_driver", "json-file");
  s.cgroup_v2 = j.value("cgroup_v2", "");
  s.cgroup_v1 = j.value("cgroup_v1", std::vector<std::string>{});
}

/// Reads <state_dir>/state.json (e.g. to clean up after a shim that died); throws SysError or
/// nlohmann::json::exception.
inline State read_state(const std::string& state_dir) {
  return nlohmann::json::parse(read_file(state_dir + "/state.json")).get<State>();
}

/// The `exec` request's parameters.
struct ExecRequest {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd, user;
  bool tty = false, detach = false, privileged = false;
  std::optional<std::array<unsigned short, 2>> console_size;  ///< [rows, cols] with tty (Docker's ConsoleSize)
};
inline void to_json(nlohmann::json& j, const ExecRequest& r) {
  j = {{"op", "exec"},   {"args", r.args}, {"env", r.env},       {"cwd", r.cwd},
       {"user", r.user}, {"tty", r.tty},   {"detach", r.detach}, {"privileged", r.privileged}};
  if (r.console_size) j["console_size"] = *r.console_size;
}
inline void from_json(const nlohmann::json& j, ExecRequest& r) {
  r.args = j.at("args").get<std::vector<std::string>>();
  r.env = j.value("env", std::vector<std::string>{});
  r.cwd = j.value("cwd", "");
  r.user = j.value("user", "");
  r.tty = j.value("tty", false);
  r.detach = j.value("detach", false);
  r.privileged = j.value("privileged", false);
  if (j.contains("console_size") && !j["console_size"].is_null())
    r.console_size = j["console_size"].get<std::array<unsigned short, 2>>();
}

/// A reply line and the file descriptors that came with it.
struct Reply {
  nlohmann::json body;
  std::vector<UniqueFd> fds;
  bool ok() const { return body.value("ok", false); }
  std::string error() const { return body.value("error", ""); }
};

/// Blocking client of one shim's control socket: connect, then call() per request.
class Client {
 public:
  /// Connects to `socket_path`; throws SysError ("connect `<path>`: ...").
  static Client connect(const std::string& socket_path) {
    UnixAddress addr = unix_address(socket_path, "connect");
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw_errno("socket for `" + socket_path + "`");
    if (::connect(fd.get(), addr.get(), addr.size()) != 0) throw_errno("connect `" + socket_path + "`");
    Client c;
    c.m_fd = std::move(fd);
    c.m_path = socket_path;
    return c;
  }

  /// Sends one request and waits for its reply; throws SysError on I/O failure or when the
  /// shim closes the connection first.
  Reply call(const nlohmann::json& request) {
    std::string line = request.dump() + "\n";
    for (size_t off = 0; off < line.size();) {
      ssize_t n = ::send(m_fd.get(), line.data() + off, line.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("send to `" + m_path + "`");
      off += static_cast<size_t>(n);
    }
    Reply reply;
    for (;;) {
      if (auto nl = m_buf.find('\n'); nl != std::string::npos) {
        reply.body = nlohmann::json::parse(m_buf.substr(0, nl));
        m_buf.erase(0, nl + 1);
        return reply;
      }
      char data[4096];
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
      iovec iov{data, sizeof data};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      ssize_t n = ::recvmsg(m_fd.get(), &msg, MSG_CMSG_CLOEXEC);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("receive from `" + m_path + "`");
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
          int fd;
          std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
          reply.fds.emplace_back(fd);
        }
      }
      if (n == 0) throw SysError("receive from `" + m_path + "`: connection closed by the shim", ECONNRESET);
      m_buf.append(data, static_cast<size_t>(n));
    }
  }

  int fd() const { return m_fd.get(); }

 private:
  UniqueFd m_fd;
  std::string m_path;
  std::string m_buf;
};

}  // namespace berth::shim_protocol
