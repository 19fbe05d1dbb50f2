#pragma once
// The host-wide flock `/run/berth-network.lock`: subnet choice, bridge creation, registry writes
// and nftables changes are serialised across every berth process on the host, whatever their
// root, because they share one kernel (two parallel tests must not pick the same subnet).
#include <string>

#include "common/unique_fd.hpp"

namespace berth::network {

/// Default lock path (the same for every root).
inline constexpr const char* kNetworkLockPath = "/run/berth-network.lock";

/// Holds an exclusive flock on the lock file for its lifetime. Not reentrant: flock locks
/// belong to the open file, so a second NetworkLock in the same process would wait forever.
class NetworkLock {
 public:
  explicit NetworkLock(const std::string& path = kNetworkLockPath);
  NetworkLock(NetworkLock&&) = default;
  NetworkLock& operator=(NetworkLock&&) = default;
  ~NetworkLock() = default;  // closing the fd releases the lock

 private:
  UniqueFd m_fd;
};

}  // namespace berth::network
