// `berth run [OPTIONS] SERVICE [COMMAND] [ARGS...]`: a one-off container of a service.
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/engine/session.hpp"
#include "compose/interactive/run_oneoff.hpp"

namespace berth::cli {

namespace {

struct RunCliOptions {
  interactive::RunOptions run;
  std::string entrypoint;
  bool entrypoint_set = false;
  bool no_tty = false;
  bool tty = false;
  CLI::Option* tty_flag = nullptr;  ///< -t/--tty (docker compose's hidden flag): given at all?
  std::string pull = "policy";
  bool quiet_pull = false;
  bool build = false;
  bool quiet_build = false;
  bool dry_run = false;  ///< --dry-run after the verb: the global --dry-run
  bool quiet = false;    ///< -q: no progress output (the container's own output still comes through)
};

int run_command(const GlobalOptions& global, RunCliOptions& o, std::vector<std::string> words) {
  GlobalOptions g = global;
  g.dry_run = global.dry_run || o.dry_run;
  o.run.dry_run = g.dry_run;
  if (!words.empty() && words.front() == "--") words.erase(words.begin());
  if (words.empty()) throw std::runtime_error("run requires a SERVICE");
  o.run.service = words.front();
  words.erase(words.begin());
  if (!words.empty() && words.front() == "--") words.erase(words.begin());
  o.run.command = words;
  if (o.entrypoint_set) o.run.entrypoint = o.entrypoint;
  const bool tty_given = o.tty_flag->count() > 0;
  if (tty_given && o.no_tty) throw std::runtime_error("--tty and --no-TTY can't be used together");
  // -t asks for a terminal even when our stdin is not one, as docker compose does.
  o.run.tty = tty_given ? o.tty : !o.no_tty && !o.run.detach && ::isatty(STDIN_FILENO) == 1;

  // --env-from-file names files from where berth runs (docker compose opens them as given)
  for (auto& f : o.run.env_files) f = std::filesystem::absolute(f).string();

  engine::SessionOptions so = session_options(g, {o.run.service}, true, true);
  if (o.quiet) so.progress = "quiet";
  so.pull = pull_options(g, o.pull, o.quiet_pull || o.quiet);
  so.pull_dependencies = !o.run.no_deps;
  so.build = build_options(g, o.build, false, o.quiet_pull || o.quiet_build || o.quiet);
  engine::Session session = engine::open_session(so);
  return interactive::run_oneoff(*session.engine, *session.progress, o.run);
}

}  // namespace

void register_run(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  auto o = std::make_shared<RunCliOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a one-off command on a service");
  cmd->add_flag("-d,--detach", o->run.detach, "Run container in background and print container ID");
  cmd->add_flag("--rm", o->run.rm, "Automatically remove the container when it exits");
  cmd->add_flag("--no-deps", o->run.no_deps, "Don't start linked services");
  cmd->add_option("--pull", o->pull, "Pull image before running (\"always\"|\"missing\"|\"never\")");
  cmd->add_flag("--quiet-pull", o->quiet_pull, "Pull without printing progress information");
  cmd->add_flag("--quiet-build", o->quiet_build, "Suppress progress output from the build process");
  cmd->add_flag("--build", o->build, "Build image before starting container");
  cmd->add_flag("-P,--service-ports", o->run.service_ports,
                "Run command with all service's ports enabled and mapped to the host");
  cmd->add_flag("-T,--no-TTY,--no-tty", o->no_tty, "Disable pseudo-TTY allocation (default: auto-detected)");
  o->tty_flag = cmd->add_flag("-t,--tty", o->tty, "Allocate a pseudo-TTY");
  cmd->add_option("--cap-add", o->run.cap_add, "Add Linux capabilities")->allow_extra_args(false);
  cmd->add_option("--cap-drop", o->run.cap_drop, "Drop Linux capabilities")->allow_extra_args(false);
  cmd->add_flag("--remove-orphans", o->run.remove_orphans,
                "Remove containers for services not defined in the Compose file");
  cmd->add_flag("--use-aliases", o->run.use_aliases,
                "Use the service's network useAliases in the network(s) the container connects to");
  cmd->add_flag("-i,--interactive", o->run.interactive, "Keep STDIN open even if not attached (default true)");
  cmd->add_option("-e,--env", o->run.env, "Set environment variables")->allow_extra_args(false);
  cmd->add_option("--env-from-file", o->run.env_files, "Set environment variables from file")->allow_extra_args(false);
  cmd->add_flag("-q,--quiet", o->quiet, "Don't print anything to STDOUT");
  cmd->add_option("-l,--label", o->run.labels, "Add or override a label")->allow_extra_args(false);
  cmd->add_option("-p,--publish", o->run.publish, "Publish a container's port(s) to the host")->allow_extra_args(false);
  cmd->add_option("-v,--volume", o->run.volumes, "Bind mount a volume")->allow_extra_args(false);
  cmd->add_option("--name", o->run.name, "Assign a name to the container");
  cmd->add_option("-u,--user", o->run.user, "Run as specified username or uid");
  cmd->add_option("-w,--workdir", o->run.workdir, "Working directory inside the container");
  cmd->add_option("--entrypoint", o->entrypoint, "Override the entrypoint of the image")->each([o](const std::string&) {
    o->entrypoint_set = true;
  });
  // The global flag, taken here too: after the verb everything else is the command's own.
  cmd->add_flag("--dry-run", o->dry_run, "Execute command in dry run mode");
  // SERVICE [COMMAND] [ARGS...]: everything from the first positional on, dashes included.
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->callback([&g, &result, o, cmd] { result.exit_code = run_command(g, *o, cmd->remaining()); });
}

}  // namespace berth::cli
