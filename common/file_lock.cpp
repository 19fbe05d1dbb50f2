#include "common/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "common/sys_error.hpp"

namespace berth {

UniqueFd lock_file(const std::string& path, mode_t mode) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, mode));
  if (!fd) throw_errno("open `" + path + "`");
  while (::flock(fd.get(), LOCK_EX) != 0)
    if (errno != EINTR) throw_errno("flock `" + path + "`");
  return fd;
}

bool try_lock_fd(int fd, int operation, const std::string& shown) {
  while (::flock(fd, operation | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return false;
    if (errno != EINTR) throw_errno("flock `" + shown + "`");
  }
  return true;
}

}  // namespace berth
