#pragma once
// btrfs's side of storage_quota: the container dir as a subvolume whose qgroup has a limit on
// what it refers to (BTRFS_QGROUP_LIMIT_MAX_RFER), as Docker's btrfs graph driver does. The
// overlay upper and work dirs are both inside it, so overlay's copy-up (create in work, rename
// into upper) never crosses a subvolume (which would fail with EXDEV).
#include <cstdint>
#include <string>

namespace berth::storage::btrfs_quota {

/// "" when quotas are enabled on the btrfs filesystem of `fd` (an fd of a dir at `path`),
/// else why not ("is on btrfs without quotas (enable them with: btrfs quota enable <path>)").
std::string unsupported(int fd, const std::string& path);

/// Creates subvolume `name` in the directory `parent_fd` (at `parent`) with `mode`, and limits
/// its qgroup to `bytes`.
void make_limited_subvolume(int parent_fd, const std::string& parent, const std::string& name, std::uint64_t bytes,
                            int mode);

/// Lifts the limit of the subvolume `fd` (at `path`); a filesystem whose quotas are off since is fine.
void clear_limit(int fd, const std::string& path);

}  // namespace berth::storage::btrfs_quota
