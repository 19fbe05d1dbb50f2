#pragma once
// The container's root: overlayfs (or the plain root.path made a mount point), pivot_root into
// it, and the read-only remount. All of it runs in the child, inside its own mount namespace.
#include <string>
#include <vector>

namespace berth::shim {

/// mount --make-rprivate /: nothing the child mounts propagates back to the host, and no host
/// mount event propagates in.
void make_mounts_private();

/// overlayfs on `target`: `lowers` topmost first. Uses mount(2) when the option string fits in a
/// page, else the new mount API with one "lowerdir+" per layer (Linux 6.8), so long layer stacks
/// need no short-path tricks.
void mount_overlay(const std::string& target, const std::vector<std::string>& lowers, const std::string& upper,
                   const std::string& work);

/// Binds `dir` onto itself (recursively) so it is a mount point, as pivot_root requires.
void bind_onto_itself(const std::string& dir);

/// pivot_root into `rootfs_fd` with runc's pivot_root(".", ".") trick: no directory for the old
/// root is needed inside the image (so a read-only image works), and the old root is detached.
void pivot_into(int rootfs_fd);

/// Remounts / read-only, keeping its nosuid/nodev/noexec flags.
void remount_root_readonly();

}  // namespace berth::shim
