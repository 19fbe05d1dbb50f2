#pragma once
// Paths inside a layer being unpacked: splitting an archive entry's name into checked
// components, and opening directories strictly beneath the layer root (openat2 with
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so that no entry can be written outside the root or
// through a symbolic link — whatever earlier entries of the same archive created.
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth::image {

/// Splits an archive entry name into components, dropping "." and empty components (so
/// "./a//b/" is {"a", "b"}; "./" and a bare "/" are the root itself, {}). Throws std::runtime_error for an
/// absolute path, a ".." component, a component longer than NAME_MAX or a path longer than
/// PATH_MAX, each with a message that says which.
std::vector<std::string> split_entry_path(std::string_view name);

/// Joins components with '/' ("" for the root).
std::string join_path(const std::vector<std::string>& parts, size_t count);

/// Opens (O_PATH) the directory made of the first `count` components of `parts` beneath
/// `root_fd`. Never follows a symbolic link and never resolves outside `root_fd`. With
/// `create_missing`, missing directories are created with mode 0755 (as docker does for
/// entries whose parents the archive omits) and their paths are appended to `*created`.
/// Throws std::runtime_error naming the offending component ("`a` is a symbolic link").
UniqueFd open_dir_beneath(int root_fd, const std::vector<std::string>& parts, size_t count, bool create_missing,
                          std::vector<std::string>* created = nullptr);

/// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
/// through syscall(2) since glibc 2.36 has no wrapper. Returns -1 with errno set (ENOSYS on
/// kernels older than 5.6).
int openat2_beneath(int dir_fd, const char* path, int flags, unsigned mode = 0);

}  // namespace berth::image
