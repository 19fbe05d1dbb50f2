#pragma once
// Completion scripts for bash, zsh and fish made from the command line's description. Each walks
// the words typed so far with the same rules as berth's own parser (flags that take a value take
// the next word, subcommand names descend, global flags are valid after the verb) and completes
// subcommands, flags, choices, paths, and service and project names (by calling
// `berth __complete services|projects WORDS...`, which resolves the project those words name).
#include <string>

#include "compose/shell/command_spec.hpp"

namespace berth::shell {

std::string bash_completion(const CommandSpec& root);
std::string zsh_completion(const CommandSpec& root);
std::string fish_completion(const CommandSpec& root);

/// What a completion script calls a value kind: "bool" (a flag without a value), "any",
/// "choice:a b c", "file", "dir", "service", "project", "command".
std::string kind_word(ValueKind kind, const std::vector<std::string>& choices);

/// `s` single-quoted for sh, bash, zsh and fish ('it'\''s' for sh-like shells when `fish` is false,
/// 'it\'s' for fish).
std::string single_quoted(const std::string& s, bool fish = false);

/// The completion table of `c` as (key, kind word) pairs: "--file"/"-f" for its own flags, "#0",
/// "#1", ... for its positional arguments, "#+" for the words after them (the last positional
/// when it repeats; a file for the command line of exec/run) and "#cmdline" ("yes") when the
/// words after its first argument are a command line of their own (exec, run).
std::vector<std::pair<std::string, std::string>> completion_keys(const CommandSpec& c);

/// The first line of a description, without a trailing period (what a menu shows).
std::string short_description(const std::string& text);

/// The tables the bash and zsh scripts share, as functions in the syntax both read:
/// `_berth_subs PATH` (sets the array `_berth_a` to the subcommands as "name:description",
/// aliases included), `_berth_flags PATH` (`_berth_a`: own flags as "--flag:description"); these
/// set the string `_berth_r`: `_berth_sub PATH WORD` (the
/// subcommand WORD names, or ""), `_berth_kind PATH KEY` (the kind word of a completion key, or
/// ""). PATH is the command's words joined by spaces ("" for berth itself).
std::string posix_tables(const CommandSpec& root);

}  // namespace berth::shell
