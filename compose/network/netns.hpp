#pragma once
// Persistent network namespaces: a namespace kept alive by a bind mount of its nsfs file onto a
// regular file (like `ip netns add`), and a helper that runs code inside one without ever
// changing the calling thread's namespace (a short-lived thread does the setns()).
#include <functional>
#include <string>

#include "common/unique_fd.hpp"

namespace berth::network {

/// Creates a new network namespace bind-mounted at `path` (parent directories are created).
/// Idempotent: when `path` already holds a namespace bind mount it is kept as it is.
/// Throws SysError naming the step and the path.
void create_netns(const std::string& path);

/// Unmounts (MNT_DETACH) and unlinks `path`. No error when it is absent or not mounted.
void remove_netns(const std::string& path);

/// True when `path` is a bind mount of a network namespace (an nsfs file).
bool netns_exists(const std::string& path);

/// Opens the namespace file read-only (for setns / IFLA_NET_NS_FD). Throws SysError.
UniqueFd open_netns(const std::string& path);

/// Runs `fn` on a temporary thread that has joined the network namespace at `path`; the
/// calling thread's namespace never changes. Exceptions thrown by `fn` are rethrown here.
/// Sockets opened by `fn` stay bound to that namespace after the thread ends (netlink!).
void run_in_netns(const std::string& path, const std::function<void()>& fn);

}  // namespace berth::network
