#pragma once
// sockaddr_un for a path of any length. sun_path holds 107 bytes; a state dir under a deep
// temporary root (tests, `--root`) easily exceeds that with a 64-hex container id in it. A longer
// path is reached through the magic link /proc/self/fd/<dir fd>/<name>, which bind() and
// connect() resolve like any path, so the socket file still lands in the real directory.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth {

/// An address for bind()/connect(); keep it alive until the call returns (it may hold the
/// directory fd the address goes through).
struct UnixAddress {
  sockaddr_un addr{};
  UniqueFd dir;

  const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&addr); }
  socklen_t size() const noexcept { return sizeof addr; }
};

/// The address of the socket at `path`; `op` names the caller's operation in errors.
inline UnixAddress unix_address(const std::string& path, const std::string& op) {
  UnixAddress a;
  a.addr.sun_family = AF_UNIX;
  std::string target = path;
  if (path.size() >= sizeof a.addr.sun_path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) throw SysError(op + " `" + path + "`", ENAMETOOLONG);
    std::string dir = slash == 0 ? "/" : path.substr(0, slash);
    a.dir = UniqueFd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!a.dir) throw_errno(op + ": open directory `" + dir + "`");
    target = "/proc/self/fd/" + std::to_string(a.dir.get()) + path.substr(slash);
    if (target.size() >= sizeof a.addr.sun_path) throw SysError(op + " `" + path + "`", ENAMETOOLONG);
  }
  std::memcpy(a.addr.sun_path, target.c_str(), target.size() + 1);
  return a;
}

}  // namespace berth
