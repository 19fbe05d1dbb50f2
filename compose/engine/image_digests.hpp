#pragma once
// `config --resolve-image-digests` and `--lock-image-digests`: each service's image pinned to the
// digest its registry gives for it now, as compose-go's WithImagesResolved does with docker's
// distribution inspect. Only the top-level manifest is fetched (the index of a multi-platform
// image); nothing enters the image store.
#include <map>
#include <string>

#include "compose/model/project.hpp"

namespace berth::engine {

/// Service → its image as "domain/path:tag@sha256:…" (normalised as docker's ParseDockerRef
/// does: "nginx" is "docker.io/library/nginx:latest@…"); an image already given by digest is only
/// normalised; services without `image` are left out. `environment` locates the registry
/// configuration and docker's credentials. Throws std::runtime_error naming the service.
std::map<std::string, std::string> resolve_image_digests(const model::Project& project,
                                                         const std::map<std::string, std::string>& environment);

}  // namespace berth::engine
