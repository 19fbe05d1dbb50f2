// `berth exec [OPTIONS] SERVICE COMMAND [ARGS...]`: a command in a running service container,
// with docker compose's flags; the exit code is the command's.
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/engine/exec_target.hpp"
#include "compose/engine/session.hpp"
#include "compose/interactive/exec_session.hpp"

namespace berth::cli {

namespace {

struct ExecCliOptions {
  bool detach = false, no_tty = false, privileged = false;
  bool dry_run = false;  ///< --dry-run after the verb: the global --dry-run
  std::vector<std::string> env;
  std::string user, workdir;
  int index = 0;
};

/// "KEY" alone takes the value from our environment (and is dropped when unset), as docker does.
std::vector<std::string> resolve_env(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& e : items) {
    if (e.find('=') != std::string::npos) {
      out.push_back(e);
    } else if (const char* v = std::getenv(e.c_str())) {
      out.push_back(e + "=" + v);
    }
  }
  return out;
}

int run_exec_command(const GlobalOptions& g, const ExecCliOptions& o, std::vector<std::string> words) {
  if (!words.empty() && words.front() == "--") words.erase(words.begin());
  if (words.size() < 2) throw std::runtime_error("exec requires a SERVICE and a COMMAND");
  const std::string service = words.front();
  if (words[1] == "--") words.erase(words.begin() + 1);
  std::vector<std::string> args(words.begin() + 1, words.end());
  if (args.empty()) throw std::runtime_error("exec requires a COMMAND");

  engine::SessionOptions so = session_options(g, {}, false, false);
  engine::Session session = engine::open_session(so);
  engine::ObservedRecord target = engine::running_container(*session.engine, service, o.index);
  if (g.dry_run || o.dry_run) return 0;  // as docker compose's dry-run client: the exec is not made

  interactive::ExecOptions eo;
  eo.request.args = args;
  eo.request.env = resolve_env(o.env);
  eo.request.user = o.user;
  eo.request.cwd = o.workdir;
  eo.request.privileged = o.privileged;
  eo.request.detach = o.detach;
  eo.request.tty = !o.detach && !o.no_tty && ::isatty(STDIN_FILENO) == 1;
  return interactive::run_exec(session.paths, target.record.id, eo);
}

}  // namespace

void register_exec(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  auto o = std::make_shared<ExecCliOptions>();
  CLI::App* cmd = app.add_subcommand("exec", "Execute a command in a running container");
  cmd->add_flag("-d,--detach", o->detach, "Detached mode: Run command in the background");
  cmd->add_flag("-T,--no-TTY,--no-tty", o->no_tty, "Disable pseudo-TTY allocation (default: auto-detected)");
  cmd->add_flag("--privileged", o->privileged, "Give extended privileges to the process");
  cmd->add_option("-e,--env", o->env, "Set environment variables")->allow_extra_args(false);
  cmd->add_option("-u,--user", o->user, "Run the command as this user");
  cmd->add_option("-w,--workdir", o->workdir, "Path to workdir directory for this command");
  cmd->add_option("--index", o->index, "Index of the container if service has multiple replicas");
  // The global flag, taken here too: after the verb everything else is the command's own.
  cmd->add_flag("--dry-run", o->dry_run, "Execute command in dry run mode");
  // SERVICE COMMAND [ARGS...]: everything from the first positional on is the command line,
  // dashes included (`exec web ls -la`); global flags go before the verb.
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->callback([&g, &result, o, cmd] { result.exit_code = run_exec_command(g, *o, cmd->remaining()); });
}

}  // namespace berth::cli
