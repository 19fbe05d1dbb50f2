#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "compose/cli/commands.hpp"

namespace berth::cli {
/// Adds the global flags and every command to `app`; the commands' callbacks run them with
/// `global` and report their exit code in `result`.
void build_app(CLI::App& app, GlobalOptions& global, CommandResult& result);
/// Parses `args` (without argv[0]) as docker compose reads them (pflag_forms) and runs the
/// command's callback; throws CLI::ParseError, or what the command throws.
void parse_args(CLI::App& app, const std::vector<std::string>& args);
/// Parses the command line, runs the command and returns the process exit code.
int run(int argc, char** argv);
}  // namespace berth::cli
