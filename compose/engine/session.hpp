#pragma once
// What every project command starts with: the paths of the root, the progress writer and an
// Engine for the project — loaded from the compose files, or, when there are none and the
// project is named (-p), from its recorded state alone (`berth -p x down` anywhere).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compose/engine/engine.hpp"
#include "compose/engine/image_build.hpp"
#include "compose/engine/image_pull.hpp"
#include "compose/loader/load.hpp"

namespace berth::engine {

struct SessionOptions {
  std::string root;
  std::string progress = "auto";  ///< --progress
  std::string ansi = "auto";      ///< --ansi
  loader::LoadOptions load;
  bool require_model = true;   ///< false: fall back to the recorded state when no compose file loads
  bool require_images = true;  ///< up/create need every selected service's image
  std::map<std::string, int> scale;
  std::vector<std::string> services;
  /// up/create/run: pull what the policy asks for (the services and their dependencies) before
  /// the project context is made; `services` there is filled in from the above.
  std::optional<ImagePullOptions> pull;
  /// up/create/run: build what is missing (everything with --build) after pulling; nullopt with
  /// --no-build. `services` is filled in as for pull.
  std::optional<ImageBuildOptions> build;
  bool pull_dependencies = true;  ///< false with --no-deps
  /// `watch`: services with both `build:` and `develop:` are built every time, as docker compose
  /// gives them pull_policy build before its `up`.
  bool build_watched = false;
  bool compatibility = false;  ///< --compatibility: container names <project>_<service>_<n>
  bool all_resources = false;  ///< --all-resources: networks and volumes no service uses too
  int parallel = -1;           ///< --parallel / COMPOSE_PARALLEL_LIMIT: operations at once (<= 0: no limit)
};

struct Session {
  state::Paths paths;
  std::unique_ptr<progress::Progress> progress;
  std::unique_ptr<Engine> engine;
};

/// Whether progress on stderr is coloured: --ansi always, or auto on a terminal without NO_COLOR.
bool progress_color(const std::string& ansi);

/// Opens the session; throws loader::LoadError or std::runtime_error.
Session open_session(const SessionOptions& options);

/// Parses "svc=n" (--scale); throws std::runtime_error on malformed input.
std::pair<std::string, int> parse_scale(const std::string& text);

}  // namespace berth::engine
