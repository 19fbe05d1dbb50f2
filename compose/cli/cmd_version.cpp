// `berth version`, as docker compose prints it: "... version vX.Y.Z", --short without the "v",
// --format json with it.
#include <iostream>

#include "compose/cli/commands.hpp"

namespace berth::cli {

void register_version(CLI::App& app, CommandResult&) {
  auto* cmd = app.add_subcommand("version", "Show the Berth version information");
  auto format = std::make_shared<std::string>("pretty");
  auto short_ = std::make_shared<bool>(false);
  cmd->add_option("-f,--format", *format, "Format the output")->check(CLI::IsMember({"pretty", "json"}));
  cmd->add_flag("--short", *short_, "Shows only the version number");
  cmd->callback([format, short_] {
    if (*short_)
      std::cout << BERTH_VERSION << "\n";
    else if (*format == "json")
      std::cout << R"({"version":"v)" << BERTH_VERSION << "\"}\n";  // as docker compose: %q of "v2.x.y"
    else
      std::cout << "Berth version v" << BERTH_VERSION << "\n";
  });
}

}  // namespace berth::cli
