// libFuzzer target for the WWW-Authenticate reader (compose/registry/challenge.cpp): any bytes
// as the header. It must never throw or read out of bounds, and what it returns must be usable:
// a non-empty lower-case token as each scheme, parameter names lower case.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "compose/registry/challenge.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& c : berth::registry::parse_challenges(header)) {
      if (c.scheme.empty()) {
        std::cerr << "empty scheme\n";
        std::abort();
      }
      for (char ch : c.scheme)
        if (std::isupper(static_cast<unsigned char>(ch))) std::abort();
      for (const auto& [name, value] : c.params) {
        if (name.empty()) std::abort();
        for (char ch : name)
          if (std::isupper(static_cast<unsigned char>(ch))) std::abort();
        (void)c.param(name);
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "parse_challenges threw: " << e.what() << "\n";
    std::abort();
  }
  return 0;
}
