#pragma once
// The CLI11 app as plain data (compose/shell's CommandSpec), read from the app itself at run
// time: completion scripts, man pages and `berth help` then follow every command added to it.
#include <CLI/CLI.hpp>

#include "compose/shell/command_spec.hpp"

namespace berth::cli {

/// `app` and its visible subcommands (hidden ones, in the group "", are left out), with their
/// visible flags and positional arguments. What a value names comes from the option: choices
/// from a CLI::IsMember check, FILE/DIR/SERVICE/PROJECT from its type name, a service for a
/// positional named service(s), and for the first word of a command that takes a command line.
shell::CommandSpec describe_cli(const CLI::App& app);

}  // namespace berth::cli
