#pragma once
// The command line of `berth` as plain data: commands, aliases, flags (which take a value, their
// choices, what their values name) and positional arguments. compose/cli builds it by walking the
// CLI11 app at run time (cli_spec.cpp), so completion scripts and man pages made from it list
// exactly the commands and flags the binary has.
#include <string>
#include <vector>

namespace berth::shell {

/// What a flag's value or a positional argument names, for completion.
enum class ValueKind {
  Any,      ///< free text
  Choice,   ///< one of `choices`
  File,     ///< a path
  Dir,      ///< a directory
  Service,  ///< a service of the project on the command line (`berth __complete services`)
  Project,  ///< a project Berth knows (`berth __complete projects`)
  Command,  ///< a berth command (`berth help COMMAND`)
};

struct FlagSpec {
  std::vector<std::string> longs;   ///< without "--"
  std::vector<std::string> shorts;  ///< one character each, without "-"
  bool takes_value = false;
  std::string value_name;  ///< FILE, TEXT, INT, ... ("" for a bool flag)
  ValueKind kind = ValueKind::Any;
  std::vector<std::string> choices;
  std::string description;
  std::string default_value;
  bool repeatable = false;

  /// "-f, --file" (every name, short first).
  std::string names() const;
};

struct PositionalSpec {
  std::string name;
  std::string description;
  ValueKind kind = ValueKind::Any;
  std::vector<std::string> choices;
  bool required = false;
  bool repeatable = false;  ///< takes any number of words
};

struct CommandSpec {
  std::vector<std::string> path;  ///< {} for berth itself, {"image", "ls"} for `berth image ls`
  std::vector<std::string> aliases;
  std::string description;
  std::vector<FlagSpec> flags;  ///< its own; a command also takes the flags of the commands above it
  std::vector<PositionalSpec> positionals;
  /// `exec SERVICE COMMAND [ARGS...]`: the words after the options are a service, then a command
  /// line that is not berth's to parse.
  bool takes_command_line = false;
  bool requires_subcommand = false;
  std::vector<CommandSpec> subcommands;  ///< visible ones only

  /// "", "image ls" (the path as completion scripts key it).
  std::string path_words() const;
  /// "berth", "berth image ls".
  std::string display_name() const;
  /// "berth", "berth-image-ls" (man page names).
  std::string page_name() const;
};

/// Every command below `root` (not `root` itself), parents before their subcommands.
std::vector<const CommandSpec*> all_commands(const CommandSpec& root);

}  // namespace berth::shell
