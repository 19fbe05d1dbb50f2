#pragma once
// The whole resolved project: the top-level keys of a compose file after the loader has merged,
// interpolated and normalised everything. `#include "compose/model/project.hpp"` gives the model.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compose/model/network.hpp"
#include "compose/model/service.hpp"
#include "compose/model/values.hpp"
#include "compose/model/volume.hpp"

namespace berth::model {

/// One entry of the top-level `secrets` or `configs` (compose-go's FileObjectConfig).
struct FileObject {
  std::string name;
  std::string file;         ///< absolute path
  std::string environment;  ///< name of the variable holding the content
  std::string content;      ///< inline content (configs); never printed for secrets
  bool external = false;
  Mapping labels;
  std::string driver;
  Mapping driver_opts;
  std::string template_driver;
  Extensions extensions;
};

/// A top-level `secrets` entry.
using Secret = FileObject;
/// A top-level `configs` entry.
using Config = FileObject;

/// One entry of the top-level `models` (an AI model run by a model runner).
struct Model {
  std::string name;
  std::string model;
  std::int64_t context_size = 0;
  std::vector<std::string> runtime_flags;
  Extensions extensions;
};

/// The project. Maps are sorted by key, as Go prints maps.
struct Project {
  std::string name;
  std::map<std::string, Service> services;
  std::map<std::string, Network> networks;
  std::map<std::string, Volume> volumes;
  std::map<std::string, Secret> secrets;
  std::map<std::string, Config> configs;
  std::map<std::string, Model> models;
  Extensions extensions;
};

template <Is<FileObject> S, class V>
void fields(S& s, V&& v) {
  v("name", s.name);
  v("file", s.file);
  v("environment", s.environment);
  v("content", s.content);
  v("external", s.external);
  v("labels", s.labels);
  v("driver", s.driver);
  v("driver_opts", s.driver_opts);
  v("template_driver", s.template_driver);
}

template <Is<Model> S, class V>
void fields(S& s, V&& v) {
  v("name", s.name);
  v("model", s.model);
  v("context_size", s.context_size);
  v("runtime_flags", s.runtime_flags);
}

// In JSON, compose-go prints every top-level key (x-* included) sorted, `name` even when empty.
template <Is<Project> S, class V>
void fields(S& s, V&& v) {
  v("name", s.name, Field{.omit = Omit::YamlOnly});
  v("services", s.services, Field{.omit = Omit::Never});
  v("networks", s.networks);
  v("volumes", s.volumes);
  v("secrets", s.secrets);
  v("configs", s.configs);
  v("models", s.models);
}

}  // namespace berth::model
