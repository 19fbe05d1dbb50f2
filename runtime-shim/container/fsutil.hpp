#pragma once
// Small file-system helpers shared by the shim's kernel-concern files: resolving paths inside a
// rootfs without escaping it (openat2 RESOLVE_IN_ROOT), creating mount points the same way,
// reading/writing small files relative to a directory fd, and mount(2) errors with hints.
#include <fcntl.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/split_path.hpp"  // split_path, used by the walks here and in cgroups*
#include "common/unique_fd.hpp"

namespace berth::shim {

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

/// Reads a whole file relative to `dir_fd` (AT_FDCWD for plain paths); throws SysError.
std::string read_file_at(int dir_fd, const std::string& path);

/// Writes `value` to an existing file relative to `dir_fd` (O_TRUNC, no O_CREAT: cgroup and
/// /proc/sys files always exist; a missing one means "not supported" and is reported as such).
void write_file_at(int dir_fd, const std::string& path, std::string_view value, const std::string& shown);

/// A short explanation for errno values that mislead from a given operation (bubblewrap-style),
/// or "" when the plain strerror text says enough.
std::string errno_hint(std::string_view operation, int err);

/// Throws SysError(what, err), with errno_hint(operation, err) appended in parentheses when
/// there is one: "pivot_root `.`: Invalid argument (the new root must be a mount point ...)".
[[noreturn]] void throw_sys(std::string_view operation, const std::string& what, int err);

/// mount(2) that throws SysError("mount <what> on `<shown>`[ hint]") on failure.
void do_mount(const char* source, const std::string& target, const char* fstype, unsigned long flags,
              const std::string& data, const std::string& what, const std::string& shown);

/// mount(2) flags a bind remount must keep (nosuid, nodev, noexec, atime flags) for the mount
/// `path`; remounting a bind without them would fail in a user namespace or silently drop them.
unsigned long locked_mount_flags(const std::string& path);

}  // namespace berth::shim
