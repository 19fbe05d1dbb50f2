#pragma once
// Runs a command with a given directory and environment and captures its stdout, stderr and exit
// code: how e2e tests drive the `berth` binary, and how any tier runs a host tool.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `argv` in `cwd` with exactly `env` as its environment, feeding `input` to stdin.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::map<std::string, std::string>& env, const std::string& input = "");

/// This process's environment as a map (for run_command when a test keeps it).
std::map<std::string, std::string> current_environment();

/// Runs `/bin/sh -c command` in the current directory with this process's environment.
CommandResult run_shell(const std::string& command);

/// Runs the berth binary under test.
CommandResult run_berth(const std::vector<std::string>& args, const std::string& cwd,
                        std::map<std::string, std::string> env = {}, const std::string& input = "");

}  // namespace berth::test
