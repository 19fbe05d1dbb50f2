#pragma once
// `.env` and `env_file` parsing, as compose-go's dotenv package does it.
#include <map>
#include <string>
#include <string_view>

#include "compose/loader/interpolate.hpp"

namespace berth::loader {

using Environment = std::map<std::string, std::string>;

/// Parses .env / env_file content the way compose-go's dotenv package does: comments, blank lines, `export ` prefix,
/// `KEY=value`, `KEY = value`, YAML-style `KEY: value`; keys of letters, digits, `_ . - [ ]`;
/// unquoted values (cut at the first " #", trimmed), single-quoted (literal, multi-line),
/// double-quoted (escapes \a \b \f \n \r \t \v \" \\ \$ \0NNN, multi-line). Unquoted and double-quoted
/// values are interpolated like compose files; a variable is looked up in `lookup` FIRST and in the
/// earlier keys of the same file second (compose-go's expandVariables: the shell environment wins).
/// A bare `KEY` (no `=`) takes its value from `lookup` and is left out when lookup has none. UTF-8 BOM skipped.
/// Keys are not filtered (a key starting with a digit is kept, as ParseWithLookup keeps it).
/// Syntax and interpolation errors throw LoadError naming `file` and the line:column.
Environment parse_dotenv(std::string_view content, const std::string& file, const Lookup& lookup);

/// Parses env_file content in the `raw` format (see read_env_file); errors name `file` and the line.
Environment parse_raw_env(std::string_view content, const std::string& file, const Lookup& lookup);

/// Reads and parses a file. format "" (or ".env") = the dotenv syntax above; "raw" = docker's `--env-file`
/// syntax that compose registers for env_file `format: raw`: each line KEY=VALUE taken literally (only
/// leading white space trimmed; no quotes/escapes/interpolation/comments after values), `#` lines skipped,
/// a bare KEY looked up. Any other format, a missing/unreadable file or a syntax error -> LoadError naming the path.
Environment read_env_file(const std::string& path, const std::string& format, const Lookup& lookup);

}  // namespace berth::loader
