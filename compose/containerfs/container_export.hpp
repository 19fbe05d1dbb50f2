#pragma once
// `berth export`: a container's file system as a tar, as `docker export` writes it — its own
// files (image layers + what it changed), without volumes or the kernel's mounts.
#include <string>

#include "compose/state/paths.hpp"

namespace berth::containerfs {

/// Writes the tar of container `id`'s files to `fd`.
void export_container(const state::Paths& paths, const std::string& id, int fd);

/// Writes it to the file `path` atomically (a temporary file beside it, renamed into place when
/// complete; mode 0600 as docker's atomicwriter). Throws "failed to export container: invalid
/// output path: ..." when its directory does not exist.
void export_container_to_file(const state::Paths& paths, const std::string& id, const std::string& path);

}  // namespace berth::containerfs
