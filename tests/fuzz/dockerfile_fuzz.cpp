// libFuzzer target for the Dockerfile parser, the shell lexer and the instruction compiler: any
// input must parse or give a DockerfileError, and every instruction of a parsed file must compile
// or give a DockerfileError — never a crash, a hang, or UB. The same bytes also go through the
// lexer directly (both escape characters) and the heredoc-marker test. Build and run: see
// CMakeLists.txt in this folder.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "compose/build/dockerfile.hpp"
#include "compose/build/dockerfile_split.hpp"
#include "compose/build/instructions.hpp"
#include "compose/build/shell_lex.hpp"

namespace {

using berth::build::VarLookup;

const VarLookup& dockerfile_fuzz_lookup() {
  static const std::map<std::string, std::string> vars{
      {"A", "a"},  {"B", ""},     {"C", "x y"},  {"D", "$A"},          {"F", "archive.tar.gz"}, {"P", "/usr/local/bin"},
      {"N", "80"}, {"U", "1000"}, {"M", "a\nb"}, {"E", "\xE2\x82\xAC"}};
  static const VarLookup fn = [](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return fn;
}

void fuzz_dockerfile(std::string_view text) {
  berth::build::Dockerfile df;
  try {
    df = berth::build::parse_dockerfile(text, "Dockerfile");
  } catch (const berth::build::DockerfileError& e) {
    (void)e.what();
    return;
  }
  for (const auto& in : df.instructions) {
    if (in.keyword.empty() || in.line < 1 || in.end_line < in.line) __builtin_trap();
    try {
      berth::build::Command cmd = berth::build::compile_instruction(df, in, dockerfile_fuzz_lookup());
      (void)cmd.index();
    } catch (const berth::build::DockerfileError& e) {
      (void)e.what();
    }
  }
}

void fuzz_lexer(std::string_view text) {
  for (char escape : {'\\', '`'}) {
    try {
      (void)berth::build::expand_word(text, dockerfile_fuzz_lookup(), escape);
    } catch (const berth::build::ExpandError&) {
    }
    try {
      (void)berth::build::expand_words(text, dockerfile_fuzz_lookup(), escape);
    } catch (const berth::build::ExpandError&) {
    }
    try {
      (void)berth::build::expand_only(text, dockerfile_fuzz_lookup(), escape);
    } catch (const berth::build::ExpandError&) {
    }
  }
  try {
    (void)berth::build::heredoc_markers(text);
  } catch (const berth::build::ExpandError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz_dockerfile(text);
  if (size <= 4096) fuzz_lexer(text);
  return 0;
}
