#pragma once
// OCI mounts[] inside the rootfs: binds, tmpfs, proc, sysfs, devpts, mqueue, cgroup2. Every
// destination is resolved (and created) inside the rootfs with RESOLVE_IN_ROOT and mounted
// through /proc/self/fd/N, never through a concatenated path.
#include <string>
#include <vector>

#include "common/mount_options.hpp"
#include "runtime-shim/container/bundle.hpp"

namespace berth::shim {

/// OCI mount options -> mount(2) flags (runc's words); anything not a flag is file-system data.
MountOptions parse_mount_options(const std::vector<std::string>& options);

/// What Docker gives every container: /proc, /dev (tmpfs), /dev/pts, /dev/shm, /dev/mqueue, /sys (ro).
const std::vector<Mount>& default_mounts();

/// The defaults whose destination `mounts` doesn't list, followed by `mounts` in order.
std::vector<Mount> with_default_mounts(const std::vector<Mount>& mounts);

/// Child, before pivot_root: performs one mount into the rootfs `root_fd`.
void mount_in_root(int root_fd, const Mount& mount);

}  // namespace berth::shim
