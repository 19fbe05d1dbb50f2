#pragma once
// Splitting a path into its components, the first step of every walk that resolves a path one
// component at a time (openat inside a root, symlinks kept inside it): the shim's rootfs and
// cgroup walks and the engine's volume copy-up use the same one.
#include <string>
#include <string_view>
#include <vector>

namespace berth {

/// Splits "a/b//c" into {"a","b","c"}; empty and "." components are dropped, ".." is kept.
std::vector<std::string> split_path(std::string_view path);

}  // namespace berth
