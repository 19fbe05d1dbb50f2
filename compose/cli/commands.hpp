#pragma once
// One register_<verb> per command; each adds its subcommand and flags to the app and sets the
// callback that runs it. Callbacks throw on failure; app.cpp reports errors once, at the top.
#include <CLI/CLI.hpp>

#include "compose/cli/global_options.hpp"

namespace berth::cli {

/// Exit code a command asks for (0 when it does not set one).
struct CommandResult {
  int exit_code = 0;
};

void register_config(CLI::App& app, const GlobalOptions& g, CommandResult& result);
void register_version(CLI::App& app, CommandResult& result);
void register_image(CLI::App& app, const GlobalOptions& g, CommandResult& result);

}  // namespace berth::cli
