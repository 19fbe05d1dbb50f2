#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth {

namespace {

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write `" + path + "`");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void write_file_atomic(const std::string& path, std::string_view content, unsigned mode) {
  std::string tmp = path + ".tmp.XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) throw_errno("create temporary file `" + tmp + "`");
  ScopeExit unlink_tmp([&] { ::unlink(tmp.c_str()); });
  if (::fchmod(fd.get(), mode) != 0) throw_errno("chmod `" + tmp + "`");
  write_all(fd.get(), content, tmp);
  if (::fsync(fd.get()) != 0) throw_errno("fsync `" + tmp + "`");
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw_errno("rename `" + tmp + "` to `" + path + "`");
  unlink_tmp.dismiss();
  // Persist the rename itself.
  UniqueFd dir(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::fsync(dir.get());
}

std::string read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open `" + path + "`");
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read `" + path + "`");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace berth
