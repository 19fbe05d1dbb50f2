// Control socket requests (wire format: common/shim_protocol.hpp). Each handler answers at
// once, or keeps `respond` to answer when the awaited event happens (stop and wait: the exit;
// exec-wait: the exec'd process's exit). Docker's rules: kill with the stop signal or SIGKILL
// cancels restarting (other signals, e.g. SIGHUP for a reload, don't), stop unfreezes a paused
// container first, pausing twice or unpausing a running container is an error.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "common/shim_protocol.hpp"
#include "common/sys_error.hpp"
#include "runtime-shim/container/pty.hpp"
#include "runtime-shim/signals.hpp"
#include "runtime-shim/supervisor.hpp"
#include "runtime-shim/trim.hpp"

namespace berth::shim {

namespace {

constexpr size_t kFinishedExecsKept = 64;

nlohmann::json error(const std::string& text) { return {{"ok", false}, {"error", text}}; }
const nlohmann::json kOk = {{"ok", true}};

std::pair<UniqueFd, UniqueFd> make_pipe(const char* what) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno(std::string("pipe for exec ") + what);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

int signal_of(const nlohmann::json& v) {
  if (v.is_null()) return SIGKILL;
  if (v.is_number_integer()) return parse_signal(std::to_string(v.get<int>()));
  if (v.is_string()) return parse_signal(v.get<std::string>());
  throw std::invalid_argument("signal: expected a name or a number");
}

}  // namespace

void Supervisor::dispatch(const nlohmann::json& request, const Respond& respond) {
  const std::string op = request.is_object() ? request.value("op", "") : "";
  const bool running = m_created.has_value();
  if (op == "status") return respond({{"ok", true}, {"state", m_state.state()}}, {});
  if (op == "health") {
    if (!m_health) return respond(error("container " + m_opts.id + " has no healthcheck"), {});
    return respond({{"ok", true}, {"health", m_health->health()}}, {});
  }
  if (op == "wait") {
    if (m_final)
      return respond({{"ok", true}, {"exit_code", m_state.state().exit_code}, {"state", m_state.state()}}, {});
    m_exit_waiters.push_back(respond);
    return;
  }
  if (op == "stop") {
    std::optional<int> timeout;
    if (request.contains("timeout") && !request["timeout"].is_null()) timeout = request["timeout"].get<int>();
    if (m_final) return respond({{"ok", true}, {"exit_code", m_state.state().exit_code}}, {});
    m_stop_waiters.push_back(respond);
    stop(timeout);  // answers the waiters when the container has exited
    return;
  }
  if (op == "kill") return handle_kill(request, respond);
  if (op == "pause" || op == "unpause") return handle_pause(op == "pause", respond);
  if (op == "resize") {
    if (m_pty_master < 0) return respond(error("container " + m_opts.id + " has no terminal"), {});
    m_winsize = {request.at("rows").get<unsigned short>(), request.at("cols").get<unsigned short>()};
    set_window_size(m_pty_master, m_winsize->first, m_winsize->second);
    return respond(kOk, {});
  }
  if (op == "exec") {
    if (!running) return respond(error("container " + m_opts.id + " is not running"), {});
    if (m_state.state().status == "paused")
      return respond(error("container " + m_opts.id + " is paused, unpause it first"), {});
    return handle_exec(request, respond);
  }
  if (op == "exec-wait") return handle_exec_wait(request, respond);
  if (op == "attach") return handle_attach(request, respond);
  if (op == "shutdown") {
    if (running || m_restart_timer) return respond(error("container " + m_opts.id + " is running: stop it first"), {});
    respond(kOk, {});
    m_loop.stop();
    return;
  }
  respond(error("unknown op `" + op + "`"), {});
}

void Supervisor::handle_kill(const nlohmann::json& request, const Respond& respond) {
  const int sig = signal_of(request.contains("signal") ? request["signal"] : nlohmann::json());
  const bool ends_it = sig == SIGKILL || sig == parse_signal(m_bundle.stop_signal);
  if (ends_it) m_restart->cancel();
  if (!m_created) {
    if (m_restart_timer && ends_it) {  // restarting: there is no process, just don't restart
      m_loop.cancel(std::exchange(m_restart_timer, 0));
      exited_for_good();
      return respond(kOk, {});
    }
    return respond(error("container " + m_opts.id + " is not running"), {});
  }
  record_event("kill", {{"signal", std::to_string(sig)}});
  if (::kill(m_created->pid, sig) != 0)
    throw_errno("kill " + std::to_string(m_created->pid) + " with " + signal_name(sig));
  if (ends_it && m_state.state().status == "paused") {  // let it act on the signal
    set_frozen(*m_created, false);
    m_state.state().status = "running";
    save_state();
  }
  respond(kOk, {});
}

void Supervisor::handle_pause(bool pause, const Respond& respond) {
  if (!m_created) return respond(error("container " + m_opts.id + " is not running"), {});
  const bool paused = m_state.state().status == "paused";
  if (pause && paused) return respond(error("container " + m_opts.id + " is already paused"), {});
  if (!pause && !paused) return respond(error("container " + m_opts.id + " is not paused"), {});
  set_frozen(*m_created, pause);
  m_state.state().status = pause ? "paused" : "running";
  save_state();
  record_event(pause ? "pause" : "unpause");
  respond(kOk, {});
}

void Supervisor::handle_exec(const nlohmann::json& request, const Respond& respond) {
  const auto req = request.get<shim_protocol::ExecRequest>();
  ExecSpec spec{req.args, req.env, req.cwd, req.user, req.privileged};
  CreateOptions stdio;
  stdio.new_session = true;
  if (req.tty && req.console_size) stdio.console_size = ConsoleSize{(*req.console_size)[0], (*req.console_size)[1]};
  std::vector<UniqueFd> child_ends, client_ends;
  nlohmann::json names = nlohmann::json::array();
  if (req.detach) {
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null) throw_errno("open `/dev/null`");
    stdio.stdin_fd = stdio.stdout_fd = stdio.stderr_fd = null.get();
    child_ends.push_back(std::move(null));
  } else if (req.tty) {
    Pty pty = open_pty_in_container(m_created->pid);
    stdio.stdin_fd = stdio.stdout_fd = stdio.stderr_fd = pty.slave.get();
    child_ends.push_back(std::move(pty.slave));
    client_ends.push_back(std::move(pty.master));
    names.push_back("pty");
  } else {
    auto [in_r, in_w] = make_pipe("stdin");
    auto [out_r, out_w] = make_pipe("stdout");
    auto [err_r, err_w] = make_pipe("stderr");
    stdio.stdin_fd = in_r.get();
    stdio.stdout_fd = out_w.get();
    stdio.stderr_fd = err_w.get();
    child_ends.push_back(std::move(in_r));
    child_ends.push_back(std::move(out_w));
    child_ends.push_back(std::move(err_w));
    client_ends.push_back(std::move(in_w));
    client_ends.push_back(std::move(out_r));
    client_ends.push_back(std::move(err_r));
    names = {"stdin", "stdout", "stderr"};
  }
  pid_t pid;
  try {
    pid = exec_in_container(*m_created, m_bundle, spec, stdio);
  } catch (const std::exception& e) {
    return respond({{"ok", false}, {"error", e.what()}, {"exit_code", exit_code_of_start_error(e)}}, {});
  }
  child_ends.clear();        // only the exec'd process holds its ends now: EOF works both ways
  release_startup_memory();  // exec setup touched as much code as the container's start
  const uint64_t id = m_next_exec++;
  m_execs[id].pid = pid;
  std::string command;
  for (const auto& a : req.args) command += (command.empty() ? "" : " ") + a;
  record_event("exec_create: " + command, {{"execID", std::to_string(id)}});
  record_event("exec_start: " + command, {{"execID", std::to_string(id)}});
  respond({{"ok", true}, {"exec_id", std::to_string(id)}, {"pid", pid}, {"fds", names}}, std::move(client_ends));
}

void Supervisor::handle_exec_wait(const nlohmann::json& request, const Respond& respond) {
  const std::string id = request.value("exec_id", "");
  auto it = m_execs.end();
  if (!id.empty() && id.find_first_not_of("0123456789") == std::string::npos && id.size() < 20)
    it = m_execs.find(std::stoull(id));
  if (it == m_execs.end()) return respond(error("no exec `" + id + "` in container " + m_opts.id), {});
  if (it->second.exit_code) {
    respond({{"ok", true}, {"exit_code", *it->second.exit_code}}, {});
    m_execs.erase(it);
    return;
  }
  it->second.waiters.push_back(respond);
}

void Supervisor::on_exec_exit(std::map<uint64_t, Exec>::iterator it, int status) {
  Exec& e = it->second;
  e.exit_code = exit_code_of_status(status);
  record_event("exec_die", {{"execID", std::to_string(it->first)}, {"exitCode", std::to_string(*e.exit_code)}});
  if (!e.waiters.empty()) {
    for (auto& respond : std::exchange(e.waiters, {})) respond({{"ok", true}, {"exit_code", *e.exit_code}}, {});
    m_execs.erase(it);
    return;
  }
  // Nobody waits yet: keep the code for a later exec-wait, but not for ever.
  size_t finished = 0;
  for (auto& [id, x] : m_execs) finished += x.exit_code.has_value();
  for (auto i = m_execs.begin(); finished > kFinishedExecsKept && i != m_execs.end();) {
    if (i->second.exit_code && i != it) {
      i = m_execs.erase(i);
      --finished;
    } else {
      ++i;
    }
  }
}

}  // namespace berth::shim
