// `berth` entry: global flags, one subcommand per verb, and the one place where errors are
// printed. Loading problems arrive as a LoadError listing each one with its location.
#include "compose/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "compose/cli/argv_forms.hpp"
#include "compose/cli/commands.hpp"
#include "compose/loader/diagnostics.hpp"

namespace berth::cli {

void build_app(CLI::App& app, GlobalOptions& global, CommandResult& result) {
  app.require_subcommand(1);
  app.fallthrough();  // global flags may follow the verb, as with docker compose
  add_global_options(app, global);
  // Once the global flags are known and before the command runs (CLI11 runs the app's
  // parse-complete callback before its subcommands' callbacks).
  app.parse_complete_callback([&app, &global] {
    export_dotenv_compose_variables(global);
    apply_parallel_limit_env(app, global);
  });
  app.set_version_flag("-v,--version", std::string("Berth version v") + BERTH_VERSION);
  register_config(app, global, result);
  register_version(app, result);
  register_completion(app, global, result);
  register_help(app, result);
  register_image(app, global, result);
  // project lifecycle
  register_up(app, global, result);
  register_create(app, global, result);
  register_down(app, global, result);
  register_start(app, global, result);
  register_stop(app, global, result);
  register_restart(app, global, result);
  register_kill(app, global, result);
  register_rm(app, global, result);
  register_pause(app, global, result);
  register_unpause(app, global, result);
  register_ps(app, global, result);
  register_ls(app, global, result);
  register_scale(app, global, result);
  register_wait(app, global, result);
  register_volumes(app, global, result);
  register_stats(app, global, result);
  // logs, exec and other commands on running containers
  register_logs(app, global, result);
  register_exec(app, global, result);
  register_run(app, global, result);
  register_attach(app, global, result);
  register_top(app, global, result);
  register_port(app, global, result);
  register_events(app, global, result);
  register_images(app, global, result);
  register_pull(app, global, result);
  register_push(app, global, result);
  register_login(app, global, result);
  register_build(app, global, result);
  register_builder(app, global, result);
  register_system(app, global, result);
  register_bridge(app, global, result);
  register_cp(app, global, result);
  register_export(app, global, result);
  register_commit(app, global, result);
  register_watch(app, global, result);
  register_publish(app, global, result);
  register_alpha(app, global, result);
}

void parse_args(CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> words = pflag_forms(app, args);
  // `alpha dry-run -- COMMAND...`: CLI11 would hand what follows `--` back to `alpha`; the
  // command line after dry-run is its prefix command's either way.
  for (std::size_t i = 2; i < words.size(); ++i)
    if (words[i] == "--" && words[i - 1] == "dry-run" && words[i - 2] == "alpha") {
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  std::reverse(words.begin(), words.end());  // CLI11 takes the words last first
  app.parse(words);
}

int run(int argc, char** argv) {
  CLI::App app{"Berth: a daemonless, Compose-compatible multi-container orchestrator", "berth"};
  GlobalOptions global;
  CommandResult result;
  build_app(app, global, result);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {  // as docker compose: the usage, and success
    std::cout << app.help();
    return 0;
  }
  if (auto unknown = unknown_command(app, pflag_forms(app, args))) {
    std::cerr << "berth: '" << *unknown << "' is not a berth command.\nSee 'berth --help'\n";
    return 1;
  }
  try {
    parse_args(app, args);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 1;
  } catch (const loader::LoadError& e) {
    for (const auto& d : e.items()) std::cerr << "error: " << loader::format(d) << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return result.exit_code;
}

}  // namespace berth::cli
