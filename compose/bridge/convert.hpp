#pragma once
// `berth bridge convert`: the resolved compose model → Kubernetes manifests that an existing
// cluster runs unchanged, laid out as `docker compose bridge convert` lays them out with its
// default transformations (a kustomize base/ plus overlays/desktop/, or a Helm chart), with the
// same file names, object names and labels. Pure: it reads the typed model (and the files that
// configs/secrets name) and returns file texts; the command writes them.
//
//   model::Project → resources (objects.cpp: Namespace, ConfigMap, Secrets, NetworkPolicies,
//   Services, PVCs; workload.cpp: a Deployment, DaemonSet or Job per service) → layout.cpp
//   (file names, kustomization/Chart/values, helm placeholders) → Output
//
// Whatever the model holds that has no Kubernetes meaning becomes a warning naming the service
// and the key; nothing is dropped silently.
#include <map>
#include <string>
#include <vector>

#include "compose/model/project.hpp"

namespace berth::bridge {

enum class Format { Kubernetes, Helm };

struct Options {
  Format format = Format::Kubernetes;
  std::vector<std::string> services;  ///< the services to convert (with what they depend on); empty = all
  bool host_path = false;             ///< bind mounts become hostPath volumes (else a warning, no volume)
  /// The project environment, for configs/secrets given by `environment:`.
  std::map<std::string, std::string> environment;
};

/// One file to write, its path relative to the output directory.
struct File {
  std::string path;
  std::string text;
};

struct Output {
  std::vector<File> files;            ///< in path order
  std::vector<std::string> warnings;  ///< "service \"web\": devices: ..." — what did not map
};

/// Converts `project`. Throws std::runtime_error naming the file when a config or secret file
/// cannot be read, or a service named in `options.services` does not exist.
Output convert(const model::Project& project, const Options& options);

/// A name as Kubernetes accepts it for objects and volumes (an RFC 1123 label): lower case,
/// every other character than a-z and 0-9 a '-', no leading or trailing '-', at most 63
/// characters ("serviceA" → "servicea", "/etc/my-config1.txt" → "etc-my-config1-txt").
std::string safe_name(const std::string& name);

}  // namespace berth::bridge
