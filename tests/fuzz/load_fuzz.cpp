// libFuzzer target for the whole loader: arbitrary bytes as a compose file on standard input,
// through parsing, interpolation, schema validation, merge canonicalisation, normalisation,
// checks, and the typed model with both output flavours. A LoadError is the expected answer to
// bad input; any other exception escaping the loader is a bug, so it aborts.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include "compose/loader/diagnostics.hpp"
#include "compose/loader/load.hpp"
#include "compose/model/json_io.hpp"
#include "compose/model/yaml_emit.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  berth::loader::LoadOptions opts;
  opts.files = {"-"};
  opts.working_directory = "/nonexistent-berth-fuzz";  // no .env, no env_file can be found
  opts.project_name = "fuzz";
  opts.os_environment = {{"HOME", "/home/fuzz"}, {"SET", "value"}, {"EMPTY", ""}, {"BYTES", "\xff\xfe"}};
  opts.read_stdin = [&] { return text; };
  try {
    auto project = berth::loader::load_project(opts);
    const auto& typed = project.model;
    (void)berth::model::to_yaml(berth::model::project_to_json(typed, berth::model::Flavor::Yaml));
    (void)berth::model::project_to_json(typed, berth::model::Flavor::Json).dump();
  } catch (const berth::loader::LoadError&) {
  } catch (const std::exception& e) {
    std::cerr << "unexpected exception: " << e.what() << "\n";
    std::abort();
  }
  return 0;
}
