#pragma once
// A container's files, opened for paths resolved inside them (common/in_root: openat2
// RESOLVE_IN_ROOT, so no symlink in the container can lead out):
//   - while it runs, its root as its own processes see it, /proc/<pid>/root: the overlay and the
//     volumes mounted on it, as `docker cp` sees a running container;
//   - when it is stopped, an overlay of its layers made for the occasion, attached nowhere
//     (fsmount without move_mount): it vanishes with its fd, so even a crash leaves no mount;
//   - for `export` and `commit`, its own layers alone: the upper dir, and a read-only overlay of
//     upper + image layers (no volumes, no /proc).
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "compose/state/paths.hpp"

namespace berth::containerfs {

/// The overlay layers of container `id`, from its bundle's org.berth.rootfs.* annotations.
struct ContainerLayers {
  std::vector<std::string> lowers;  ///< topmost first
  std::string upper;
  std::string work;
};
ContainerLayers container_layers(const state::Paths& paths, const std::string& id);

/// The root of running (or paused) container `id` as its processes see it: /proc/<pid>/root of
/// the pid its shim's state names, checked to be the shim's child while a /proc/<pid> directory
/// fd pins it (a pid reused meanwhile is refused). Throws std::runtime_error ("container <id> is
/// not running"). `cp` and watch's sync reach a running container this way.
UniqueFd open_running_root(const state::Paths& paths, const std::string& id);

/// The root of container `id` for `cp`: /proc/<pid>/root while it runs (or is paused), else a
/// writable detached overlay of its layers — the caller holds the project lock so the container
/// cannot start meanwhile. Throws for a container that is restarting (its rootfs is changing
/// hands) and SysError for anything that cannot be opened.
UniqueFd open_container_root(const state::Paths& paths, const std::string& id);

/// The container's own files without its mounts (export): a read-only detached overlay of its
/// upper dir over its image layers, safe to read while the container runs.
UniqueFd open_container_files(const state::Paths& paths, const std::string& id);

}  // namespace berth::containerfs
