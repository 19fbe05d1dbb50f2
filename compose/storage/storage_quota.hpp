#pragma once
// storage_opt size: a limit on what a container can write to its rootfs (the overlay upper dir),
// as Docker's overlay2 driver sets it: a project quota on the container's own directory, on
// xfs (mounted with pquota/prjquota) or ext4 (`-O quota,project`, mounted with prjquota); on
// btrfs the container's directory is a subvolume with a qgroup limit, as Docker's btrfs driver
// does. The limit lives in the filesystem, not in a process: a record file in the container's
// directory names it, so removal lifts it even after the creating `berth` was killed.
#include <cstdint>
#include <string>

namespace berth::storage {

/// Why a size limit cannot be put on a container dir made under `dir` (its nearest existing
/// ancestor is looked at); "" when it can. The text follows the path in an error:
/// "is on ext4 without project quotas (... mount with -o prjquota)".
std::string storage_quota_unsupported(const std::string& dir);

/// Makes `dir` (which must not exist yet; its parent must) as a directory whose whole subtree
/// can hold at most `bytes`: with a project id of its own inherited by everything made under it
/// (xfs/ext4), or as a btrfs subvolume with a qgroup limit. What it sets up is recorded in
/// `dir`/storage_quota.json. Throws SysError/std::runtime_error naming the step.
void make_quota_dir(const std::string& dir, std::uint64_t bytes, int mode);

/// Lifts the limit recorded in `dir`/storage_quota.json (nothing when there is none): the
/// project's limits back to 0, so its id can be used again. Call before removing `dir`.
void release_quota_dir(const std::string& dir);

}  // namespace berth::storage
