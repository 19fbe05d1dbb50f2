// flock(2) on /run/berth-network.lock. The file is never deleted: deleting a lock file races
// with a process that has opened but not yet locked it.
#include "compose/network/network_lock.hpp"

#include "common/file_lock.hpp"

namespace berth::network {

NetworkLock::NetworkLock(const std::string& path) : m_fd(lock_file(path)) {}

}  // namespace berth::network
