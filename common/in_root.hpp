#pragma once
// Paths inside a root directory (a container's rootfs, a build step's merged view): openat2(2)
// with RESOLVE_IN_ROOT treats the root fd as "/", so an image's symlink (`/etc -> /host/etc`,
// `../../..`) resolves inside the image. Creation walks the path one component at a time,
// re-resolving from the root after every mkdir, so a symlink swapped in between cannot redirect
// it either. Kernel quirks: openat2 needs Linux 5.6; RESOLVE_NO_MAGICLINKS keeps /proc/self/root
// style links inside the image from leading out.
#include <fcntl.h>

#include <string>
#include <string_view>

#include "common/unique_fd.hpp"

namespace berth {

/// Opens `path` (absolute or relative, interpreted inside `root_fd` as if it were "/") with
/// `flags`|O_CLOEXEC; symlinks in the image resolve inside the root, never above it.
/// Returns an invalid fd and leaves errno set when it fails.
UniqueFd open_in_root(int root_fd, std::string_view path, int flags = O_PATH);

/// As open_in_root but throws SysError ("resolve `<path>` in `<what>`: <errno>").
UniqueFd resolve_in_root(int root_fd, std::string_view path, std::string_view what = "rootfs");

enum class NodeKind { Directory, File };

/// Makes sure `path` exists inside `root_fd` (creating missing directories with mode 0755 and, for
/// NodeKind::File, an empty final file) and returns an O_PATH fd of the final node. Symlinks on
/// the way are followed as if `root_fd` were "/" (a dangling one gets its target created, inside
/// the root), and the result is opened with RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS, so a symlink
/// swapped in meanwhile makes it fail rather than escape.
UniqueFd ensure_in_root(int root_fd, std::string_view path, NodeKind kind);

/// "/proc/self/fd/<fd>": how mount(2) and friends address a node already resolved safely.
std::string fd_path(int fd);

/// Reads everything from `fd` (at most 64 MiB); `shown` names it in errors.
std::string read_all(int fd, const std::string& shown);

}  // namespace berth
