#pragma once
// compose bridge's transformation images (docker compose pkg/bridge): an image labelled
// com.docker.compose.bridge=transformation whose command reads the compose model at
// /in/compose.yaml and writes files under /out (and reads /templates, where --templates mounts
// the user's). Berth runs one as the builder runs a RUN step (build/run_in_container: the image's
// layers read-only below a scratch upper, berth-shim in the foreground, its output streamed), with
// the same mounts, environment and user docker compose gives it; lists them from the image store;
// and copies an image's /templates out for `transformations create`.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/image/store.hpp"
#include "compose/state/paths.hpp"

namespace berth::transform {

inline constexpr const char* kLabel = "com.docker.compose.bridge";
inline constexpr const char* kLabelValue = "transformation";
inline constexpr const char* kDefaultImage = "docker/compose-bridge-kubernetes";

/// The model as docker compose hands it to a transformation: go-yaml's Marshal of the map (keys
/// in go-yaml's order, indent 4).
std::string model_yaml(const nlohmann::json& model);

struct RunRequest {
  std::string image;      ///< as the user named it (for errors)
  std::string model;      ///< /in/compose.yaml's content
  std::string output;     ///< host directory mounted on /out (exists)
  std::string templates;  ///< host directory mounted on /templates, or ""
  std::string user;       ///< docker compose runs it as the invoking user's uid
};

/// Runs the transformation `image` (found in `store`). `output` receives what it prints. Throws
/// std::runtime_error when it cannot start or exits non-zero ("transformation IMAGE failed:
/// exit status N").
void run_transformation(const state::Paths& paths, image::ImageStore& store, const image::ImageRecord& image,
                        const RunRequest& request, const std::function<void(std::string_view)>& output);

/// The store's images with the label com.docker.compose.bridge=transformation (docker compose's
/// ListTransformers: `docker image ls --filter label=...`).
std::vector<image::ImageSummary> transformation_images(const image::ImageStore& store);

/// Copies `image`'s /templates into `dest`/templates (as docker cp would), through a read-only
/// overlay of its layers attached nowhere. Throws naming the image when it has no /templates.
void copy_templates(const image::ImageStore& store, const image::ImageRecord& image, const std::string& name,
                    const std::string& dest);

/// The Dockerfile `transformations create` writes next to the templates.
std::string transformer_dockerfile();

}  // namespace berth::transform
