#pragma once
// A Dockerfile as text → its instructions, before any variable is expanded (the reference:
// shared/dockerfile/reference.md). Handles parser directives (`syntax`, `escape`, `check`) at
// the top, comments, empty lines, line continuations (the escape character at the end of a
// line; comment lines inside a continued instruction are dropped), heredocs (`<<EOF`, `<<-EOF`,
// quoted `<<"EOF"` / `<<'EOF'` that are not expanded; several per instruction), flags
// (`--name=value`, before the arguments, in order; a flag may repeat) and the exec (JSON array)
// form. Typed meaning comes later (instructions.hpp), once the variables in scope are known.
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::build {

/// A problem with a Dockerfile, located: what() is
///   "Dockerfile:12: unknown instruction: RUNN\n  12 | RUNN echo hi"
/// (the file's display name, the 1-based line, the message, then the line as written).
class DockerfileError : public std::runtime_error {
 public:
  DockerfileError(const std::string& file, int line, const std::string& message, const std::string& source_line);
  int line() const noexcept { return m_line; }

 private:
  int m_line;
};

/// One heredoc body attached to an instruction.
struct Heredoc {
  std::string name;         ///< the delimiter word as written without quotes ("EOF")
  std::string content;      ///< the lines between the instruction and the delimiter, each ending in '\n'
  bool expand = true;       ///< false when the delimiter was quoted: no variable expansion
  bool strip_tabs = false;  ///< `<<-`: leading tabs were removed from every line (done here)
};

/// One instruction as written.
struct Instruction {
  std::string keyword;                                     ///< upper case: "FROM", "RUN", ...; "" never
  std::vector<std::pair<std::string, std::string>> flags;  ///< {"from", "build"} for --from=build, in order
  std::vector<std::string> flag_words;  ///< the same flags as written, quotes removed: "--from=build", "--link"
  std::string args;                     ///< the text after the keyword and flags, continuations joined, trimmed
  bool json_form = false;               ///< args was a JSON array of strings (exec form) ...
  std::vector<std::string> json_args;   ///< ... and these are its elements (HEALTHCHECK: the part after CMD)
  std::vector<Heredoc> heredocs;        ///< bodies of `<<NAME` words in args, in order
  int line = 0;                         ///< 1-based line of the keyword
  int end_line = 0;                     ///< last line (continuations and heredocs included)
  std::string original;                 ///< the instruction text as written (for history and errors)
};

/// A parsed Dockerfile.
struct Dockerfile {
  std::string file;  ///< display name used in errors ("Dockerfile", "app/Dockerfile.dev")
  char escape = '\\';
  std::string syntax;              ///< `# syntax=` value, "" when absent (accepted, not used: offline)
  std::string check;               ///< `# check=` value, "" when absent
  std::vector<std::string> lines;  ///< the source split into lines (1-based line N is lines[N-1])
  std::vector<Instruction> instructions;
  std::vector<std::string> warnings;  ///< e.g. "Dockerfile:1: syntax directive ignored: ..." (shown to the user)

  /// A DockerfileError at `line` showing that line.
  DockerfileError error(int line, const std::string& message) const;
};

/// Parses `text` (the Dockerfile's content). `file` is the display name for errors. Throws
/// DockerfileError for an unknown instruction, an unterminated heredoc, a bad or repeated parser
/// directive, a JSON array with a non-string element, an empty file ("the Dockerfile cannot be
/// empty") or one whose first instruction is not FROM/ARG. Flags are checked by
/// compile_instruction, which knows each instruction's flags.
Dockerfile parse_dockerfile(std::string_view text, const std::string& file);

}  // namespace berth::build
