// `berth alpha`: docker compose's experimental commands. viz, publish and generate are their
// own files (cmd_viz.cpp, cmd_publish.cpp, cmd_generate.cpp); `alpha scale` and `alpha watch`
// are `scale` and `watch`; `alpha dry-run [--] COMMAND...` runs COMMAND under --dry-run.
#include <memory>

#include "compose/cli/app.hpp"
#include "compose/cli/commands.hpp"

namespace berth::cli {

namespace {

/// `alpha dry-run [--] COMMAND [ARGS...]` (parse_args drops the `--`): the command line parsed again by a new
/// app whose global flags start as ours, with --dry-run set.
void register_dry_run(CLI::App& alpha, const GlobalOptions& g, CommandResult& result) {
  CLI::App* cmd = alpha.add_subcommand(
      "dry-run", "EXPERIMENTAL - Dry run command allow you to test a command without applying changes");
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->callback([&g, &result, cmd] {
    std::vector<std::string> words = cmd->remaining();
    if (!words.empty() && words.front() == "--") words.erase(words.begin());
    if (words.empty()) throw std::runtime_error("dry-run requires a COMMAND to run in dry run mode");
    CLI::App inner{"Berth: a daemonless, Compose-compatible multi-container orchestrator", "berth"};
    GlobalOptions dry = g;
    dry.dry_run = true;
    CommandResult inner_result;
    build_app(inner, dry, inner_result);
    parse_args(inner, words);
    result.exit_code = inner_result.exit_code;
  });
}

}  // namespace

void register_alpha(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  CLI::App* alpha = app.add_subcommand("alpha", "Experimental commands");
  alpha->require_subcommand(1);
  register_viz(*alpha, g, result);
  register_publish(*alpha, g, result);
  register_generate(*alpha, g, result);
  register_scale(*alpha, g, result);
  register_watch(*alpha, g, result);
  register_dry_run(*alpha, g, result);
}

}  // namespace berth::cli
