#pragma once
// `.env` and `env_file` parsing, as compose-go's dotenv package does it.
#include <map>
#include <string>
#include <string_view>

#include "compose/loader/interpolate.hpp"

namespace berth::loader {

using Environment = std::map<std::string, std::string>;

/// Parses .env / env_file content the way compose-go's dotenv package does: comments, blank lines, `export ` prefix,
/// `KEY=value`, `KEY = value`, `KEY: value`, unquoted (trailing comments stripped, trimmed),
/// single-quoted (literal, multi-line), double-quoted (escapes \n \t \" \\ ..., multi-line), interpolation of ${VAR}
/// in unquoted and double-quoted values using earlier keys of the same file first, then `lookup`;
/// a bare `KEY` (no `=`) takes its value from `lookup` and is left out when lookup has none; UTF-8 BOM skipped.
/// Syntax errors throw LoadError naming `file` and the line.
Environment parse_dotenv(std::string_view content, const std::string& file, const Lookup& lookup);

/// Reads and parses a file. format "" = the dotenv syntax above; "raw" = each line KEY=VALUE taken literally
/// (no quotes/escapes/interpolation), as compose's env_file `format: raw`. Missing file -> LoadError naming the path.
Environment read_env_file(const std::string& path, const std::string& format, const Lookup& lookup);

}  // namespace berth::loader
