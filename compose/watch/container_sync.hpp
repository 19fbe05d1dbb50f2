#pragma once
// `sync` of develop.watch: changed host files copied into a running container, as docker
// compose's tar sync does it (internal/sync/tar.go + CopyToContainer with CopyUIDGID): a host
// path that no longer exists is removed in the container (rm -rf), one that exists is copied
// with everything below it (directories, regular files with their mode and mtime, symlinks as
// symlinks), owned by the container's user; an existing entry of another type is replaced.
//
// The container's file system is reached through /proc/<pid>/root of its process (so its
// volumes and tmpfs mounts are where they are inside it), and every path is resolved with
// openat2(RESOLVE_IN_ROOT) under that root (common/in_root): a symlink in the container, such
// as `/app/data -> /etc` or `../../..`, resolves inside the container, and the last component
// is never followed (files are written under a temporary name and renamed over it), so a
// container cannot make a sync write on the host.
#include <cstdint>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "compose/state/paths.hpp"
#include "compose/watch/watch_rules.hpp"

namespace berth::watch {

/// A running container's root directory and the user its files are owned by.
struct ContainerRoot {
  UniqueFd root;  ///< O_PATH directory fd of /proc/<pid>/root
  uint32_t uid = 0, gid = 0;
};

/// Opens the root of running container `id`: its shim's state names the process, checked to be
/// the shim's child before /proc/<pid>/root is opened (a pid reused meanwhile is refused); the
/// user is the container's `user:` looked up in its own /etc/passwd and /etc/group. Throws std::runtime_error
/// ("container <id> is not running").
ContainerRoot open_container_root(const state::Paths& paths, const std::string& id);

/// Applies `mappings` (those without a container path are skipped) under `root`: deletions
/// first, then copies, as docker compose runs `rm -rf` before extracting its tar.
/// Throws SysError naming the container path.
void sync_into(const ContainerRoot& root, const std::vector<PathMapping>& mappings);

}  // namespace berth::watch
