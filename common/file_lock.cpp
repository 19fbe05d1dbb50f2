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

namespace {

struct flock whole_file(short type) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  return l;  // l_start = l_len = 0: the whole file
}

}  // namespace

UniqueFd try_claim_file(const std::string& path, mode_t mode) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, mode));
  if (!fd) throw_errno("open `" + path + "`");
  struct flock l = whole_file(F_WRLCK);
  while (::fcntl(fd.get(), F_OFD_SETLK, &l) != 0) {
    if (errno == EAGAIN || errno == EACCES) return UniqueFd();
    if (errno != EINTR) throw_errno("lock `" + path + "`");
  }
  return fd;
}

bool file_claimed(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return false;
    throw_errno("open `" + path + "`");
  }
  struct flock l = whole_file(F_WRLCK);
  if (::fcntl(fd.get(), F_OFD_GETLK, &l) != 0) throw_errno("query lock `" + path + "`");
  return l.l_type != F_UNLCK;
}

}  // namespace berth
