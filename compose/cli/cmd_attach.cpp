// `berth attach [OPTIONS] SERVICE`: our stdin/stdout/stderr to a running service container, as
// `docker compose attach` (stdin only reaches a container with `stdin_open` or `tty`). The
// exit code is the container's once it exits.
#include <csignal>
#include <memory>
#include <optional>

#include "compose/cli/commands.hpp"
#include "compose/engine/exec_target.hpp"
#include "compose/engine/session.hpp"
#include "compose/interactive/attach_session.hpp"
#include "compose/interactive/attach_signals.hpp"

namespace berth::cli {

namespace {

struct AttachCliOptions {
  std::string service;
  int index = 0;
  bool no_stdin = false, sig_proxy = true;
  std::string detach_keys = "ctrl-p,ctrl-q";
};

int attach_command(const GlobalOptions& g, const AttachCliOptions& o) {
  engine::SessionOptions so = session_options(g, {}, false, false);
  engine::Session session = engine::open_session(so);
  engine::ObservedRecord target = engine::running_container(*session.engine, o.service, o.index);
  const std::string id = target.record.id;

  interactive::StdioPumpOptions io;
  io.interactive = !o.no_stdin;
  try {
    io.detach_keys = interactive::parse_detach_keys(o.detach_keys);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("--detach-keys: ") + e.what());
  }
  // --no-sig-proxy: Ctrl+C ends us as it would any program, the container runs on.
  std::optional<interactive::InterruptWatch> interrupts;
  int forwarded = 0;
  if (o.sig_proxy) {
    interrupts.emplace();
    io.on_signal = [&] {
      if (interrupts->count() <= forwarded) return;
      forwarded = interrupts->count();
      try {
        session.engine->runtime().kill(id, interrupts->last_signal() == SIGTERM ? "SIGTERM" : "SIGINT");
      } catch (const std::exception&) {  // it exited meanwhile
      }
    };
  }
  return interactive::attach_container(session.paths, id, io).value_or(0);  // detached: 0, as docker
}

}  // namespace

void register_attach(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  auto o = std::make_shared<AttachCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "attach", "Attach local standard input, output, and error streams to a service's running container");
  cmd->add_option("SERVICE", o->service, "Service to attach to")->required();
  cmd->add_option("--index", o->index, "index of the container if service has multiple replicas");
  cmd->add_flag("--no-stdin", o->no_stdin, "Do not attach STDIN");
  cmd->add_option("--detach-keys", o->detach_keys, "Override the key sequence for detaching from a container");
  cmd->add_flag("--sig-proxy,!--no-sig-proxy", o->sig_proxy,
                "Proxy all received signals to the process (default true)");
  cmd->callback([&g, &result, o] { result.exit_code = attach_command(g, *o); });
}

}  // namespace berth::cli
