#pragma once
// The command-line forms docker compose accepts (spf13/pflag) that CLI11 reads otherwise, turned
// into CLI11's before parsing: `-f=FILE` (a short option's value after '='), `-d=false` (a short
// bool flag given a value: its long form takes it). `--file=FILE`, `--detach=false` and combined
// short flags (`-dV`) CLI11 reads as pflag does.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace berth::cli {

/// `args` (without argv[0]) rewritten for `app`: every `-X=VALUE` whose X is an option of the
/// command it follows (or of a parent: global flags may follow the verb).
std::vector<std::string> pflag_forms(const CLI::App& app, const std::vector<std::string>& args);

/// The words naming a command that `app` does not have ("foo" for `berth foo`, "image foo" for
/// `berth image foo`), or nullopt when the command line names a known command or none.
std::optional<std::string> unknown_command(const CLI::App& app, const std::vector<std::string>& args);

/// The words of `args` (in CLI11's forms, as pflag_forms returns them) that are `app`'s own
/// options with their values: the global flags of a command line, wherever they stand
/// (`-f x.yml up --project-directory d` → `-f x.yml --project-directory d`). An option of the
/// command they follow that shares a name (`run -p 80:80`) is that command's, not a global one.
std::vector<std::string> global_words(const CLI::App& app, const std::vector<std::string>& args);

}  // namespace berth::cli
