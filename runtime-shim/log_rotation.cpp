// Renames and gzip for the rotating log (see log_rotation.hpp). zlib's gz* API writes the same
// gzip member Go's compress/gzip does; Docker stores the last entry's time in the gzip header's
// extra field to skip old files for --since, which Berth's reader does not need (it reads the
// entries' own times).
#include "runtime-shim/log_rotation.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth::shim {

void shift_rotated_logs(const std::string& path, int max_file, bool compress) {
  if (max_file < 2) return;
  const std::string ext = compress ? ".gz" : "";
  std::string last = path + "." + std::to_string(max_file - 1) + ext;
  if (::unlink(last.c_str()) != 0 && errno != ENOENT) throw_errno("remove the oldest log file `" + last + "`");
  for (int i = max_file - 1; i > 1; --i) {
    std::string to = path + "." + std::to_string(i) + ext;
    std::string from = path + "." + std::to_string(i - 1) + ext;
    if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
      throw_errno("rename log file `" + from + "` to `" + to + "`");
  }
}

void compress_log_file(const std::string& path) {
  UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) {
    if (errno == ENOENT) return;
    throw_errno("open log file `" + path + "` to compress it");
  }
  const std::string gz_path = path + ".gz";
  UniqueFd out(::open(gz_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (!out) throw_errno("create `" + gz_path + "`");
  bool done = false;
  ScopeExit cleanup([&] {
    if (!done) ::unlink(gz_path.c_str());
  });
  gzFile gz = ::gzdopen(out.release(), "wb");  // gzclose closes the fd
  if (!gz) throw std::runtime_error("gzip `" + gz_path + "`: out of memory");
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(in.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::gzclose(gz);
      errno = saved;
      throw_errno("read log file `" + path + "`");
    }
    if (n == 0) break;
    if (::gzwrite(gz, buf, static_cast<unsigned>(n)) != static_cast<int>(n)) {
      int err = 0;
      std::string msg = ::gzerror(gz, &err);
      if (err == Z_ERRNO) msg = std::strerror(errno);
      ::gzclose(gz);
      throw std::runtime_error("write `" + gz_path + "`: " + msg);
    }
  }
  if (int rc = ::gzclose(gz); rc != Z_OK)
    throw std::runtime_error("write `" + gz_path + "`: " + (rc == Z_ERRNO ? std::strerror(errno) : "gzip error"));
  done = true;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("remove `" + path + "` after compressing it");
}

}  // namespace berth::shim
