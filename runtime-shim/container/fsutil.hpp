#pragma once
// Small file-system helpers shared by the shim's kernel-concern files: resolving paths inside a
// rootfs without escaping it (openat2 RESOLVE_IN_ROOT), creating mount points the same way,
// reading/writing small files relative to a directory fd, and mount(2) errors with hints.
#include <fcntl.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/in_root.hpp"     // open_in_root, ensure_in_root, read_all: shared with the builder
#include "common/split_path.hpp"  // split_path, used by the walks here and in cgroups*
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth::shim {

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

/// Rethrows `e` with the hint for `operation` and its errno appended, when there is one.
[[noreturn]] void rethrow_with_hint(std::string_view operation, const SysError& e);

/// mount(2) that throws SysError("mount <what> on `<shown>`[ hint]") on failure.
void do_mount(const char* source, const std::string& target, const char* fstype, unsigned long flags,
              const std::string& data, const std::string& what, const std::string& shown);

/// mount(2) flags a bind remount must keep (nosuid, nodev, noexec, atime flags) for the mount
/// `path`; remounting a bind without them would fail in a user namespace or silently drop them.
unsigned long locked_mount_flags(const std::string& path);

}  // namespace berth::shim
