// libFuzzer target for the interpolation and .env parsers: any input must give a value or one of
// the documented errors (InterpolationError, LoadError) — never a crash, a hang, or UB.
// The same bytes are used as a compose value (also at fields that are type cast), as a .env
// file and as a `format: raw` env file. Build and run: see CMakeLists.txt in this folder.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "compose/loader/dotenv.hpp"
#include "compose/loader/interpolate.hpp"

namespace {

using berth::loader::Lookup;

const Lookup& lookup() {
  static const std::map<std::string, std::string, std::less<>> vars{
      {"A", "a"}, {"B", ""}, {"C", "${A}"}, {"D", "$$"}, {"E", "x}y"}, {"N", "3"}, {"T", "true"}, {"_1", "1.5"}};
  static const Lookup fn = [](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return fn;
}

void fuzz_interpolate(std::string_view text) {
  try {
    std::string out = berth::loader::interpolate(text, lookup());
    // Nothing is invented: without `$` the text comes back unchanged.
    if (text.find('$') == std::string_view::npos && out != text) __builtin_trap();
  } catch (const berth::loader::InterpolationError&) {
  }
}

void fuzz_tree(std::string_view text) {
  std::string value(text);
  nlohmann::json doc = {{"services",
                         {{"s",
                           {{"image", value},
                            {"scale", value},
                            {"cpus", value},
                            {"cpu_percent", value},
                            {"privileged", value},
                            {"ports", {{{"target", value}}}}}}}}};
  berth::loader::Diagnostics diags;
  berth::loader::interpolate_tree(doc, lookup(), diags);
  for (const auto& d : diags.items()) (void)berth::loader::format(d);
  (void)doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void fuzz_dotenv(std::string_view text) {
  try {
    berth::loader::Environment env = berth::loader::parse_dotenv(text, "fuzz.env", lookup());
    for (const auto& [key, value] : env) (void)key.size(), (void)value.size();
  } catch (const berth::loader::LoadError& e) {
    (void)e.what();
  }
}

void fuzz_raw(std::string_view text) {
  try {
    (void)berth::loader::parse_raw_env(text, "fuzz.env", lookup());
  } catch (const berth::loader::LoadError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz_interpolate(text);
  fuzz_tree(text);
  fuzz_dotenv(text);
  fuzz_raw(text);
  return 0;
}
