// `berth completion bash|zsh|fish` prints a completion script made from the commands and flags
// of this very app (describe_cli), and the hidden `berth __complete services|projects WORDS...`
// the scripts call back: WORDS are what the user typed after `berth`, so the project is the one
// their -f/-p/--project-directory/--env-file/--profile/--root name. Completion must never print
// an error in the middle of a command line, so failures print nothing.
#include <algorithm>
#include <iostream>

#include "compose/cli/argv_forms.hpp"
#include "compose/cli/cli_spec.hpp"
#include "compose/cli/commands.hpp"
#include "compose/engine/status_text.hpp"
#include "compose/shell/completion.hpp"

namespace berth::cli {

namespace {

/// The global options among `words`, read into a GlobalOptions of their own.
GlobalOptions globals_of(const CLI::App& app, const std::vector<std::string>& words) {
  std::vector<std::string> own = global_words(app, pflag_forms(app, words));
  CLI::App parser;
  parser.allow_extras();
  GlobalOptions g;
  add_global_options(parser, g);
  std::reverse(own.begin(), own.end());
  parser.parse(own);
  return g;
}

void complete_words(const CLI::App& app, const std::vector<std::string>& args) {
  if (args.empty()) return;
  const std::string& what = args.front();
  try {
    GlobalOptions g = globals_of(app, std::vector<std::string>(args.begin() + 1, args.end()));
    if (what == "services") {
      export_dotenv_compose_variables(g);
      loader::LoadOptions o = load_options(g);
      o.check_consistency = false;  // a half-edited file still names its services
      for (const auto& [name, service] : loader::load_project(o).model.services) std::cout << name << "\n";
    } else if (what == "projects") {
      for (const auto& p : engine::project_summaries(state::Paths::for_root(g.root))) std::cout << p.name << "\n";
    }
  } catch (const std::exception&) {
    // nothing to offer
  }
}

}  // namespace

void register_completion(CLI::App& app, const GlobalOptions&, CommandResult&) {
  auto shell_name = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Generate the autocompletion script for the specified shell");
  cmd->add_option("shell", *shell_name, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->footer(
      "Load it in the current shell with `source <(berth completion bash)` (zsh: after compinit; fish:\n"
      "`berth completion fish | source`). `cmake --install` installs all three where each shell looks.");
  cmd->callback([&app, shell_name] {
    shell::CommandSpec spec = describe_cli(app);
    if (*shell_name == "bash") std::cout << shell::bash_completion(spec);
    if (*shell_name == "zsh") std::cout << shell::zsh_completion(spec);
    if (*shell_name == "fish") std::cout << shell::fish_completion(spec);
  });

  auto* complete = app.add_subcommand("__complete", "Print completion candidates (for the completion scripts)");
  complete->group("");  // hidden
  complete->prefix_command();
  complete->fallthrough(false);
  complete->callback([&app, complete] { complete_words(app, complete->remaining()); });
}

}  // namespace berth::cli
