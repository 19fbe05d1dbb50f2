// flock(2) on /run/berth-network.lock. The file is never deleted: deleting a lock file races
// with a process that has opened but not yet locked it.
#include "compose/network/network_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include <fmt/format.h>

#include "common/sys_error.hpp"

namespace berth::network {

NetworkLock::NetworkLock(const std::string& path) : m_fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
  if (!m_fd) throw_errno(fmt::format("open lock `{}`", path));
  while (::flock(m_fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) throw_errno(fmt::format("flock `{}`", path));
  }
}

}  // namespace berth::network
