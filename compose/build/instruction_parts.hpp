#pragma once
// Pieces of BuildKit's instruction parser (frontend/dockerfile/instructions) that
// compile_instruction uses: the flag parser (bflag.go), the word splitter of ENV/LABEL/ARG
// (parseWords in parser/line_parsers.go), RUN --mount (commands_runmount.go) and EXPOSE's port
// specs (go-connections/nat). Each throws std::invalid_argument with BuildKit's wording; the
// caller adds the location.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compose/build/instructions.hpp"

namespace berth::build {

/// The `--flags` of one instruction, declared then parsed as BuildKit's BFlags.
class InstructionFlags {
 public:
  explicit InstructionFlags(const std::vector<std::string>& words) : m_words(words) {}

  void add_bool(const std::string& name) { add(name, Type::boolean, "false"); }
  void add_string(const std::string& name, std::string def = "") { add(name, Type::string, std::move(def)); }
  void add_strings(const std::string& name) { add(name, Type::strings, ""); }

  /// Reads the words: "unknown flag: --x", "duplicate flag specified: --x", "missing a value on
  /// flag: --x", "expecting boolean value for flag --x, not: y".
  void parse();

  bool used(const std::string& name) const;
  bool is_true(const std::string& name) const { return value(name) == "true"; }
  const std::string& value(const std::string& name) const { return m_flags.at(name).value; }
  const std::vector<std::string>& values(const std::string& name) const { return m_flags.at(name).values; }

 private:
  enum class Type { boolean, string, strings };
  struct Flag {
    Type type = Type::string;
    std::string value;
    std::vector<std::string> values;
    bool used = false;
  };
  void add(const std::string& name, Type type, std::string def) {
    Flag flag;
    flag.type = type;
    flag.value = std::move(def);
    m_flags[name] = std::move(flag);
  }

  const std::vector<std::string>& m_words;
  std::map<std::string, Flag, std::less<>> m_flags;
};

/// parseWords: splits at blanks outside quotes, keeping quotes and escapes in the words.
std::vector<std::string> split_quoted_words(std::string_view text, char escape);

/// One `--mount=` value; `expand` expands each value (BuildKit expands them, not the keys).
RunMount parse_run_mount(std::string_view spec, const std::function<std::string(std::string_view)>& expand);

/// EXPOSE words ("80", "53/udp", "8000-8002/tcp") → "80/tcp" ... with ranges expanded.
std::vector<std::string> parse_expose_ports(const std::vector<std::string>& words);

/// Go strconv.ParseBool.
bool parse_go_bool(std::string_view text, bool& out);

}  // namespace berth::build
