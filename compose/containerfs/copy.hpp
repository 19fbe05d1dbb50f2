#pragma once
// `berth cp`: files between a container's root and the local file system, as docker cp copies
// them. Container paths are resolved only inside the container's root (common/in_root), and
// the entries of the copied tree are created beneath the destination without following any
// symlink (image/layer_writer), so a symlink in the container — `/data -> /etc`, `../../..`,
// `/proc/self/root` — never reaches a host path.
#include <string>

namespace berth::containerfs {

struct CopyOptions {
  bool archive = false;      ///< -a: keep the source's uid/gid (else root owns what is copied in)
  bool follow_link = false;  ///< -L: a symlink as SRC_PATH is followed
};

/// Copies `src` (a path in the container whose root is `root_fd`) to the local `dst`, or writes
/// its tar to `out_fd` when `dst` is "-". `container` names the container in errors (docker
/// uses its id). Throws std::runtime_error / SysError with docker's messages.
void copy_from_container(int root_fd, const std::string& container, const std::string& src, const std::string& dst,
                         const CopyOptions& options, int out_fd);

/// Copies the local `src` (or the tar read from `in_fd` when `src` is "-") to `dst` in the
/// container whose root is `root_fd`.
void copy_to_container(int root_fd, const std::string& container, const std::string& src, const std::string& dst,
                       const CopyOptions& options, int in_fd);

}  // namespace berth::containerfs
