#include "common/top_dir.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth {

void mark_top_dir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_errno("open `" + dir + "`");
  int flags = 0;
  if (::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) != 0 || (flags & FS_TOPDIR_FL)) return;
  flags |= FS_TOPDIR_FL;
  ::ioctl(fd.get(), FS_IOC_SETFLAGS, &flags);  // a hint: a file system that refuses it works as before
}

}  // namespace berth
