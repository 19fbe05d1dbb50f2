#pragma once
// `berth commit`: a container's changes become a new image, as `docker commit` makes it — its
// overlay upper dir one new layer (overlay whiteouts and opaque directories turned into OCI
// ones) on top of its image's layers, a config with the changes applied and a history entry.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/image/store.hpp"
#include "compose/model/service.hpp"
#include "compose/state/paths.hpp"

namespace berth::containerfs {

struct CommitOptions {
  std::string reference;             ///< REPOSITORY[:TAG]; "" leaves the image untagged
  std::string author;                ///< -a
  std::string message;               ///< -m: the history entry's comment
  std::vector<std::string> changes;  ///< -c: Dockerfile instructions (image::apply_change)
  bool pause = true;                 ///< -p: freeze the container while its upper dir is read
};

/// What the container is made from.
struct CommitSource {
  std::string id;        ///< container id
  std::string image_id;  ///< its image's config digest
  std::string command;   ///< its command, as the history's created_by
  /// Its service as loaded (nullptr when the project works from recorded state alone): docker
  /// commits the container's config, which is the image's with the service's settings.
  const model::Service* service = nullptr;
};

/// The container's config as docker keeps it (Config of `docker inspect`): `image_config` (the
/// image's `config` object) with the service's environment (a name without a value removes it),
/// entrypoint and command (an entrypoint resets the image's command), working_dir, user and
/// labels applied.
nlohmann::json container_config(const nlohmann::json& image_config, const model::Service& service);

/// Commits container `c` into `store`; returns the new image id (config digest). Throws
/// std::invalid_argument for a bad --change before anything is written.
image::Digest commit_container(const state::Paths& paths, image::ImageStore& store, const CommitSource& c,
                               const CommitOptions& options);

}  // namespace berth::containerfs
