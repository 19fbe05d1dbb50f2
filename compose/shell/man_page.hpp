#pragma once
// Man pages (roff, man(7) macros) made from the command line's description: berth(1) and one
// berth-<command>(1) per command and subcommand (berth-image-ls(1)), so they list exactly the
// commands and flags the binary has.
#include <map>
#include <string>

#include "compose/shell/command_spec.hpp"

namespace berth::shell {

/// File name ("berth-up.1") → page, for `root` and every command below it. `version` goes into
/// the footer; `date` ("2026-12-07") too.
std::map<std::string, std::string> man_pages(const CommandSpec& root, const std::string& version,
                                             const std::string& date);

/// `text` escaped for roff: backslashes, and a leading '.' or '\'' that would start a request.
std::string roff_escape(const std::string& text);

}  // namespace berth::shell
