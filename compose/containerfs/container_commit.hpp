#pragma once
// `berth commit`: a container's changes become a new image, as `docker commit` makes it — its
// overlay upper dir one new layer (overlay whiteouts and opaque directories turned into OCI
// ones) on top of its image's layers, a config with the changes applied and a history entry.
#include <string>
#include <vector>

#include "compose/image/store.hpp"
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
};

/// Commits container `c` into `store`; returns the new image id (config digest). Throws
/// std::invalid_argument for a bad --change before anything is written.
image::Digest commit_container(const state::Paths& paths, image::ImageStore& store, const CommitSource& c,
                               const CommitOptions& options);

}  // namespace berth::containerfs
