// libFuzzer target for the .dockerignore matcher (compose/build/dockerignore.cpp): the input is
// a .dockerignore, a NUL, then paths one per line. Parsing may refuse a pattern only with
// std::invalid_argument; matching must never crash or take long (the matcher is an NFA, no
// backtracking), the rule it names must be a non-exception rule of the matcher, and walk pruning
// must be sound: when a path is included but one of its parent directories is excluded, that
// directory must be one the walk enters (may_include_below).
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "compose/build/dockerignore.hpp"
#include "compose/build/go_match.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t nul = input.find('\0');
  std::string_view text = input.substr(0, nul);
  std::string_view paths = nul == std::string_view::npos ? std::string_view() : input.substr(nul + 1);
  berth::build::IgnoreMatcher m;
  try {
    m = berth::build::IgnoreMatcher::parse(text, ".dockerignore");
  } catch (const std::invalid_argument&) {
    return 0;
  }
  for (const auto& rule : m.rules()) (void)berth::build::go_match(rule.pattern, text.substr(0, 64));
  while (!paths.empty()) {
    std::size_t nl = paths.find('\n');
    std::string_view path = paths.substr(0, nl);
    paths = nl == std::string_view::npos ? std::string_view() : paths.substr(nl + 1);
    const berth::build::IgnoreRule* rule = m.excluded_by(path);
    if (rule != nullptr &&
        (rule->exception || rule < m.rules().data() || rule >= m.rules().data() + m.rules().size())) {
      std::cerr << "excluded_by named an exception or a foreign rule for " << path << "\n";
      std::abort();
    }
    if (rule != nullptr) continue;
    for (std::size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
      std::string_view dir = path.substr(0, slash);
      if (m.excluded(dir) && !m.may_include_below(dir)) {
        std::cerr << "included `" << path << "` is below excluded `" << dir << "` that a walk would skip\n";
        std::abort();
      }
    }
  }
  return 0;
}
