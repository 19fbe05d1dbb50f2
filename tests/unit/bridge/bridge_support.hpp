#pragma once
// What the bridge tests share: loading a compose project as `berth` does, converting it, and the
// converted files by path.
#include <map>
#include <string>

#include "compose/bridge/convert.hpp"
#include "compose/loader/load.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace berth::bridge::test_support {

/// Loads `dir/compose.yaml` as project `name`, with an empty shell environment.
inline loader::Project load_dir(const std::string& dir, const std::string& name) {
  loader::LoadOptions o;
  o.files = {dir + "/compose.yaml"};
  o.working_directory = dir;
  o.project_name = name;
  return loader::load_project(o);
}

/// The converted files by path.
inline std::map<std::string, std::string> by_path(const Output& out) {
  std::map<std::string, std::string> files;
  for (const auto& f : out.files) files[f.path] = f.text;
  return files;
}

}  // namespace berth::bridge::test_support
